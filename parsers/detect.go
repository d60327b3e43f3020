package parsers

import (
	"bytes"
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Format is the detected format of an input file.
type Format string

// Input formats agtriage recognizes from content.
const (
	FormatUnknown    Format = ""
	FormatErrorlog   Format = "errorlog"   // SQL Server ERRORLOG text
	FormatXEventXML  Format = "xevent-xml" // Extended Events XML (event_data documents, RingBufferTarget)
	FormatXEL        Format = "xel"        // binary .xel file
	FormatClusterlog Format = "clusterlog" // WSFC cluster.log text
	FormatBinary     Format = "binary"     // not text: NUL bytes or control characters
	FormatEmpty      Format = "empty"      // zero bytes
	FormatText       Format = "text"       // text, but not a log agtriage reads
)

// Windows event log formats.
const (
	FormatEVTX     Format = "evtx"         // Windows event log file (.evtx)
	FormatEventXML Format = "eventlog-xml" // Windows event log XML export (Event Viewer, wevtutil /f:xml)
)

// SniffLen is how many leading bytes Detect wants to see.
const SniffLen = 8192

// xelMagic starts every binary .xel file (u32 0xEFAB375A little-endian).
var xelMagic = []byte{0x5A, 0x37, 0xAB, 0xEF}

// evtxMagic starts every .evtx file.
var evtxMagic = []byte("ElfFile\x00")

// Detect tells an input's format from its first bytes (up to SniffLen). It
// decodes the sniffed prefix with the same rules as the readers (BOM, UTF-16
// without BOM, UTF-8 or Windows-1252) and looks at the first non-blank lines.
func Detect(prefix []byte) Format {
	if len(prefix) == 0 {
		return FormatEmpty
	}
	if bytes.HasPrefix(prefix, xelMagic) {
		return FormatXEL
	}
	if bytes.HasPrefix(prefix, evtxMagic) {
		return FormatEVTX
	}
	enc, bomLen := SniffEncoding(prefix)
	text := decodePrefix(prefix[bomLen:], enc)
	// Evidence first: a log damaged by a few NULs or garbage bytes (a
	// crash, a disk block of zeros) is still a log, read line by line with
	// the damage counted; only without evidence of a format do control
	// bytes make a file binary.
	clean, removed := StripControl(bytes.Clone(text))
	if f := detectText(clean); f != FormatText || removed == 0 {
		if f == FormatText && looksBinary(text) {
			return FormatBinary
		}
		return f
	}
	if looksBinary(text) {
		return FormatBinary
	}
	return FormatText
}

// detectText tells the format of decoded text without control bytes.
func detectText(text []byte) Format {
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	if len(trimmed) == 0 {
		return FormatText
	}
	if trimmed[0] != '<' && bytes.Contains(text, []byte("<event name=\"")) && bytes.Contains(text, []byte("timestamp=\"")) {
		// Query results saved from SSMS: a column header, then one event
		// document per row.
		return FormatXEventXML
	}
	if trimmed[0] == '<' {
		if bytes.Contains(text, []byte("schemas.microsoft.com/win/2004/08/events/event")) {
			return FormatEventXML
		}
		if bytes.Contains(text, []byte("<event")) || bytes.Contains(text, []byte("<RingBufferTarget")) ||
			bytes.Contains(text, []byte("<events")) {
			return FormatXEventXML
		}
		return FormatText
	}
	if detectEventText(trimmed) {
		return FormatEventText
	}
	if detectEventCSV(trimmed) {
		return FormatEventCSV // before detectTabular: "#TYPE" also starts dbatools exports
	}
	if f := detectTabular(trimmed); f != FormatUnknown {
		return f // exported error logs and other tabular text (detect_export.go)
	}
	// Look at the lines of the prefix: an ERRORLOG record starts with a
	// "YYYY-MM-DD HH:MM:SS" timestamp within its first lines; a cluster log
	// has "hex.hex::" lines or "[=== Cluster Logs ===]" section headers,
	// possibly after a long header.
	for n, ln := range bytes.Split(trimmed, []byte("\n")) {
		ln = bytes.TrimRight(ln, "\r")
		if n < 12 && IsErrorlogTimestamp(ln) {
			return FormatErrorlog
		}
		if isClusterLine(ln) || isClusterSection(ln) {
			return FormatClusterlog
		}
	}
	return FormatText
}

// IsErrorlogTimestamp reports whether b starts with "YYYY-MM-DD HH:MM:SS".
func IsErrorlogTimestamp(b []byte) bool {
	if len(b) < 19 {
		return false
	}
	for i := 0; i < 19; i++ {
		c := b[i]
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != ' ' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// isClusterLine reports whether b looks like "[Channel] 0000084c.000011d4::2017/..."
// or "0000084c.000011d4::2017/...".
func isClusterLine(b []byte) bool {
	// Hand-collected excerpts prefix each line with its cluster.log line number.
	if t := bytes.TrimLeft(b, " \t"); len(t) > 0 && t[0] >= '0' && t[0] <= '9' {
		i := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i < len(t) && (t[i] == ' ' || t[i] == '\t') && i <= 9 {
			b = bytes.TrimLeft(t[i:], " \t")
		}
	}
	if len(b) > 0 && b[0] == '[' {
		if i := bytes.IndexByte(b, ']'); i > 0 && i < 40 {
			b = bytes.TrimLeft(b[i+1:], " ")
		}
	}
	i := bytes.Index(b, []byte("::"))
	if i < 3 || i > 40 {
		return false
	}
	dot := bytes.IndexByte(b[:i], '.')
	if dot <= 0 {
		return false
	}
	for _, c := range b[:i] {
		if c != '.' && !isHex(c) {
			return false
		}
	}
	rest := b[i+2:]
	return len(rest) >= 10 && rest[4] == '/' && rest[7] == '/'
}

// isClusterSection reports whether b is a Get-ClusterLog section header such
// as "[=== Cluster Logs ===]".
func isClusterSection(b []byte) bool {
	b = bytes.TrimSpace(b)
	return bytes.HasPrefix(b, []byte("[===")) && bytes.HasSuffix(b, []byte("===]"))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// decodePrefix converts a sniffed prefix to UTF-8 for detection only; an odd
// trailing byte of UTF-16 is dropped.
func decodePrefix(b []byte, enc Encoding) []byte {
	switch enc {
	case UTF16LE, UTF16BE:
		u := make([]uint16, len(b)/2)
		for i := range u {
			if enc == UTF16LE {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		return []byte(string(utf16.Decode(u)))
	}
	return b
}

// looksBinary reports whether text holds NUL bytes or many control characters.
func looksBinary(text []byte) bool {
	ctl := 0
	for _, c := range text {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctl++
		}
	}
	return ctl > 8 && ctl*20 > len(text)
}

// isDamageByte reports whether c is a control byte that text logs never hold:
// C0 controls other than tab, line feed, form feed and carriage return.
func isDamageByte(c byte) bool {
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f'
}

// firstDamage returns the index of the first damage byte of b (len(b) when
// none). It tests eight bytes at a time: a word none of whose bytes is
// below 0x20 is skipped whole (every log line is tested, so this is on the
// hot path of every text reader).
func firstDamage(b []byte) int {
	const lo, hi = 0x2020202020202020, 0x8080808080808080
	i := 0
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if (x-lo)&^x&hi == 0 {
			i += 8 // no byte below 0x20 (the test has no false negatives)
			continue
		}
		for j := i; j < i+8; j++ {
			if isDamageByte(b[j]) {
				return j
			}
		}
		i += 8
	}
	for ; i < len(b); i++ {
		if isDamageByte(b[i]) {
			return i
		}
	}
	return i
}

// StripControl removes, in place, the control bytes that text logs never
// hold (NUL and the other C0 controls except tab, line feed, form feed and
// carriage return) and returns the cleaned text and how many bytes it
// removed. Line readers use it to read damaged lines instead of losing them.
func StripControl(b []byte) ([]byte, int) {
	i := firstDamage(b)
	if i == len(b) {
		return b, 0
	}
	out := b[:i]
	for _, c := range b[i:] {
		if !isDamageByte(c) {
			out = append(out, c)
		}
	}
	return out, len(b) - len(out)
}

// LooksGarbage reports whether a decoded line is not text: it holds the
// replacement character U+FFFD or is mostly (over a third) characters that
// are neither ASCII nor letters.
func LooksGarbage(line []byte) bool {
	if IsASCII(line) {
		return false
	}
	bad, n := 0, 0
	for _, r := range string(line) {
		n++
		switch {
		case r == utf8.RuneError:
			return true
		case r < 0x80, unicode.IsLetter(r):
		default:
			bad++
		}
	}
	return bad*3 > n
}
