package parsers

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClassifyMessage recognizes ev.Message by the SQL Server message template table
// and fills ev.Kind, ev.Error (when zero) and the structured fields (AG, From,
// To, Reason, Database, Replica, ReplicaID, Login, Client, HandshakeState).
// When ev.Error is already set (an "Error: N" header or an XEvent
// error_number), the template of that number is tried first. It reports
// whether a template matched; unmatched events keep Kind KindMessage.
//
// Only the first line of the message is read. Structured fields that are
// already set are kept; Kind is replaced on a match. When no text matches but
// ev.Error is a number of the table whose meaning does not depend on the text
// (e.g. a localized 19407), Kind is set from the number alone and the result
// is true.
func ClassifyMessage(ev *Event) bool {
	if ev.Kind == "" {
		ev.Kind = KindMessage
	}
	body := messageBody(ev.Message)
	if body != "" {
		if ev.Error != 0 {
			for _, t := range table.byNum[ev.Error] {
				if t.apply(ev, body) {
					return true
				}
			}
		}
		for _, t := range table.lookup(body) {
			if ev.Error != 0 && t.num == ev.Error {
				continue // already tried
			}
			if t.apply(ev, body) {
				return true
			}
		}
	}
	return classifyByNumber(ev)
}

// classifyByNumber sets Kind from ev.Error alone.
func classifyByNumber(ev *Event) bool {
	if ev.Error == 0 {
		return false // no template has number 0: skip the map lookup
	}
	for _, t := range table.byNum[ev.Error] {
		if !t.needText {
			ev.Kind = t.kind
			if ev.To == "" {
				ev.To = t.to
			}
			return true
		}
	}
	return false
}

// messageBody returns the part of a message the templates are matched
// against: its first line without surrounding blanks, without the "* " of
// stack-dump banners and without the feature prefix that changed between
// versions ("Always On:", "AlwaysOn:", "Always On Availability Groups:",
// and "Always On Availability Groups " before "connection with ..." or
// "data movement ...").
func messageBody(msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	// strings.Trim with a cutset builds a set on every call: trim by hand.
	for len(msg) > 0 && (msg[0] == ' ' || msg[0] == '\t' || msg[0] == '\r') {
		msg = msg[1:]
	}
	for len(msg) > 0 && (msg[len(msg)-1] == ' ' || msg[len(msg)-1] == '\t' || msg[len(msg)-1] == '\r') {
		msg = msg[:len(msg)-1]
	}
	if len(msg) == 0 {
		return ""
	}
	switch msg[0] {
	case '*':
		return strings.TrimLeft(msg, "* \t")
	case 'A':
		return stripFeaturePrefix(msg)
	}
	return msg
}

// stripFeaturePrefix removes a leading "Always On" / "AlwaysOn", optionally
// followed by " Availability Groups", when it ends in a colon or is followed
// by more text after " Availability Groups".
func stripFeaturePrefix(msg string) string {
	var rest string
	switch {
	case strings.HasPrefix(msg, "Always On"):
		rest = msg[len("Always On"):]
	case strings.HasPrefix(msg, "AlwaysOn"):
		rest = msg[len("AlwaysOn"):]
	default:
		return msg
	}
	groups := false
	if n, ok := matchLit(rest, " Availability Groups"); ok {
		rest, groups = rest[n:], true
	}
	switch {
	case strings.HasPrefix(rest, ":"):
		rest = rest[1:]
	case groups && len(rest) > 0 && isBlank(rest[0]):
	default:
		return msg
	}
	return strings.TrimLeft(rest, " \t")
}

// template is one row of the message table.
type template struct {
	num     int    // SQL Server error number; 0 when the text has none
	kind    Kind   // Kind of a matching event
	pattern string // see messages_match.go
	to      string // constant To implied by the template
	reason  string // constant Reason (a short label) implied by the template
	fields  []Field
	// post extracts what the pattern language cannot express; returning false
	// rejects the match.
	post func(ev *Event, m *match) bool
	// needText means the number alone does not tell the kind (41092 has two
	// meanings, 9002 matters only for AVAILABILITY_REPLICA, 19424 and 35262
	// are noise).
	needText bool

	segs []segment
}

// match is a successful pattern match, handed to post functions.
type match struct {
	body string
	t    *template
	caps []span
	end  int // end of the matched prefix in body
}

// get returns the trimmed text of the named capture.
func (m *match) get(name string) string {
	i := 0
	for _, sg := range m.t.segs {
		if sg.capture == "" {
			continue
		}
		if sg.capture == name {
			sp := m.caps[i]
			return strings.TrimSpace(m.body[sp.start:sp.end])
		}
		i++
	}
	return ""
}

// spanOf returns the span of the named capture.
func (m *match) spanOf(name string) (span, bool) {
	i := 0
	for _, sg := range m.t.segs {
		if sg.capture == "" {
			continue
		}
		if sg.capture == name {
			return m.caps[i], true
		}
		i++
	}
	return span{}, false
}

// applyScratch is the working space of one apply call.
type applyScratch struct {
	e    Event
	m    match
	caps [8]span
}

var scratchPool = sync.Pool{New: func() any { return new(applyScratch) }}

// apply matches t against body and, on success, fills ev.
func (t *template) apply(ev *Event, body string) bool {
	var buf [8]span
	local, end, ok := matchSegments(body, t.segs, buf[:0])
	if !ok {
		return false
	}
	// The working copy of the event and the match live in pooled scratch
	// space: the post functions see pointers to them, which would otherwise
	// move both to the heap on every match.
	sc := scratchPool.Get().(*applyScratch)
	defer func() {
		sc.e, sc.m = Event{}, match{} // drop references before reuse
		scratchPool.Put(sc)
	}()
	caps := append(sc.caps[:0], local...)
	sc.e = *ev
	e := &sc.e
	// Clip the caller's Fields so that appends never write into its backing
	// array (a rejected match must leave ev untouched).
	e.Fields = e.Fields[:len(e.Fields):len(e.Fields)]
	sc.m = match{body: body, t: t, caps: caps, end: end}
	m := &sc.m
	i := 0
	for _, sg := range t.segs {
		if sg.capture == "" {
			continue
		}
		sp := caps[i]
		i++
		v := strings.TrimSpace(body[sp.start:sp.end])
		switch name := sg.capture; name {
		case "ag":
			setStr(&e.AG, v)
		case "replica":
			setStr(&e.Replica, v)
		case "replica_id":
			setStr(&e.ReplicaID, v)
		case "database":
			setStr(&e.Database, v)
		case "from":
			setStr(&e.From, v)
		case "to":
			setStr(&e.To, v)
		case "reason":
			setStr(&e.Reason, v)
		case "login":
			setStr(&e.Login, v)
		case "client":
			setStr(&e.Client, v)
		case "state":
			if e.HandshakeState == 0 && isDigits(v) {
				e.HandshakeState = atoi(v)
			}
		default:
			if f, ok := strings.CutPrefix(name, "f:"); ok {
				setField(e, f, v)
			}
			// "_" and "x:..." captures are only read by post functions.
		}
	}
	e.Kind = t.kind
	setStr(&e.To, t.to)
	setStr(&e.Reason, t.reason)
	for _, f := range t.fields {
		setField(e, f.Name, f.Value)
	}
	if t.post != nil && !t.post(e, m) {
		return false
	}
	if e.Error == 0 {
		e.Error = t.num
	}
	*ev = *e
	return true
}

func setStr(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// setField adds an extra field unless one of that name is already present.
func setField(e *Event, name, value string) {
	if value == "" || e.Field(name) != "" {
		return
	}
	if len(e.Fields) == cap(e.Fields) {
		fs := make([]Field, len(e.Fields), len(e.Fields)+4)
		copy(fs, e.Fields)
		e.Fields = fs
	}
	e.Fields = append(e.Fields, Field{Name: name, Value: value})
}

// templateIndex finds candidate templates for a message body.
type templateIndex struct {
	// first is the prefilter of lookup: bit n of first[c] is set when some
	// template's first word starts with byte c and is n bytes long (63 for
	// 63 or more). Most log lines fail it, at the cost of one load.
	first  [256]uint64
	all    []*template
	byKey  map[string][]*template // first two words of the pattern
	byWord map[string][]*template // first word, for patterns whose second word is an insert
	byNum  map[int][]*template
}

// lookup returns the templates whose first words are those of body.
func (x *templateIndex) lookup(body string) []*template {
	i := strings.IndexByte(body, ' ')
	if i <= 0 || x.first[body[0]]&(1<<min(i, 63)) == 0 {
		return nil
	}
	j := i + 1
	for j < len(body) && body[j] == ' ' {
		j++
	}
	k := strings.IndexByte(body[j:], ' ')
	if k < 0 {
		k = len(body) - j
	}
	var key string
	if j == i+1 {
		key = body[:j+k]
	} else {
		key = body[:i] + " " + body[j:j+k] // rare: several spaces after the first word
	}
	if ts, ok := x.byKey[key]; ok {
		return ts
	}
	return x.byWord[body[:i]]
}

// table is the compiled message table. It is built in init because post
// functions of the table read it (the 28047/28048 wrappers reuse the inner
// handshake templates).
var table *templateIndex

func init() { table = buildIndex(messageTemplates) }

// buildIndex compiles the templates and indexes them. A malformed table is a
// programming error caught by the package tests, so it panics at init.
func buildIndex(ts []template) *templateIndex {
	x := &templateIndex{
		byKey:  make(map[string][]*template),
		byWord: make(map[string][]*template),
		byNum:  make(map[int][]*template),
	}
	for i := range ts {
		t := &ts[i]
		segs, err := compilePattern(t.pattern)
		if err != nil {
			panic(err)
		}
		t.segs = segs
		x.all = append(x.all, t)
		if t.num != 0 {
			x.byNum[t.num] = append(x.byNum[t.num], t)
		}
		w1, w2, ok := leadingWords(segs[0].lit)
		if ok && w1 != "" {
			x.first[w1[0]] |= 1 << min(len(w1), 63)
		}
		switch {
		case ok && w2 != "":
			x.byKey[w1+" "+w2] = append(x.byKey[w1+" "+w2], t)
		case ok:
			x.byWord[w1] = append(x.byWord[w1], t)
		default:
			panic(fmt.Sprintf("message table: pattern %q does not start with a whole word", t.pattern))
		}
	}
	return x
}

// leadingWords returns the first two complete words of a pattern literal. A
// word is complete when a space follows it in the literal (or the literal is
// the whole pattern and ends there).
func leadingWords(lit string) (w1, w2 string, ok bool) {
	words := strings.Split(lit, " ")
	// The last element is unterminated unless the literal ends in a space.
	complete := len(words) - 1
	if complete >= 2 {
		return words[0], words[1], true
	}
	if complete == 1 {
		return words[0], "", true
	}
	return "", "", false
}

// ParseUTCAdjustment parses the offset of an ERRORLOG "UTC adjustment: -7:00"
// line (the "UTC adjustment:" label is optional). The offset is local time
// minus UTC, so "-7:00" is -7h and "5:30" is +5h30m. Hours run to 14 and
// minutes below 60; a leading "+" is accepted.
func ParseUTCAdjustment(s string) (offset time.Duration, ok bool) {
	s = strings.TrimSpace(s)
	if rest, found := strings.CutPrefix(s, "UTC adjustment:"); found {
		s = strings.TrimSpace(rest)
	}
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	hs, ms, found := strings.Cut(s, ":")
	if !found || len(hs) == 0 || len(hs) > 2 || len(ms) != 2 || !isDigits(hs) || !isDigits(ms) {
		return 0, false
	}
	h, m := atoi(hs), atoi(ms)
	if h > 14 || m > 59 || (h == 14 && m > 0) {
		return 0, false
	}
	offset = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if neg {
		offset = -offset
	}
	return offset, true
}

// itoa formats an error number for the inner_error field.
func itoa(n int) string { return strconv.Itoa(n) }
