package parsers

import (
	"fmt"
	"time"
)

// Position formats an input position for messages and evidence: "file:line"
// when the line is known, "file@offset" otherwise.
func Position(file string, line int, offset int64) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Sprintf("%s@%d", file, offset)
}

// Warning is a problem found in one input: a line too long, bytes that could not
// be decoded, a truncated XML event. Reading goes on after a Warning.
type Warning struct {
	File   string // the input, as named to the reader
	Line   int    // 1-based line, 0 when unknown
	Offset int64  // byte offset in the file
	Msg    string // what is wrong and what was done about it
}

// Error formats the warning as "file:line: msg" (or "file@offset: msg").
func (w *Warning) Error() string {
	return Position(w.File, w.Line, w.Offset) + ": " + w.Msg
}

// MaxWarnings bounds the warnings kept per file; the rest are only counted.
const MaxWarnings = 100

// FileStats accounts for one input file: what it was, what was read from it and
// what was not. Readers fill it while they stream; it is complete when the
// event iteration ends.
type FileStats struct {
	File     string // the input, as named to the reader
	Format   Format // the format read
	Encoding string // "UTF-16LE", "UTF-16BE", "UTF-8", "UTF-8 (BOM)", "Windows-1252" ...
	Server   string // instance name found in the file, if any

	Bytes         int64        // bytes read
	Lines         int          // text lines (text inputs)
	Records       int          // timestamped records (ERRORLOG) or XML events
	Continuations int          // lines without a timestamp that continued a record
	Events        int          // events emitted
	ByKind        map[Kind]int // events emitted by kind
	// Unrecognized counts lines that could not be read as a record nor a
	// continuation (e.g. text before the first timestamp, XML that is not an event).
	Unrecognized int
	// Header counts descriptive lines that belong to the file's structure but
	// are not events: the preamble and the tabular sections of a cluster log.
	Header       int
	SkippedBytes int64 // bytes dropped: over-long lines, undecodable data, truncated tails
	// MissingZone counts XEvent timestamps without a "Z" that were taken as UTC.
	MissingZone int

	First, Last time.Time // range of event times (UTC when Clock is UTC)
	Clock       Clock     // ClockLocal when times could not be converted to UTC
	// ClockAssumed is true when the file did not say whether its times are
	// UTC or local and they were taken as UTC (a cluster log without its
	// header).
	ClockAssumed bool
	// UTCOffset is the offset (local - UTC) the file declared, when HasUTCOffset.
	UTCOffset    time.Duration
	HasUTCOffset bool // the file declared its offset

	Warnings      []Warning // the first MaxWarnings warnings
	TotalWarnings int       // all warnings, kept or not
}

// Warn records a warning, keeping at most MaxWarnings of them.
func (s *FileStats) Warn(w Warning) {
	s.TotalWarnings++
	if len(s.Warnings) < MaxWarnings {
		s.Warnings = append(s.Warnings, w)
	}
}

// Count records one emitted event.
func (s *FileStats) Count(ev *Event) {
	s.Events++
	if s.ByKind == nil {
		s.ByKind = make(map[Kind]int)
	}
	s.ByKind[ev.Kind]++
	if !ev.Time.IsZero() {
		if s.First.IsZero() || ev.Time.Before(s.First) {
			s.First = ev.Time
		}
		if ev.Time.After(s.Last) {
			s.Last = ev.Time
		}
	}
}
