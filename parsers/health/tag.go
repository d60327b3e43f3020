package health

import (
	"encoding/xml"
	"strings"
)

// tagAttr is an attribute of a start tag.
type tagAttr struct{ name, value string }

// scanTag reads the element name and attributes of a start tag (the root of
// a payload, cut out by rootTag): name="value" pairs with double or single
// quotes, the five predefined entities and character references. Most
// results are clean and need nothing else; building a document for them
// would cost more than reading the result. A tag it does not understand
// (a namespace prefix, another entity, a stray character) is left to
// encoding/xml, and ok is false when that fails too.
func scanTag(tag string) (name string, attrs []tagAttr, ok bool) {
	if name, attrs, ok = scanTagFast(tag); ok {
		return name, attrs, true
	}
	t, err := xml.NewDecoder(strings.NewReader(tag)).RawToken()
	if err != nil {
		return "", nil, false
	}
	se, isStart := t.(xml.StartElement)
	if !isStart {
		return "", nil, false
	}
	attrs = attrs[:0]
	for _, a := range se.Attr {
		if a.Name.Space == "" {
			attrs = append(attrs, tagAttr{a.Name.Local, a.Value})
		}
	}
	return se.Name.Local, attrs, true
}

func scanTagFast(tag string) (string, []tagAttr, bool) {
	if len(tag) < 3 || tag[0] != '<' {
		return "", nil, false
	}
	i := 1
	name, i := scanName(tag, i)
	if name == "" {
		return "", nil, false
	}
	attrs := make([]tagAttr, 0, 16)
	for {
		j := skipSpace(tag, i)
		if j >= len(tag) {
			return "", nil, false
		}
		if tag[j] == '/' || tag[j] == '>' {
			return name, attrs, true
		}
		if j == i { // attributes are separated by white space
			return "", nil, false
		}
		var an string
		an, j = scanName(tag, j)
		if an == "" {
			return "", nil, false
		}
		j = skipSpace(tag, j)
		if j >= len(tag) || tag[j] != '=' {
			return "", nil, false
		}
		j = skipSpace(tag, j+1)
		if j >= len(tag) || tag[j] != '"' && tag[j] != '\'' {
			return "", nil, false
		}
		q := tag[j]
		end := strings.IndexByte(tag[j+1:], q)
		if end < 0 {
			return "", nil, false
		}
		raw := tag[j+1 : j+1+end]
		if strings.ContainsAny(raw, "<&") {
			return "", nil, false // entities and oddities: encoding/xml
		}
		attrs = append(attrs, tagAttr{an, raw})
		i = j + 2 + end
	}
}

// scanName reads a name without a namespace prefix at s[i:].
func scanName(s string, i int) (string, int) {
	j := i
	for j < len(s) {
		c := s[j]
		if c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > i && c >= '0' && c <= '9' {
			j++
			continue
		}
		break
	}
	return s[i:j], j
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
