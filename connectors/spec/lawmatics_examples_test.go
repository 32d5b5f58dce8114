package spec_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/connectors/lawmatics"
)

// postmanExample is one example response kept from Lawmatics' Postman
// collection by internal/extract.
type postmanExample struct {
	Request string          `json:"request"`
	Name    string          `json:"name"`
	Method  string          `json:"method"`
	URL     string          `json:"url"`
	Code    int             `json:"code"`
	Body    json.RawMessage `json:"body"`
}

// decodeInto reads body as a single record or a list of T, whichever the
// example's "data" is, and returns the ids it found.
func decodeInto[T any](body []byte, id func(T) string) ([]string, error) {
	var probe struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.TrimSpace(string(probe.Data)), "[") {
		var l lawmatics.List[T]
		if err := json.Unmarshal(body, &l); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(l.Data))
		for _, r := range l.Data {
			ids = append(ids, id(r))
		}
		return ids, nil
	}
	var s lawmatics.Single[T]
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, err
	}
	return []string{id(s.Data)}, nil
}

// lawmaticsDecoders maps a collection resource to the client type that
// reads it.
var lawmaticsDecoders = map[string]func([]byte) ([]string, error){
	"contacts": func(b []byte) ([]string, error) {
		return decodeInto(b, func(r lawmatics.Contact) string { return r.ID })
	},
	"prospects": func(b []byte) ([]string, error) {
		return decodeInto(b, func(r lawmatics.Prospect) string { return r.ID })
	},
	"notes": func(b []byte) ([]string, error) { return decodeInto(b, func(r lawmatics.Note) string { return r.ID }) },
	"files": func(b []byte) ([]string, error) { return decodeInto(b, func(r lawmatics.File) string { return r.ID }) },
	"users": func(b []byte) ([]string, error) { return decodeInto(b, func(r lawmatics.User) string { return r.ID }) },
	"sub_statuses": func(b []byte) ([]string, error) {
		return decodeInto(b, func(r lawmatics.SubStatus) string { return r.ID })
	},
	"practice_areas": func(b []byte) ([]string, error) {
		return decodeInto(b, func(r lawmatics.PracticeArea) string { return r.ID })
	},
}

// TestLawmaticsExamplesDecodeIntoClientTypes: Lawmatics publishes example
// bodies, not schemas, so every example response of the resources
// Firmsync calls must decode into connectors/lawmatics' types (errors
// into lawmatics.Error), with every record's id read.
func TestLawmaticsExamplesDecodeIntoClientTypes(t *testing.T) {
	raw, err := os.ReadFile("testdata/lawmatics-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var examples []postmanExample
	if err := json.Unmarshal(raw, &examples); err != nil {
		t.Fatal(err)
	}
	decoded := 0
	for _, ex := range examples {
		name := fmt.Sprintf("%s (%s %s → %d)", ex.Name, ex.Method, ex.URL, ex.Code)
		func() {
			if ex.Code >= 400 {
				var e lawmatics.Error
				if err := json.Unmarshal(ex.Body, &e); err != nil {
					t.Errorf("%s: into lawmatics.Error: %v", name, err)
					return
				}
				decoded++
				return
			}
			p := strings.TrimPrefix(ex.URL, "{{host}}/v1/")
			p, _, _ = strings.Cut(p, "?")
			resource, _, _ := strings.Cut(p, "/")
			dec := lawmaticsDecoders[resource]
			if dec == nil {
				t.Errorf("%s: no client type for %q (internal/extract keeps only the resources Firmsync calls)", name, resource)
				return
			}
			ids, err := dec(ex.Body)
			if err != nil {
				t.Errorf("%s: %v\nbody: %.400s", name, err, ex.Body)
				return
			}
			for _, id := range ids {
				if id == "" {
					t.Errorf("%s: a record decoded without its id", name)
					return
				}
			}
			decoded++
		}()
	}
	t.Logf("conformance lawmatics examples decoded=%d of %d", decoded, len(examples))
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
}
