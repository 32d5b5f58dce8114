package spec

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file is the ONE place where the conformance check departs from the
// vendors' documents: the relaxations (a schema known to be wrong, each
// with its reason), the amendments (a response the vendor documents
// elsewhere but left out of its document, each with its reason) and the
// endpoints with no schema to check (each with its reason). Nothing else
// in the package excuses a response.

// Relaxation excuses violations that come from a known error in a vendor's
// document, not from the fake.
type Relaxation struct {
	Name     string
	Platform string
	Reason   string                 // why the document, not the fake, is wrong
	Match    func(v Violation) bool // the violations it excuses
}

// Relaxations lists every deliberate relaxation.
var Relaxations = []Relaxation{
	{
		Name: "clio-nullable", Platform: Clio,
		Reason: "Clio's v4 document marks no property nullable, yet real records carry null for every unset " +
			"attribute (specs README, known quirks); a null is accepted where the document gives a type.",
		Match: func(v Violation) bool {
			// A null also fails an enum that does not list it.
			return v.Field == "nullable" || strings.Contains(v.Reason, "not nullable") || (v.Field == "enum" && v.Got == "null")
		},
	},
	{
		Name: "clio-delete-404", Platform: Clio,
		Reason: "Clio's document lists only 204 and 403 for its DELETE operations, while the GET and PATCH of the " +
			"same records list 404 and apis/clio.md gives 404 for an unknown id on every record endpoint.",
		Match: func(v Violation) bool {
			return strings.HasPrefix(v.Endpoint, "DELETE ") && v.Status == http.StatusNotFound && v.Path == "" &&
				v.Reason == "status is not supported"
		},
	},
	{
		Name: "clio-list-meta", Platform: Clio,
		Reason: "Clio's *_List schemas describe only data, but every list answers with meta.paging and " +
			"meta.records (specs README; apis/clio.md). The schemas do not forbid extra properties, so this " +
			"only matters if a later document closes them.",
		Match: func(v Violation) bool { return strings.HasPrefix(v.Path, "/meta") },
	},
	{
		Name: "box-error-codes", Platform: Box,
		Reason: "Box's ClientError.code enum lists only generic codes; item_name_in_use, trashed, bad_digest, " +
			"name_temporarily_reserved and the other codes of Box's error guide are real (specs README; apis/box.md §6).",
		Match: func(v Violation) bool { return v.Status >= 400 && v.Path == "/code" && v.Field == "enum" },
	},
	{
		Name: "box-file-conflict-object", Platform: Box,
		Reason: "Box's ConflictError types context_info.conflicts as an array, but a file's 409 carries one " +
			"object (apis/box.md §3, from Box's .NET SDK; specs README): both shapes are accepted.",
		Match: func(v Violation) bool {
			return v.Status == http.StatusConflict && v.Path == "/context_info/conflicts" && v.Field == "type" &&
				strings.HasPrefix(v.Got, "{")
		},
	},
	{
		Name: "zoom-recording-meeting-type", Platform: Zoom,
		Reason: "Zoom's 2024 Meetings document types a recording's meeting type as an integer; Zoom's 2026 " +
			"types say string (specs README): both are accepted.",
		Match: func(v Violation) bool {
			return strings.Contains(v.Endpoint, "/recordings") && (v.Field == "type" || v.Field == "enum") &&
				(v.Path == "/type" || v.Path == "/meetings/*/type") && digits.MatchString(v.Got)
		},
	},
}

// Amendment adds to a vendor's document a response the vendor documents
// elsewhere (an error guide; a fact in ../shared/apis citing one) but left
// out of its OAS document. Unlike a Relaxation it checks more, not less:
// instead of failing unchecked as "status is not supported" (or as an
// unexpected Content-Type), the fake's answer is validated against what
// the amendment adds. Amendments apply when the documents load; the report
// counts the responses validated against them (PlatformReport.Amended).
type Amendment struct {
	Name     string
	Platform string
	Reason   string // where the vendor documents what the document lacks
	// Amend changes one operation of the platform's documents and returns
	// what it added, as "<status> <media type>".
	Amend func(doc *openapi3.T, op *openapi3.Operation) ([]string, error)
}

// Amendments lists every amendment.
var Amendments = []Amendment{
	{
		Name: "mycase-error-guide", Platform: MyCase,
		Reason: "MyCase's per-resource documents give only each operation's success response, while MyCase's Error " +
			"Handling guide (specs/mycase/mycase-error-handling.md; apis/mycase.md §2 [C ERR]) gives, for every " +
			"endpoint, the codes 400, 401, 403, 404, 422, 429, 500 and 503 and the body " +
			"{\"errors\":[{\"description\",\"source\":{\"pointer\"|\"parameter\"}}]}: those responses are added " +
			"with the guide's body as the schema (mycaseErrorBody), so error answers are validated, not waved through.",
		Amend: addResponses([]int{400, 401, 403, 404, 422, 429, 500, 503}, []string{"application/json"}, mycaseErrorBody),
	},
	{
		Name: "smokeball-401", Platform: Smokeball,
		Reason: "Smokeball's document gives 401 only on the matter-layout operations (as ProblemDetails), yet every " +
			"API call answers 401 to an expired or missing token (apis/smokeball.md §2, \"401 = expired token\" [C APP], " +
			"from Smokeball's build-an-app guides): the document's own 401, ProblemDetails, is added where an " +
			"operation lacks it.",
		Amend: addResponses([]int{http.StatusUnauthorized}, []string{"application/json", "application/problem+json"},
			"#/components/schemas/ProblemDetails"),
	},
	{
		Name: "smokeball-problem-json", Platform: Smokeball,
		Reason: "Smokeball's document (generated by Swashbuckle) keys its ProblemDetails error bodies as application/json, " +
			"but Smokeball's Errors guide says they are served as RFC 7807 application/problem+json (apis/smokeball.md §2 " +
			"[C ERR]): each documented error body is accepted under application/problem+json too, with the same schema.",
		Amend: aliasErrors("application/json", "application/problem+json"),
	},
}

// mycaseErrorBody is the error body of MyCase's Error Handling guide
// (specs/mycase/mycase-error-handling.md), in its strict reading: an
// errors array (of at least one error) whose items have a description
// and optionally a source holding ONE of pointer or parameter, and nothing
// the guide does not name.
const mycaseErrorBody = `{"type":"object","required":["errors"],"properties":{"errors":{"type":"array","minItems":1,
"items":{"type":"object","required":["description"],"additionalProperties":false,"properties":{
"description":{"type":"string"},
"source":{"type":"object","additionalProperties":false,"maxProperties":1,"properties":{"pointer":{"type":"string"},"parameter":{"type":"string"}}}}}}}}`

// addResponses returns an Amend adding, for each status the operation does
// not document, a response whose body under each media type is schema: a
// JSON Schema (OAS 3.0 spelling) or a "#/components/schemas/…" reference
// into the vendor's document.
func addResponses(statuses []int, media []string, schema string) func(*openapi3.T, *openapi3.Operation) ([]string, error) {
	return func(doc *openapi3.T, op *openapi3.Operation) ([]string, error) {
		var ref *openapi3.SchemaRef
		if name, ok := strings.CutPrefix(schema, "#/components/schemas/"); ok {
			s := doc.Components.Schemas[name]
			if s == nil || s.Value == nil {
				return nil, fmt.Errorf("the document has no schema %s", name)
			}
			ref = openapi3.NewSchemaRef(schema, s.Value)
		} else {
			var s openapi3.Schema
			if err := json.Unmarshal([]byte(schema), &s); err != nil {
				return nil, fmt.Errorf("bad amendment schema: %w", err)
			}
			ref = openapi3.NewSchemaRef("", &s)
		}
		var added []string
		for _, st := range statuses {
			if op.Responses.Status(st) != nil {
				continue
			}
			content := openapi3.Content{}
			for _, m := range media {
				content[m] = openapi3.NewMediaType().WithSchemaRef(ref)
				added = append(added, strconv.Itoa(st)+" "+m)
			}
			desc := http.StatusText(st)
			op.Responses.Set(strconv.Itoa(st), &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc, Content: content}})
		}
		return added, nil
	}
}

// aliasErrors returns an Amend that accepts each documented error (4xx,
// 5xx) body of media type from under media type to as well.
func aliasErrors(from, to string) func(*openapi3.T, *openapi3.Operation) ([]string, error) {
	return func(_ *openapi3.T, op *openapi3.Operation) ([]string, error) {
		var added []string
		for code, rr := range op.Responses.Map() {
			st, err := strconv.Atoi(code)
			if err != nil || st < 400 || rr.Value == nil {
				continue
			}
			if mt := rr.Value.Content[from]; mt != nil && rr.Value.Content[to] == nil {
				rr.Value.Content[to] = mt
				added = append(added, code+" "+to)
			}
		}
		slices.Sort(added)
		return added, nil
	}
}

// amend applies platform's amendments to one operation and returns which
// amendment added each "<status> <media type>".
func amend(platform string, doc *openapi3.T, op *openapi3.Operation) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range Amendments {
		if a.Platform != platform {
			continue
		}
		added, err := a.Amend(doc, op)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Name, err)
		}
		for _, k := range added {
			if _, ok := out[k]; !ok {
				out[k] = a.Name
			}
		}
	}
	return out, nil
}

// digits matches a JSON string holding an integer, as "2".
var digits = regexp.MustCompile(`^"[0-9]+"$`)

// excused returns the name of the relaxation that excuses v, or "".
func excused(v Violation) string {
	for _, r := range Relaxations {
		if r.Platform == v.Platform && r.Match(v) {
			return r.Name
		}
	}
	return ""
}

// Skip is an endpoint the fakes serve that has no vendor schema to check.
type Skip struct {
	Platform string
	Path     *regexp.Regexp // matched against the request's escaped path
	Reason   string
}

// Skips lists every endpoint answered without a schema check.
var Skips = []Skip{
	{Lawmatics, regexp.MustCompile(`.`), "Lawmatics publishes no schema (its collection's examples are decoded into the client's types instead)"},
	{Zoom, regexp.MustCompile(`^/v2/meetings/[^/]+/meeting_summary$`), "Zoom's meeting summary has no OAS document (only TypeScript types)"},
	{Zoom, regexp.MustCompile(`^/rec/`), "recording file download: bytes, not a JSON API response"},
	{Zoom, regexp.MustCompile(`^/oauth/`), "Zoom OAuth is not in Zoom's API documents"},
	{Clio, regexp.MustCompile(`^/oauth/`), "Clio OAuth is not in Clio's v4 document"},
	{Clio, regexp.MustCompile(`^/_s3/`), "document bytes at the signed storage URL Clio hands out, not Clio's API"},
	{Box, regexp.MustCompile(`^/api/oauth2/authorize`), "the consent page is HTML for a browser"},
	{MyCase, regexp.MustCompile(`^/(login_sessions(/new)?|tokens)$`), "MyCase OAuth (auth.mycase.com) is not in MyCase's API documents"},
	{MyCase, regexp.MustCompile(`^/_s3/`), "document bytes at the pre-signed storage URLs MyCase hands out (S3), not MyCase's API"},
	{Smokeball, regexp.MustCompile(`^/oauth2/`), "Smokeball's auth (AWS Cognito, auth.smokeball.com) is not in Smokeball's API document"},
	{Smokeball, regexp.MustCompile(`^/_s3/`), "file bytes at the pre-signed storage URLs Smokeball hands out (S3), not Smokeball's API"},
}

// skip returns why r has no schema to check, or "".
func skip(platform string, r *http.Request) string {
	for _, s := range Skips {
		if s.Platform == platform && s.Path.MatchString(r.URL.EscapedPath()) {
			return s.Reason
		}
	}
	return ""
}
