package autostart

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// plistValue is one decoded property-list value: string, bool or []any.
type plistValue = any

// decodePlist reads an XML property list whose root is a dict, the subset
// launchd agents use (string, true/false, array, dict of those), with a
// strict decoder: any malformed XML, stray element or key without a value
// fails. It is written from the plist DTD, not from launchAgent, so the
// test does not share the renderer's assumptions.
func decodePlist(t *testing.T, doc string) map[string]plistValue {
	t.Helper()
	if !strings.HasPrefix(doc, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("no XML declaration:\n%s", doc)
	}
	if !strings.Contains(doc, `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`) {
		t.Fatalf("no plist DOCTYPE:\n%s", doc)
	}
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	next := func() xml.StartElement {
		for {
			tok, err := d.Token()
			if err != nil {
				t.Fatalf("plist does not parse: %v\n%s", err, doc)
			}
			switch tk := tok.(type) {
			case xml.StartElement:
				return tk.Copy()
			case xml.CharData:
				if strings.TrimSpace(string(tk)) != "" {
					t.Fatalf("stray text %q in plist", tk)
				}
			case xml.EndElement:
				return xml.StartElement{Name: xml.Name{Local: "/" + tk.Name.Local}}
			}
		}
	}
	var value func(se xml.StartElement) plistValue
	value = func(se xml.StartElement) plistValue {
		switch se.Name.Local {
		case "string", "key":
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatalf("<%s>: %v", se.Name.Local, err)
			}
			return s
		case "true", "false":
			if end := next(); end.Name.Local != "/"+se.Name.Local {
				t.Fatalf("<%s> is not empty", se.Name.Local)
			}
			return se.Name.Local == "true"
		case "array":
			var a []any
			for {
				el := next()
				if el.Name.Local == "/array" {
					return a
				}
				a = append(a, value(el))
			}
		case "dict":
			m := map[string]plistValue{}
			for {
				k := next()
				if k.Name.Local == "/dict" {
					return m
				}
				if k.Name.Local != "key" {
					t.Fatalf("<%s> where a <key> belongs", k.Name.Local)
				}
				name := value(k).(string)
				if _, dup := m[name]; dup {
					t.Fatalf("key %q twice", name)
				}
				v := next()
				if strings.HasPrefix(v.Name.Local, "/") || v.Name.Local == "key" {
					t.Fatalf("key %q has no value", name)
				}
				m[name] = value(v)
			}
		}
		t.Fatalf("unexpected <%s> in plist", se.Name.Local)
		return nil
	}
	root := next()
	if root.Name.Local != "plist" || len(root.Attr) != 1 || root.Attr[0].Name.Local != "version" || root.Attr[0].Value != "1.0" {
		t.Fatalf(`root is %v, want <plist version="1.0">`, root)
	}
	top := value(next())
	m, ok := top.(map[string]plistValue)
	if !ok {
		t.Fatalf("the plist's root value is %T, want a dict", top)
	}
	if end := next(); end.Name.Local != "/plist" {
		t.Fatalf("more than one value in <plist>: %v", end)
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if cd, ok := tok.(xml.CharData); err != nil || !ok || strings.TrimSpace(string(cd)) != "" {
			t.Fatalf("content after </plist>: %v, %v", tok, err)
		}
	}
	return m
}

func TestLaunchAgentIsAPlistLaunchdRunsAtLogin(t *testing.T) {
	cases := []struct {
		name   string
		entry  Entry
		exe    string
		hidden bool
		label  string
	}{
		{"app bundle, hidden", Entry{}, "/Applications/Firmsync.app/Contents/MacOS/firmsync", true, "com.firmsync.desktop"},
		{"shown at login", Entry{}, "/Applications/Firmsync.app/Contents/MacOS/firmsync", false, "com.firmsync.desktop"},
		// launchd passes each <string> as one argument: spaces, quotes and
		// non-ASCII stay as they are; only XML's own characters are escaped.
		{"user folder with spaces, markup and accents", Entry{ID: "com.example.firm&co"},
			`/Users/Zoë Müller/Apps/Firm <Sync> & "Co"/firmsync`, true, "com.example.firm&co"},
		// A firm whose data lives elsewhere starts with its --data.
		{"with the data directory", Entry{Args: []string{"--data", "/Volumes/Firm Share/firmsync"}},
			"/Applications/Firmsync.app/Contents/MacOS/firmsync", true, "com.firmsync.desktop"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := launchAgent(c.entry.id(), c.entry.args(c.exe, c.hidden))
			m := decodePlist(t, doc)
			argv := []any{c.exe}
			for _, a := range c.entry.Args {
				argv = append(argv, a)
			}
			if c.hidden {
				argv = append(argv, HiddenFlag)
			}
			want := map[string]plistValue{
				"Label":            c.label,
				"ProgramArguments": argv,
				"RunAtLoad":        true,
				"ProcessType":      "Interactive",
			}
			if !reflect.DeepEqual(m, want) {
				t.Fatalf("LaunchAgent decodes as\n%#v\nwant\n%#v\n%s", m, want, doc)
			}
		})
	}
}

// The label is also the file name autostart_darwin.go writes
// (~/Library/LaunchAgents/<label>.plist); launchd expects them to match.
func TestLaunchAgentLabelIsTheDefaultID(t *testing.T) {
	m := decodePlist(t, launchAgent(Default().id(), args("/x", true)))
	if got := fmt.Sprint(m["Label"]); got != "com.firmsync.desktop" {
		t.Fatalf("Label = %q, want com.firmsync.desktop (FyneApp.toml's ID)", got)
	}
}
