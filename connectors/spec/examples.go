package spec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Example is a response body put together from the `example` values a
// vendor's schema carries for one operation's success response: only
// properties the vendor gave an example for (recursively), so the body is
// the vendor's own data, not invented values.
type Example struct {
	Platform string
	Endpoint string // "GET /folders/{folder_id}"
	Status   int
	Body     []byte
}

// Examples returns, for every operation of the embedded documents, the
// example body of its lowest 2xx response with a JSON schema.
func (c *Checker) Examples() []Example {
	var out []Example
	for _, p := range Platforms {
		for _, rt := range c.routes[p] {
			var codes []int
			for k := range rt.op.Responses.Map() {
				if n, err := strconv.Atoi(k); err == nil && n >= 200 && n < 300 {
					codes = append(codes, n)
				}
			}
			sort.Ints(codes)
			for _, code := range codes {
				rr := rt.op.Responses.Status(code)
				if rr == nil || rr.Value == nil {
					continue
				}
				mt := rr.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
					continue
				}
				v := exampleOf(mt.Schema.Value, 0)
				if v == nil {
					continue
				}
				b, err := json.Marshal(v)
				if err != nil {
					continue
				}
				out = append(out, Example{Platform: p, Endpoint: strings.ToUpper(rt.method) + " " + rt.template, Status: code, Body: b})
				break
			}
		}
	}
	return out
}

// exampleOf builds a value from s's examples; nil when s carries none.
func exampleOf(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 12 { // recursive schemas (a folder's parent) stop somewhere
		return nil
	}
	if s.Example != nil {
		// Some examples contradict their own schema (Zoom's recording
		// file_size: type number, example "7220"); the schema is the
		// contract, so such an example is left out rather than held
		// against the client.
		if s.VisitJSON(s.Example) != nil {
			return nil
		}
		return s.Example
	}
	switch {
	case len(s.AllOf) > 0:
		merged := map[string]any{}
		for _, sub := range s.AllOf {
			if sub.Value == nil {
				continue
			}
			if m, ok := exampleOf(sub.Value, depth+1).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		if m, ok := objectExample(s, depth).(map[string]any); ok {
			for k, v := range m {
				merged[k] = v
			}
		}
		if len(merged) == 0 {
			return nil
		}
		return merged
	case len(s.OneOf) > 0:
		return exampleOf(s.OneOf[0].Value, depth+1)
	case len(s.AnyOf) > 0:
		return exampleOf(s.AnyOf[0].Value, depth+1)
	}
	if s.Type.Is("array") {
		if s.Items == nil {
			return nil
		}
		if item := exampleOf(s.Items.Value, depth+1); item != nil {
			return []any{item}
		}
		return nil
	}
	return objectExample(s, depth)
}

func objectExample(s *openapi3.Schema, depth int) any {
	if len(s.Properties) == 0 {
		return nil
	}
	m := map[string]any{}
	for name, p := range s.Properties {
		if p.Value == nil {
			continue
		}
		if v := exampleOf(p.Value, depth+1); v != nil {
			m[name] = v
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// String names the example.
func (e Example) String() string {
	return fmt.Sprintf("%s %s → %d", e.Platform, e.Endpoint, e.Status)
}
