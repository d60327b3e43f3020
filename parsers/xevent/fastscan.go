package xevent

import (
	"bytes"
	"unicode/utf8"

	"github.com/agtriage/agtriage/parsers"
)

// This file is the fast path's scanner: it reads one event of the common
// shape straight from the decoded bytes, accepting exactly what encoding/xml
// accepts and giving the same text, and answers fastNo for anything it is not
// sure about so that the decoder path reads it instead. The scanner has no side
// effects: the parser commits what it read (fast.go) only when it succeeded.

// fastStatus is the outcome of a fast scan.
type fastStatus uint8

const (
	fastOK   fastStatus = iota
	fastMore            // the window ends before the step does: read more and scan again
	fastNo              // not the common shape: leave it to the decoder
)

// attrMode says which attributes of a start tag the scanner keeps.
type attrMode uint8

const (
	attrsIgnore attrMode = iota // check them, keep nothing
	attrsEvent                  // the last name and timestamp
	attrsField                  // the first name
)

// childKind says where the text of an element inside a field goes.
type childKind uint8

const (
	childValue childKind = iota
	childText
	childType
)

// fastScan reads one step: optional white space, an optional XML declaration,
// optional white space and one <event> element, from w.
type fastScan struct {
	w []byte
	i int

	evStart  int // offset in w of "<event"
	tagEnd   int // offset in w after the event's start tag
	evName   []byte
	evTS     []byte
	hasName  bool
	hasTS    bool
	fldName  []byte
	fldNamed bool

	val, lbl []byte // the value and the label of the field being read
	tmp      []byte // one text token being checked, or dropped
	fields   []parsers.Field
	strs     interner
}

// isSpace reports XML white space, as encoding/xml's Decoder skips it.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// plain marks the bytes that stand for themselves in character data and
// attribute values: printable ASCII except the ones with a meaning, and the
// tab and line feed. Everything else is looked at one by one.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7F; c++ {
		t[c] = true
	}
	t['\t'], t['\n'], t[0x7F] = true, true, true
	for _, c := range []byte{'<', '&', ']', '"', '\''} {
		t[c] = false
	}
	return t
}()

// isNameStart and isNameByte accept the ASCII names the fast path reads:
// no colon (name spaces) and no other characters, which it leaves to the decoder.
func isNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isNameByte(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '.' || c == '-'
}

// inCharRange is the XML Char production, which encoding/xml enforces.
func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// skipSpace skips white space; it fails with fastMore at the end of w.
func (s *fastScan) skipSpace() fastStatus {
	for s.i < len(s.w) {
		if !isSpace(s.w[s.i]) {
			return fastOK
		}
		s.i++
	}
	return fastMore
}

// has reports whether w continues with p at i, or fastMore when w ends first.
func (s *fastScan) has(p string) (bool, fastStatus) {
	rest := s.w[s.i:]
	if len(rest) < len(p) {
		if string(rest) == p[:len(rest)] {
			return false, fastMore
		}
		return false, fastOK
	}
	return string(rest[:len(p)]) == p, fastOK
}

// name reads an element or attribute name.
func (s *fastScan) name() ([]byte, fastStatus) {
	start := s.i
	if s.i >= len(s.w) {
		return nil, fastMore
	}
	if !isNameStart(s.w[s.i]) {
		return nil, fastNo
	}
	for s.i++; s.i < len(s.w); s.i++ {
		c := s.w[s.i]
		if isNameByte(c) {
			continue
		}
		if c == ':' || c >= utf8.RuneSelf || s.i-start > maxName {
			return nil, fastNo
		}
		return s.w[start:s.i], fastOK
	}
	return nil, fastMore
}

// text decodes a text token at i and appends it to dst the way encoding/xml
// returns it: entities replaced, "\r\n" and "\r" turned into "\n", characters
// checked. quote > 0 reads an attribute value up to and past its closing quote;
// cdata reads the body of a CDATA section up to and past "]]>"; otherwise it
// reads character data up to the next '<'.
func (s *fastScan) text(dst []byte, quote byte, cdata bool) ([]byte, fastStatus) {
	w := s.w
	for {
		j := s.i
		for j < len(w) && plain[w[j]] {
			j++
		}
		dst = append(dst, w[s.i:j]...)
		s.i = j
		if j >= len(w) {
			return dst, fastMore
		}
		switch c := w[j]; {
		case c == '<':
			if cdata {
				dst = append(dst, c)
				s.i++
				continue
			}
			if quote != 0 {
				return dst, fastNo // unescaped < in an attribute value
			}
			return dst, fastOK
		case c == '"' || c == '\'':
			s.i++
			if c == quote {
				return dst, fastOK
			}
			dst = append(dst, c)
		case c == ']':
			if quote == 0 {
				ok, st := s.has("]]>")
				if st != fastOK {
					return dst, st
				}
				if ok {
					if !cdata {
						return dst, fastNo // "]]>" outside CDATA
					}
					s.i += 3
					return dst, fastOK
				}
			}
			dst = append(dst, c)
			s.i++
		case c == '&':
			if cdata {
				dst = append(dst, c)
				s.i++
				continue
			}
			var st fastStatus
			if dst, st = s.entity(dst); st != fastOK {
				return dst, st
			}
		case c == '\r':
			if j+1 >= len(w) {
				return dst, fastMore
			}
			dst = append(dst, '\n')
			s.i++
			if w[s.i] == '\n' {
				s.i++
			}
		case c < utf8.RuneSelf:
			return dst, fastNo // a control character
		default:
			if !utf8.FullRune(w[j:]) {
				return dst, fastMore
			}
			r, n := utf8.DecodeRune(w[j:])
			if r == utf8.RuneError && n == 1 || !inCharRange(r) {
				return dst, fastNo
			}
			dst = append(dst, w[j:j+n]...)
			s.i += n
		}
	}
}

// entity decodes the entity or character reference at i (on '&'). It knows
// the five predefined entities and numeric references to XML characters.
func (s *fastScan) entity(dst []byte) ([]byte, fastStatus) {
	s.i++
	for _, e := range [...]struct {
		name string
		c    byte
	}{{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"apos;", '\''}, {"quot;", '"'}} {
		ok, st := s.has(e.name)
		if st != fastOK {
			return dst, st
		}
		if ok {
			s.i += len(e.name)
			return append(dst, e.c), fastOK
		}
	}
	w := s.w
	if s.i >= len(w) {
		return dst, fastMore
	}
	if w[s.i] != '#' {
		return dst, fastNo
	}
	s.i++
	if s.i >= len(w) {
		return dst, fastMore
	}
	hex := w[s.i] == 'x'
	if hex {
		s.i++
	}
	start := s.i
	var n rune
	for ; s.i < len(w); s.i++ {
		c := w[s.i]
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case hex && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case hex && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		case c == ';' && s.i > start:
			if !inCharRange(n) {
				return dst, fastNo
			}
			s.i++
			return utf8.AppendRune(dst, n), fastOK
		default:
			return dst, fastNo
		}
		if hex {
			n = n*16 + d
		} else {
			n = n*10 + d
		}
		if n > utf8.MaxRune {
			return dst, fastNo
		}
	}
	return dst, fastMore
}

// attrs reads the attributes of a start tag after its name, up to and past
// '>' or "/>", keeping what mode asks for.
func (s *fastScan) attrs(mode attrMode) (empty bool, st fastStatus) {
	for {
		if st = s.skipSpace(); st != fastOK {
			return false, st
		}
		switch s.w[s.i] {
		case '>':
			s.i++
			return false, fastOK
		case '/':
			if s.i+1 >= len(s.w) {
				return false, fastMore
			}
			if s.w[s.i+1] != '>' {
				return false, fastNo
			}
			s.i += 2
			return true, fastOK
		}
		name, st := s.name()
		if st != fastOK {
			return false, st
		}
		if st = s.skipSpace(); st != fastOK {
			return false, st
		}
		if s.w[s.i] != '=' {
			return false, fastNo
		}
		s.i++
		if st = s.skipSpace(); st != fastOK {
			return false, st
		}
		q := s.w[s.i]
		if q != '"' && q != '\'' {
			return false, fastNo
		}
		s.i++
		switch {
		case mode == attrsEvent && string(name) == "name":
			s.evName, st = s.text(s.evName[:0], q, false)
			s.hasName = true
		case mode == attrsEvent && string(name) == "timestamp":
			s.evTS, st = s.text(s.evTS[:0], q, false)
			s.hasTS = true
		case mode == attrsField && string(name) == "name" && !s.fldNamed:
			s.fldName, st = s.text(s.fldName[:0], q, false)
			s.fldNamed = true
		default:
			s.tmp, st = s.text(s.tmp[:0], q, false)
		}
		if st != fastOK {
			return false, st
		}
	}
}

// endTag reads "</name>" at i (on "</") and checks the name.
func (s *fastScan) endTag(want []byte) fastStatus {
	s.i += 2
	name, st := s.name()
	if st != fastOK {
		return st
	}
	if !bytes.Equal(name, want) {
		return fastNo
	}
	if st = s.skipSpace(); st != fastOK {
		return st
	}
	if s.w[s.i] != '>' {
		return fastNo
	}
	s.i++
	return fastOK
}

// cdataOpen is how a CDATA section begins.
const cdataOpen = "<![CDATA["

// step scans one step from the start of w.
func (s *fastScan) step() fastStatus {
	s.i = 0
	if st := s.skipSpace(); st != fastOK {
		return st
	}
	ok, st := s.has("<?xml")
	if st != fastOK {
		return st
	}
	if ok {
		if st = s.decl(); st != fastOK {
			return st
		}
		if st = s.skipSpace(); st != fastOK {
			return st
		}
	}
	if s.w[s.i] != '<' {
		return fastNo
	}
	s.evStart = s.i
	s.i++
	name, st := s.name()
	if st != fastOK {
		return st
	}
	if string(name) != "event" {
		return fastNo
	}
	s.hasName, s.hasTS = false, false
	empty, st := s.attrs(attrsEvent)
	if st != fastOK {
		return st
	}
	if empty {
		return fastNo
	}
	s.tagEnd = s.i
	s.fields = s.fields[:0]
	for {
		// Between fields only white space is expected.
		if st = s.skipSpace(); st != fastOK {
			return st
		}
		if s.w[s.i] != '<' {
			return fastNo
		}
		if s.i+1 >= len(s.w) {
			return fastMore
		}
		switch s.w[s.i+1] {
		case '/':
			return s.endTag([]byte("event"))
		case '!', '?':
			return fastNo
		}
		if st = s.field(); st != fastOK {
			return st
		}
	}
}

// decl reads an XML declaration of the usual form, `<?xml version="1.0"
// [encoding=".."] [standalone=".."]?>`, which encoding/xml accepts without
// complaint since the reader's CharsetReader takes any encoding name.
func (s *fastScan) decl() fastStatus {
	s.i += len("<?xml")
	if s.i >= len(s.w) {
		return fastMore
	}
	if !isSpace(s.w[s.i]) {
		return fastNo
	}
	if st := s.skipSpace(); st != fastOK {
		return st
	}
	if st := s.pseudoAttr("version=", func(v []byte) bool { return string(v) == "1.0" }); st != fastOK {
		return st
	}
	seen := 0 // 1: encoding, 2: standalone
	for {
		ok, st := s.has("?>")
		if st != fastOK {
			return st
		}
		if ok {
			s.i += 2
			return fastOK
		}
		if s.i >= len(s.w) {
			return fastMore
		}
		if !isSpace(s.w[s.i]) {
			return fastNo
		}
		if st = s.skipSpace(); st != fastOK {
			return st
		}
		if ok, st = s.has("?>"); st != fastOK || ok {
			continue
		}
		if enc, st := s.has("encoding="); st != fastOK {
			return st
		} else if enc && seen < 1 {
			seen = 1
			st = s.pseudoAttr("encoding=", func(v []byte) bool {
				for _, c := range v {
					if !isNameByte(c) {
						return false
					}
				}
				return true
			})
			if st != fastOK {
				return st
			}
			continue
		}
		if sa, st := s.has("standalone="); st != fastOK {
			return st
		} else if sa && seen < 2 {
			seen = 2
			st = s.pseudoAttr("standalone=", func(v []byte) bool { return string(v) == "yes" || string(v) == "no" })
			if st != fastOK {
				return st
			}
			continue
		}
		return fastNo
	}
}

// pseudoAttr reads name="value" of an XML declaration and checks the value.
func (s *fastScan) pseudoAttr(name string, valid func([]byte) bool) fastStatus {
	ok, st := s.has(name)
	if st != fastOK {
		return st
	}
	if !ok {
		return fastNo
	}
	s.i += len(name)
	if s.i >= len(s.w) {
		return fastMore
	}
	q := s.w[s.i]
	if q != '"' && q != '\'' {
		return fastNo
	}
	end := bytes.IndexByte(s.w[s.i+1:], q)
	if end < 0 {
		return fastMore
	}
	v := s.w[s.i+1 : s.i+1+end]
	if !valid(v) {
		return fastNo
	}
	s.i += end + 2
	return fastOK
}
