package spec_test

import (
	"encoding/json"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/connectors/spec"
	"github.com/firmsync/firmsync/connectors/zoom"
)

// into returns a decoder of a body into a fresh T.
func into[T any]() func([]byte) error {
	return func(b []byte) error {
		var v T
		return json.Unmarshal(b, &v)
	}
}

// specDecoders maps each operation Firmsync calls to the client type that
// reads its success response.
var specDecoders = map[string]func([]byte) error{
	"box GET /users/me":                                          into[box.User](),
	"box POST /folders":                                          into[box.Folder](),
	"box GET /folders/{folder_id}":                               into[box.Folder](),
	"box PUT /folders/{folder_id}":                               into[box.Folder](),
	"box GET /folders/{folder_id}/items":                         into[box.Items](),
	"box GET /files/{file_id}":                                   into[box.File](),
	"box OPTIONS /files/content":                                 into[box.PreflightResponse](),
	"box POST /files/content":                                    into[box.Files](),
	"box POST /files/{file_id}/content":                          into[box.Files](),
	"box POST /files/upload_sessions":                            into[box.UploadSession](),
	"box POST /files/{file_id}/upload_sessions":                  into[box.UploadSession](),
	"box GET /files/upload_sessions/{upload_session_id}":         into[box.UploadSession](),
	"box PUT /files/upload_sessions/{upload_session_id}":         into[box.UploadedPart](),
	"box GET /files/upload_sessions/{upload_session_id}/parts":   into[box.UploadParts](),
	"box POST /files/upload_sessions/{upload_session_id}/commit": into[box.Files](),
	"box GET /webhooks":                                          into[box.Webhooks](),
	"box POST /webhooks":                                         into[box.Webhook](),
	"box GET /webhooks/{webhook_id}":                             into[box.Webhook](),
	"box PUT /webhooks/{webhook_id}":                             into[box.Webhook](),
	"box POST /oauth2/token":                                     into[box.AccessToken](),
	"clio GET /users/who_am_i.json":                              into[clio.DataResponse[clio.User]](),
	"clio GET /contacts.json":                                    into[clio.ListResponse[clio.Contact]](),
	"clio POST /contacts.json":                                   into[clio.DataResponse[clio.Contact]](),
	"clio GET /contacts/{id}.json":                               into[clio.DataResponse[clio.Contact]](),
	"clio GET /matters.json":                                     into[clio.ListResponse[clio.Matter]](),
	"clio POST /matters.json":                                    into[clio.DataResponse[clio.Matter]](),
	"clio GET /matters/{id}.json":                                into[clio.DataResponse[clio.Matter]](),
	"clio PATCH /matters/{id}.json":                              into[clio.DataResponse[clio.Matter]](),
	"clio GET /practice_areas.json":                              into[clio.ListResponse[clio.PracticeArea]](),
	"clio GET /custom_fields.json":                               into[clio.ListResponse[clio.CustomField]](),
	"clio POST /custom_fields.json":                              into[clio.DataResponse[clio.CustomField]](),
	"clio GET /documents.json":                                   into[clio.ListResponse[clio.Document]](),
	"clio POST /documents.json":                                  into[clio.DataResponse[clio.Document]](),
	"clio GET /documents/{id}.json":                              into[clio.DataResponse[clio.Document]](),
	"clio PATCH /documents/{id}.json":                            into[clio.DataResponse[clio.Document]](),
	"clio GET /notes.json":                                       into[clio.ListResponse[clio.Note]](),
	"clio POST /notes.json":                                      into[clio.DataResponse[clio.Note]](),
	"clio GET /webhooks.json":                                    into[clio.ListResponse[clio.Webhook]](),
	"clio POST /webhooks.json":                                   into[clio.DataResponse[clio.Webhook]](),
	"clio PATCH /webhooks/{id}.json":                             into[clio.DataResponse[clio.Webhook]](),
	"zoom GET /users/{userId}":                                   into[zoom.User](),
	"zoom GET /users/{userId}/recordings":                        into[zoom.RecordingList](),
	"zoom GET /meetings/{meetingId}/recordings":                  into[zoom.Meeting](),
	"zoom GET /past_meetings/{meetingId}/participants":           into[zoom.ParticipantList](),
	"zoom GET /phone/external_contacts":                          into[zoom.ExternalContactList](),
	"zoom GET /phone/external_contacts/{externalContactId}":      into[zoom.ExternalContact](),
	"zoom POST /phone/external_contacts":                         into[zoom.CreateExternalContactResponse](),
}

// TestSpecExamplesDecodeIntoClientTypes: the example values the vendors'
// documents carry for the endpoints Firmsync calls must be readable by the
// clients' types (a documented value the client cannot decode is a client
// bug waiting for real traffic).
func TestSpecExamplesDecodeIntoClientTypes(t *testing.T) {
	chk, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, ex := range chk.Examples() {
		dec := specDecoders[ex.Platform+" "+ex.Endpoint]
		if dec == nil {
			continue // an operation with no body the client reads (a DELETE, a download redirect)
		}
		if err := dec(ex.Body); err != nil {
			t.Errorf("%s: %v\nexample body: %.600s", ex, err, ex.Body)
			continue
		}
		counts[ex.Platform]++
	}
	for _, p := range []string{spec.Box, spec.Clio, spec.Zoom} {
		t.Logf("conformance %s spec examples decoded=%d", p, counts[p])
	}
	// Clio's v4 document carries no examples; Box's and Zoom's do.
	if counts[spec.Box] == 0 || counts[spec.Zoom] == 0 {
		t.Errorf("examples decoded: %v; Box and Zoom carry examples", counts)
	}
}
