package jsonreport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"

	"github.com/agtriage/agtriage/analyzer/report"
)

// Write writes the report as indented JSON with the field names
// documented in the README. It streams: the report's lists are written one
// element at a time, so a report of 50,000 inputs does not need its whole
// text (two or three times over, with indentation) in memory. The bytes are
// those of json.Encoder with SetIndent("", "  ") and SetEscapeHTML(false).
func Write(w io.Writer, r *report.Report) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	if err := writeJSONStruct(bw, reflect.ValueOf(r).Elem()); err != nil {
		return err
	}
	bw.WriteString("\n")
	return bw.Flush()
}

// writeJSONStruct writes the fields of a struct whose fields are plain
// values or slices (the Report), slices element by element.
func writeJSONStruct(w *bufio.Writer, v reflect.Value) error {
	t := v.Type()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	encode := func(x any, prefix string) ([]byte, error) {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(x); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	w.WriteString("{")
	first := true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if strings.Contains(","+opts+",", ",omitempty,") && isEmptyJSON(fv) ||
			strings.Contains(","+opts+",", ",omitzero,") && fv.IsZero() {
			continue
		}
		if !first {
			w.WriteString(",")
		}
		first = false
		key, _ := json.Marshal(name)
		w.WriteString("\n  ")
		w.Write(key)
		w.WriteString(": ")
		if fv.Kind() != reflect.Slice || fv.IsNil() || fv.Len() == 0 {
			b, err := encode(fv.Interface(), "  ")
			if err != nil {
				return err
			}
			w.Write(b)
			continue
		}
		w.WriteString("[")
		for j := 0; j < fv.Len(); j++ {
			if j > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n    ")
			b, err := encode(fv.Index(j).Interface(), "    ")
			if err != nil {
				return err
			}
			w.Write(b)
		}
		w.WriteString("\n  ]")
	}
	if !first {
		w.WriteString("\n")
	}
	w.WriteString("}")
	return nil
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
