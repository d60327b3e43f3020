package evtxwrite

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// The typed substitution values of a template instance ([MS-EVEN6] 2.2.12)
// and their constructors.

// Value is a typed substitution value.
type Value struct {
	Type byte
	Data []byte
	// Elem is the element of a TypeBinXML value.
	Elem *Elem
}

// Elem is an element of nested Binary XML (UserData): name, attributes,
// text or children.
type Elem struct {
	Name     string
	Attrs    [][2]string
	Text     string
	Children []*Elem
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// String is a UTF-16 string value.
func String(s string) Value { return Value{Type: TypeString, Data: utf16le(s)} }

// Ansi is an 8-bit string value.
func Ansi(s string) Value { return Value{Type: TypeAnsi, Data: []byte(s)} }

// Uint8 ... Hex64 are integer values.
func Uint8(v uint8) Value { return Value{Type: TypeUint8, Data: []byte{v}} }

// Int8 is a signed 8-bit value.
func Int8(v int8) Value { return Value{Type: TypeInt8, Data: []byte{byte(v)}} }

// Uint16 is an unsigned 16-bit value.
func Uint16(v uint16) Value {
	return Value{Type: TypeUint16, Data: binary.LittleEndian.AppendUint16(nil, v)}
}

// Int16 is a signed 16-bit value.
func Int16(v int16) Value {
	return Value{Type: TypeInt16, Data: binary.LittleEndian.AppendUint16(nil, uint16(v))}
}

// Uint32 is an unsigned 32-bit value.
func Uint32(v uint32) Value {
	return Value{Type: TypeUint32, Data: binary.LittleEndian.AppendUint32(nil, v)}
}

// Int32 is a signed 32-bit value.
func Int32(v int32) Value {
	return Value{Type: TypeInt32, Data: binary.LittleEndian.AppendUint32(nil, uint32(v))}
}

// Uint64 is an unsigned 64-bit value.
func Uint64(v uint64) Value {
	return Value{Type: TypeUint64, Data: binary.LittleEndian.AppendUint64(nil, v)}
}

// Int64 is a signed 64-bit value.
func Int64(v int64) Value {
	return Value{Type: TypeInt64, Data: binary.LittleEndian.AppendUint64(nil, uint64(v))}
}

// Hex32 is a 32-bit value shown in hex.
func Hex32(v uint32) Value {
	return Value{Type: TypeHex32, Data: binary.LittleEndian.AppendUint32(nil, v)}
}

// Hex64 is a 64-bit value shown in hex.
func Hex64(v uint64) Value {
	return Value{Type: TypeHex64, Data: binary.LittleEndian.AppendUint64(nil, v)}
}

// Real64 is a double.
func Real64(v float64) Value {
	return Value{Type: TypeReal64, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))}
}

// Bool is a 32-bit boolean.
func Bool(v bool) Value {
	var x uint32
	if v {
		x = 1
	}
	return Value{Type: TypeBool, Data: binary.LittleEndian.AppendUint32(nil, x)}
}

// Binary is raw bytes.
func Binary(b []byte) Value { return Value{Type: TypeBinary, Data: b} }

// FileTime is a FILETIME value.
func FileTime(t time.Time) Value {
	return Value{Type: TypeFileTime, Data: binary.LittleEndian.AppendUint64(nil, toFileTime(t))}
}

func toFileTime(t time.Time) uint64 {
	return uint64(t.Unix()+11644473600)*1e7 + uint64(t.Nanosecond()/100)
}

// SysTime is a SYSTEMTIME value (milliseconds).
func SysTime(t time.Time) Value {
	t = t.UTC()
	var b []byte
	for _, v := range []int{t.Year(), int(t.Month()), int(t.Weekday()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1e6} {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return Value{Type: TypeSysTime, Data: b}
}

// GUID parses "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" into a GUID value.
func GUID(s string) Value {
	h := strings.NewReplacer("{", "", "}", "", "-", "").Replace(s)
	var raw [16]byte
	for i := range raw {
		v, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		raw[i] = byte(v)
	}
	b := []byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]}
	b = append(b, raw[8:]...)
	return Value{Type: TypeGUID, Data: b}
}

// SID parses "S-1-5-21-..." into a SID value.
func SID(s string) Value {
	parts := strings.Split(s, "-")
	rev, _ := strconv.Atoi(parts[1])
	auth, _ := strconv.ParseUint(parts[2], 10, 48)
	b := []byte{byte(rev), byte(len(parts) - 3)}
	for i := 5; i >= 0; i-- {
		b = append(b, byte(auth>>(8*i)))
	}
	for _, p := range parts[3:] {
		v, _ := strconv.ParseUint(p, 10, 32)
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return Value{Type: TypeSID, Data: b}
}

// StringArray is an array of UTF-16 strings (each NUL-terminated).
func StringArray(ss ...string) Value {
	var b []byte
	for _, s := range ss {
		b = append(b, utf16le(s)...)
		b = append(b, 0, 0)
	}
	return Value{Type: TypeArray | TypeString, Data: b}
}

// Uint32Array is an array of unsigned 32-bit integers.
func Uint32Array(vs ...uint32) Value {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return Value{Type: TypeArray | TypeUint32, Data: b}
}

// XML is a nested Binary XML value holding e.
func XML(e *Elem) Value { return Value{Type: TypeBinXML, Elem: e} }

// Null is an absent value: an optional element or attribute is left out.
func Null() Value { return Value{Type: TypeNull} }
