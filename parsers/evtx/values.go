package evtx

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Value types of template instance values ([MS-EVEN6] 2.2.12, libyal).
const (
	typNull     = 0x00
	typString   = 0x01 // UTF-16LE
	typAnsi     = 0x02 // 8-bit, code page of the writer (read as Windows-1252)
	typInt8     = 0x03
	typUint8    = 0x04
	typInt16    = 0x05
	typUint16   = 0x06
	typInt32    = 0x07
	typUint32   = 0x08
	typInt64    = 0x09
	typUint64   = 0x0A
	typReal32   = 0x0B
	typReal64   = 0x0C
	typBool     = 0x0D // 32-bit
	typBinary   = 0x0E
	typGUID     = 0x0F
	typSizeT    = 0x10 // 32 or 64 bits, shown in hex
	typFileTime = 0x11
	typSysTime  = 0x12
	typSID      = 0x13
	typHex32    = 0x14
	typHex64    = 0x15
	typEvtHndl  = 0x20
	typBinXML   = 0x21
	typEvtXML   = 0x23
	typArray    = 0x80
)

// fileTimeEpoch is 1601-01-01 in Unix seconds.
const fileTimeEpoch = -11644473600

// fileTime converts a FILETIME (100 ns since 1601-01-01 UTC) to a time.
func fileTime(ft uint64) time.Time {
	sec := int64(ft / 1e7)
	return time.Unix(sec+fileTimeEpoch, int64(ft%1e7)*100).UTC()
}

// timeLayout renders FILETIME values with nine fractional digits, the
// last two always zero, as Windows and libevtx print them.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// render returns the text of a non-array value.
func (c *chunkCtx) render(v value) string {
	b := c.b[v.off : v.off+v.len]
	c.out += 2 * len(b)
	return renderScalar(v.typ, b)
}

func renderScalar(typ uint8, b []byte) string {
	le := binary.LittleEndian
	switch typ {
	case typNull:
		return ""
	case typString:
		s := strings.TrimRight(decodeUTF16(b), "\x00")
		if strings.Trim(s, "\r\n") == "" {
			// Event Viewer shows a value made only of line breaks as
			// empty (libyal's EVTX document), and so does libevtx.
			return ""
		}
		return s
	case typAnsi:
		s, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			s = b
		}
		return strings.TrimRight(string(s), "\x00")
	case typInt8:
		if len(b) == 1 {
			return strconv.Itoa(int(int8(b[0])))
		}
	case typUint8:
		if len(b) == 1 {
			return strconv.Itoa(int(b[0]))
		}
	case typInt16:
		if len(b) == 2 {
			return strconv.Itoa(int(int16(le.Uint16(b))))
		}
	case typUint16:
		if len(b) == 2 {
			return strconv.Itoa(int(le.Uint16(b)))
		}
	case typInt32:
		if len(b) == 4 {
			return strconv.Itoa(int(int32(le.Uint32(b))))
		}
	case typUint32:
		if len(b) == 4 {
			return strconv.FormatUint(uint64(le.Uint32(b)), 10)
		}
	case typInt64:
		if len(b) == 8 {
			return strconv.FormatInt(int64(le.Uint64(b)), 10)
		}
	case typUint64:
		if len(b) == 8 {
			return strconv.FormatUint(le.Uint64(b), 10)
		}
	case typReal32:
		if len(b) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)
		}
	case typReal64:
		if len(b) == 8 {
			return strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64)
		}
	case typBool:
		if len(b) == 4 || len(b) == 1 {
			if b[0] != 0 || len(b) == 4 && le.Uint32(b) != 0 {
				return "true"
			}
			return "false"
		}
	case typGUID:
		if len(b) == 16 {
			return guid(b)
		}
	case typSizeT, typHex32, typHex64:
		switch len(b) {
		case 4:
			return hex32(le.Uint32(b))
		case 8:
			return hex64(le.Uint64(b))
		}
	case typFileTime:
		if len(b) == 8 {
			return fileTime(le.Uint64(b)).Format(timeLayout)
		}
	case typSysTime:
		if len(b) == 16 {
			return sysTime(b)
		}
	case typSID:
		if s, ok := sid(b); ok {
			return s
		}
	}
	// Binary data, and values whose size does not fit their type.
	return strings.ToUpper(hex.EncodeToString(b))
}

const hexDigits = "0123456789abcdef"

func hex32(v uint32) string {
	var b [10]byte
	b[0], b[1] = '0', 'x'
	for i := 9; i >= 2; i-- {
		b[i] = hexDigits[v&0xF]
		v >>= 4
	}
	return string(b[:])
}

func hex64(v uint64) string {
	var b [18]byte
	b[0], b[1] = '0', 'x'
	for i := 17; i >= 2; i-- {
		b[i] = hexDigits[v&0xF]
		v >>= 4
	}
	return string(b[:])
}

// guid formats a little-endian GUID as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}.
func guid(b []byte) string {
	const up = "0123456789ABCDEF"
	out := make([]byte, 0, 38)
	put := func(x byte) { out = append(out, up[x>>4], up[x&0xF]) }
	out = append(out, '{')
	for _, i := range []int{3, 2, 1, 0} {
		put(b[i])
	}
	out = append(out, '-')
	put(b[5])
	put(b[4])
	out = append(out, '-')
	put(b[7])
	put(b[6])
	out = append(out, '-')
	put(b[8])
	put(b[9])
	out = append(out, '-')
	for _, x := range b[10:16] {
		put(x)
	}
	return string(append(out, '}'))
}

// sysTime formats a SYSTEMTIME (year, month, weekday, day, hour, minute,
// second, milliseconds as u16) in UTC with its millisecond precision.
func sysTime(b []byte) string {
	le := binary.LittleEndian
	f := func(i int) int { return int(le.Uint16(b[2*i:])) }
	t := time.Date(f(0), time.Month(f(1)), f(3), f(4), f(5), f(6), f(7)*1e6, time.UTC)
	return t.Format("2006-01-02T15:04:05.000Z")
}

// sid formats a security identifier: revision, sub-authority count,
// 48-bit big-endian authority, little-endian 32-bit sub-authorities.
func sid(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	n := int(b[1])
	if len(b) != 8+4*n {
		return "", false
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	var sb strings.Builder
	sb.WriteString("S-")
	sb.WriteString(strconv.Itoa(int(b[0])))
	sb.WriteByte('-')
	if auth >= 1<<32 {
		sb.WriteString("0x" + strings.ToUpper(hex.EncodeToString(b[2:8])))
	} else {
		sb.WriteString(strconv.FormatUint(auth, 10))
	}
	for i := 0; i < n; i++ {
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return sb.String(), true
}

// scalarSize is the size of one element of a fixed-size array type.
func scalarSize(typ uint8) int {
	switch typ {
	case typInt8, typUint8:
		return 1
	case typInt16, typUint16:
		return 2
	case typInt32, typUint32, typReal32, typBool, typHex32:
		return 4
	case typInt64, typUint64, typReal64, typFileTime, typHex64:
		return 8
	case typGUID, typSysTime:
		return 16
	}
	return 0
}

// arrayValues splits an array value into the texts of its elements.
func (c *chunkCtx) arrayValues(v value) []string {
	b := c.b[v.off : v.off+v.len]
	c.out += 2 * len(b)
	typ := v.typ &^ typArray
	var out []string
	switch typ {
	case typString:
		for len(b) >= 2 {
			i := 0
			for i+1 < len(b) && (b[i] != 0 || b[i+1] != 0) {
				i += 2
			}
			out = append(out, decodeUTF16(b[:i]))
			b = b[min(i+2, len(b)):]
		}
	case typAnsi:
		for _, s := range strings.Split(strings.TrimRight(string(b), "\x00"), "\x00") {
			out = append(out, renderScalar(typAnsi, []byte(s)))
		}
	case typSID:
		for len(b) >= 8 {
			n := 8 + 4*int(b[1])
			if n > len(b) {
				break
			}
			out = append(out, renderScalar(typSID, b[:n]))
			b = b[n:]
		}
	case typSizeT:
		size := 8
		if len(b)%8 != 0 {
			size = 4
		}
		for ; len(b) >= size; b = b[size:] {
			out = append(out, renderScalar(typSizeT, b[:size]))
		}
	default:
		size := scalarSize(typ)
		if size == 0 {
			return []string{renderScalar(typBinary, b)}
		}
		for ; len(b) >= size; b = b[size:] {
			out = append(out, renderScalar(typ, b[:size]))
		}
	}
	return out
}
