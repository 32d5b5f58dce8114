package cliofake

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// fieldSel is one parsed entry of a `fields` parameter: a name with an
// optional brace list of sub-fields.
type fieldSel struct {
	name   string
	braces bool
	sub    []fieldSel
}

// parseFields parses "id,name,matter{id,description},client". Braces inside
// braces (second nesting level) are refused, as Clio answers 400 for them.
func parseFields(s string) ([]fieldSel, error) {
	sels, rest, err := parseFieldList(s, 0)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, fmt.Errorf("unexpected %q in fields", rest)
	}
	return sels, nil
}

func parseFieldList(s string, depth int) ([]fieldSel, string, error) {
	var out []fieldSel
	for {
		i := strings.IndexAny(s, ",{}")
		var name string
		if i < 0 {
			name, s = s, ""
		} else {
			name, s = s[:i], s[i:]
		}
		name = strings.TrimSpace(name)
		sel := fieldSel{name: name}
		if strings.HasPrefix(s, "{") {
			if depth > 0 {
				return nil, "", fmt.Errorf("fields: nested field %q may not select sub-fields at the second level", name)
			}
			sub, rest, err := parseFieldList(s[1:], depth+1)
			if err != nil {
				return nil, "", err
			}
			if !strings.HasPrefix(rest, "}") {
				return nil, "", fmt.Errorf("fields: unclosed brace after %q", name)
			}
			sel.braces, sel.sub, s = true, sub, rest[1:]
		}
		if name == "" {
			return nil, "", fmt.Errorf("fields: empty field name")
		}
		out = append(out, sel)
		switch {
		case strings.HasPrefix(s, ","):
			s = s[1:]
		case strings.HasPrefix(s, "}"):
			if depth == 0 {
				return nil, "", fmt.Errorf("fields: unbalanced brace")
			}
			return out, s, nil
		case s == "":
			if depth > 0 {
				return nil, "", fmt.Errorf("fields: unclosed brace")
			}
			return out, "", nil
		}
	}
}

// typeInfo describes a wire struct for projection: json name → field.
type typeInfo struct {
	fields map[string]*fieldInfo
	order  []string // json names in declaration order
}

type fieldInfo struct {
	index    int
	nested   *typeInfo // non-nil for struct, *struct and []struct fields
	nullZero bool      // tagged clio:"null": the zero value is sent as null
}

// schemas caches typeInfo per wire type. It only grows and its content is
// derived from static types, so it is safe to share between servers.
type schemas struct {
	mu    sync.Mutex // guards types
	types map[reflect.Type]*typeInfo
}

func (sc *schemas) info(t reflect.Type) *typeInfo {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.types == nil {
		sc.types = map[reflect.Type]*typeInfo{}
	}
	return sc.infoLocked(t)
}

// infoLocked builds the typeInfo of struct type t; the caller holds sc.mu.
func (sc *schemas) infoLocked(t reflect.Type) *typeInfo {
	if ti, ok := sc.types[t]; ok {
		return ti
	}
	ti := &typeInfo{fields: map[string]*fieldInfo{}}
	sc.types[t] = ti
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		fi := &fieldInfo{index: i, nullZero: f.Tag.Get("clio") == "null"}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() != "time" {
			fi.nested = sc.infoLocked(ft)
		}
		ti.fields[tag] = fi
		ti.order = append(ti.order, tag)
	}
	return ti
}

// plan is a compiled projection for one type.
type plan []planField

type planField struct {
	name     string
	index    int
	sub      plan // nil for scalars
	nullZero bool // render the zero value as null (Clio never sends "" or 0 for it)
}

// defaults is what Clio returns when no fields are named: id and etag.
func (ti *typeInfo) defaults() plan {
	var p plan
	for _, n := range [...]string{"id", "etag"} {
		if f, ok := ti.fields[n]; ok {
			p = append(p, planField{name: n, index: f.index, sub: subDefaults(f)})
		}
	}
	return p
}

func subDefaults(f *fieldInfo) plan {
	if f.nested == nil {
		return nil
	}
	return f.nested.defaults()
}

// compile checks sels against ti: an unknown field, or braces after a
// scalar, is an error (Clio: 400).
func (ti *typeInfo) compile(sels []fieldSel) (plan, error) {
	if len(sels) == 0 {
		return ti.defaults(), nil
	}
	p := make(plan, 0, len(sels))
	for _, s := range sels {
		f, ok := ti.fields[s.name]
		if !ok {
			return nil, fmt.Errorf("fields: unknown field %q", s.name)
		}
		pf := planField{name: s.name, index: f.index, nullZero: f.nullZero}
		switch {
		case f.nested == nil && s.braces:
			return nil, fmt.Errorf("fields: %q is not a nested resource", s.name)
		case f.nested != nil && s.braces:
			sub, err := f.nested.compile(s.sub)
			if err != nil {
				return nil, err
			}
			pf.sub = sub
		case f.nested != nil:
			pf.sub = f.nested.defaults()
		}
		p = append(p, pf)
	}
	return p, nil
}

// project renders v (a struct or pointer to one) as a map holding only the
// planned fields. Nil nested records become null, nil slices [].
func (p plan) project(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	out := make(map[string]any, len(p))
	for _, f := range p {
		fv := v.Field(f.index)
		if f.sub == nil {
			if f.nullZero && fv.IsZero() {
				out[f.name] = nil
			} else {
				out[f.name] = fv.Interface()
			}
			continue
		}
		if fv.Kind() == reflect.Slice {
			items := make([]any, fv.Len())
			for i := range items {
				items[i] = f.sub.project(fv.Index(i))
			}
			out[f.name] = items
			continue
		}
		out[f.name] = f.sub.project(fv)
	}
	return out
}

// compileFields compiles a `fields` string for the wire type of sample (a
// struct or pointer to one).
func (s *Server) compileFields(fields string, sample any) (plan, error) {
	t := reflect.TypeOf(sample)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ti := s.schemas.info(t)
	var sels []fieldSel
	if strings.TrimSpace(fields) != "" {
		var err error
		if sels, err = parseFields(fields); err != nil {
			return nil, err
		}
	}
	return ti.compile(sels)
}

// projectOne projects one record.
func (p plan) one(rec any) any { return p.project(reflect.ValueOf(rec)) }
