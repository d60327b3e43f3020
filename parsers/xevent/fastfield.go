package xevent

import (
	"bytes"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// The fast path's reading of an event's fields (<data>, <action> and
// their <value>, <text> and <type> children) and the interner of their names.

// field reads one child of <event> (a <data>, an <action> or another element,
// kept under its own name) at i, on its '<'.
func (s *fastScan) field() fastStatus {
	s.i++
	elem, st := s.name()
	if st != fastOK {
		return st
	}
	if string(elem) == "event" {
		return fastNo
	}
	named := string(elem) == "data" || string(elem) == "action"
	mode := attrsIgnore
	if named {
		mode = attrsField
		s.fldNamed = false
	}
	empty, st := s.attrs(mode)
	if st != fastOK {
		return st
	}
	var name string
	switch {
	case !named:
		name = s.strs.get(elem)
	case s.fldNamed:
		name = s.strs.get(s.fldName[:min(len(s.fldName), maxName)])
	}
	s.val, s.lbl = s.val[:0], s.lbl[:0]
	hasText := false
	if !empty {
	content:
		for {
			if s.i >= len(s.w) {
				return fastMore
			}
			if s.w[s.i] != '<' {
				// Character data directly in the field: white space (the
				// indentation between children) is dropped, anything else
				// is part of the value.
				s.tmp, st = s.text(s.tmp[:0], 0, false)
				if st != fastOK {
					return st
				}
				if len(bytes.TrimSpace(s.tmp)) > 0 {
					s.val = append(s.val, s.tmp...)
				}
				continue
			}
			cd, st := s.has(cdataOpen)
			if st != fastOK {
				return st
			}
			if cd {
				s.i += len(cdataOpen)
				s.tmp, st = s.text(s.tmp[:0], 0, true)
				if st != fastOK {
					return st
				}
				if len(bytes.TrimSpace(s.tmp)) > 0 {
					s.val = append(s.val, s.tmp...)
				}
				continue
			}
			if s.i+1 >= len(s.w) {
				return fastMore
			}
			switch s.w[s.i+1] {
			case '/':
				if st = s.endTag(elem); st != fastOK {
					return st
				}
				break content
			case '!', '?':
				return fastNo
			}
			s.i++
			child, st := s.name()
			if st != fastOK {
				return st
			}
			var kind childKind
			switch string(child) {
			case "value":
				kind = childValue
			case "text":
				kind = childText
				hasText = true
			case "type":
				kind = childType
			default:
				return fastNo // nested XML, or a new <event>
			}
			empty, st := s.attrs(attrsIgnore)
			if st != fastOK {
				return st
			}
			if !empty {
				if st = s.child(child, kind); st != fastOK {
					return st
				}
			}
		}
	}
	// As endField: the label when there is one, and the number under
	// name+"_value" when it differs; past xe.MaxFields the decoder path warns.
	if len(s.fields) >= xe.MaxFields {
		return fastNo
	}
	if hasText && len(s.lbl) > 0 {
		label := s.strs.get(s.lbl)
		s.fields = append(s.fields, parsers.Field{Name: name, Value: label})
		if len(s.val) > 0 && string(s.val) != label {
			s.fields = append(s.fields, parsers.Field{Name: s.strs.valueName(name), Value: s.strs.get(s.val)})
		}
		return fastOK
	}
	s.fields = append(s.fields, parsers.Field{Name: name, Value: s.strs.get(s.val)})
	return fastOK
}

// child reads the content of a <value>, <text> or <type> after its start
// tag, up to and past its end tag: text and CDATA sections only.
func (s *fastScan) child(elem []byte, kind childKind) fastStatus {
	for {
		if s.i >= len(s.w) {
			return fastMore
		}
		var dst *[]byte
		switch kind {
		case childValue:
			dst = &s.val
		case childText:
			dst = &s.lbl
		default:
			s.tmp = s.tmp[:0]
			dst = &s.tmp
		}
		var st fastStatus
		if s.w[s.i] != '<' {
			if *dst, st = s.text(*dst, 0, false); st != fastOK {
				return st
			}
			continue
		}
		cd, st := s.has(cdataOpen)
		if st != fastOK {
			return st
		}
		if cd {
			s.i += len(cdataOpen)
			if *dst, st = s.text(*dst, 0, true); st != fastOK {
				return st
			}
			continue
		}
		if s.i+1 >= len(s.w) {
			return fastMore
		}
		if s.w[s.i+1] != '/' {
			return fastNo // nested XML, a comment, a processing instruction
		}
		return s.endTag(elem)
	}
}

// interner shares the strings of names and short values that repeat from
// event to event; it holds a bounded number of them.
type interner struct {
	m     map[string]string
	names map[string]string // field name -> name+"_value"
}

const (
	internMax    = 8192 // strings kept
	internMaxLen = 64   // longest string kept
)

func (t *interner) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := t.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if t.m == nil {
		t.m = make(map[string]string)
	}
	if len(t.m) < internMax {
		t.m[s] = s
	}
	return s
}

func (t *interner) valueName(name string) string {
	if s, ok := t.names[name]; ok {
		return s
	}
	s := name + "_value"
	if t.names == nil {
		t.names = make(map[string]string)
	}
	if len(t.names) < internMax {
		t.names[name] = s
	}
	return s
}
