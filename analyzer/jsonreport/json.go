package jsonreport

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"io"
	"reflect"
	"strings"

	"github.com/agtriage/agtriage/analyzer/report"
)

// Write writes the report as indented JSON with the field names
// documented in the README. It streams: structs and lists at every depth are
// written one field and one element at a time, so a report of 100,000
// inputs (and a server that lists them all) does not need its whole text
// (two or three times over, with indentation) in memory. The bytes are
// those of json.Encoder with SetIndent("", "  ") and SetEscapeHTML(false).
func Write(w io.Writer, r *report.Report) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	s := &streamer{w: bw}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	if err := s.value(reflect.ValueOf(r).Elem(), ""); err != nil {
		return err
	}
	bw.WriteString("\n")
	return bw.Flush()
}

// streamer writes values the way json.Encoder with indentation would,
// descending into plain structs and slices itself and leaving everything
// else (strings, numbers, times, maps, types with their own marshaling) to
// encoding/json.
type streamer struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

var (
	marshaler     = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// plain reports whether t is a struct the streamer may write field by
// field: no marshaling methods of its own and no embedded fields (whose
// promotion rules encoding/json applies).
func plain(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.Implements(marshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(marshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Anonymous {
			return false
		}
	}
	return true
}

// longList is the length from which a list inside a struct is streamed.
const longList = 256

// holdsLongList reports whether a field of the struct v is a list of
// longList elements or more.
func holdsLongList(v reflect.Value) bool {
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.Len() >= longList {
			return true
		}
	}
	return false
}

// value writes v, whose first line is already indented by indent.
func (s *streamer) value(v reflect.Value, indent string) error {
	switch {
	case v.Kind() == reflect.Pointer && !v.IsNil() && !v.Type().Implements(marshaler) && !v.Type().Implements(textMarshaler):
		return s.value(v.Elem(), indent)
	case v.Kind() == reflect.Struct && plain(v.Type()) && (indent == "" || holdsLongList(v)):
		// The report itself, and a struct that holds a long list (a
		// server's 100,000 files); a small struct is encoded whole, which
		// is faster.
		return s.object(v, indent)
	case v.Kind() == reflect.Slice && !v.IsNil() && v.Len() > 0 && v.Type().Elem().Kind() != reflect.Uint8 &&
		!v.Type().Implements(marshaler) && !v.Type().Implements(textMarshaler):
		s.w.WriteString("[")
		inner := indent + "  "
		for j := 0; j < v.Len(); j++ {
			if j > 0 {
				s.w.WriteString(",")
			}
			s.w.WriteString("\n" + inner)
			if err := s.value(v.Index(j), inner); err != nil {
				return err
			}
		}
		s.w.WriteString("\n" + indent + "]")
		return nil
	}
	return s.encodeWhole(v, indent)
}

// object writes the exported fields of a plain struct as encoding/json
// would: json tags, "-", omitempty and omitzero.
func (s *streamer) object(v reflect.Value, indent string) error {
	t := v.Type()
	inner := indent + "  "
	first := true
	s.w.WriteString("{")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if strings.Contains(","+opts+",", ",omitempty,") && isEmptyJSON(fv) ||
			strings.Contains(","+opts+",", ",omitzero,") && isZeroJSON(fv) {
			continue
		}
		if strings.Contains(","+opts+",", ",string,") {
			return s.encodeWhole(v, indent) // rare: let encoding/json do it all
		}
		if !first {
			s.w.WriteString(",")
		}
		first = false
		key, _ := json.Marshal(name)
		s.w.WriteString("\n" + inner)
		s.w.Write(key)
		s.w.WriteString(": ")
		if err := s.value(fv, inner); err != nil {
			return err
		}
	}
	if !first {
		s.w.WriteString("\n" + indent)
	}
	s.w.WriteString("}")
	return nil
}

// encodeWhole writes v with encoding/json alone.
func (s *streamer) encodeWhole(v reflect.Value, indent string) error {
	s.buf.Reset()
	s.enc.SetIndent(indent, "  ")
	if err := s.enc.Encode(v.Interface()); err != nil {
		return err
	}
	s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	return nil
}

// isZeroJSON is encoding/json's omitzero test: an IsZero method when the
// type has one, reflect's zero otherwise.
func isZeroJSON(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}

// isEmptyJSON is encoding/json's omitempty test.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
