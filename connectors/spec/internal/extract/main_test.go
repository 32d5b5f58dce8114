package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDownconvert: the OAS 3.1 constructs become their OAS 3.0 spelling,
// property names are not taken for keywords, a media type's examples map
// is left alone, and a keyword without a 3.0 spelling is an error.
func TestDownconvert(t *testing.T) {
	in := decode(t, `{"schemas":{"S":{"type":"object","properties":{
		"type":{"type":["string","null"]},
		"const":{"type":"string"},
		"n":{"type":["integer"],"exclusiveMinimum":0},
		"v":{"type":["string","number","boolean"]},
		"k":{"const":"x","examples":["a","b"]}}}},
		"responses":{"R":{"content":{"application/json":{"examples":{"one":{"value":1}}}}}}}`)
	want := decode(t, `{"schemas":{"S":{"type":"object","properties":{
		"type":{"type":"string","nullable":true},
		"const":{"type":"string"},
		"n":{"type":"integer","minimum":0,"exclusiveMinimum":true},
		"v":{"anyOf":[{"type":"string"},{"type":"number"},{"type":"boolean"}]},
		"k":{"enum":["x"],"example":"a"}}}},
		"responses":{"R":{"content":{"application/json":{"examples":{"one":{"value":1}}}}}}}`)
	if err := downconvert(in, false); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, want) {
		got, _ := json.Marshal(in)
		exp, _ := json.Marshal(want)
		t.Fatalf("got  %s\nwant %s", got, exp)
	}
	for _, bad := range []string{
		`{"type":"array","prefixItems":[{"type":"string"}]}`,
		`{"type":["null"]}`,
		`{"type":["string","integer"],"anyOf":[{"minLength":1}]}`,
	} {
		if err := downconvert(decode(t, bad), false); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestDownconvertLeaves30Alone: a 3.0 schema passes unchanged.
func TestDownconvertLeaves30Alone(t *testing.T) {
	const s = `{"type":"object","nullable":true,"properties":{"a":{"type":"string","example":"x","enum":["x","y"]}}}`
	in := decode(t, s)
	if err := downconvert(in, false); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(in)
	want, _ := json.Marshal(decode(t, s))
	if !bytes.Equal(got, want) {
		t.Fatalf("got %s, want %s", got, want)
	}
}
