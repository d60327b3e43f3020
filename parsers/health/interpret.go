package health

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// Limits on a payload: real ones are a few KB and nest a few levels.
const (
	// MaxPayload is the largest payload interpreted (the readers cut field
	// values at 1 MiB).
	MaxPayload = 1 << 20
	// MaxDepth is the deepest element nesting accepted.
	MaxDepth = 64
)

// ErrNoPayload is returned for a result without payload.
var ErrNoPayload = errors.New("no payload")

// FromEvent interprets a component result event read by parsers/xevent or
// parsers/xel: component_health_result (SQLDIAG) or
// sp_server_diagnostics_component_result (system_health, AlwaysOn_health).
// ok is false for other events. A payload that cannot be parsed gives a
// Summary of the state alone and the error.
func FromEvent(ev *parsers.Event) (s Summary, ok bool, err error) {
	if ev.Name != "component_health_result" && ev.Name != "sp_server_diagnostics_component_result" {
		return Summary{}, false, nil
	}
	comp, name, state, payload := resultOf(ev)
	s, err = interpret(comp, name, state, payload)
	return s, true, err
}

// Interpret interprets the payload of a component result: component is the
// component's name (any casing), state its state, payload the XML of the
// data field, nested or escaped. A payload that cannot be parsed gives a
// Summary of the state alone and the error.
func Interpret(component string, state State, payload string) (Summary, error) {
	return interpret(ParseComponent(component), component, state, payload)
}

func interpret(comp Component, name string, state State, payload string) (Summary, error) {
	s := Summary{Component: comp, Name: name, State: state}
	if comp != AvailabilityGroup {
		s.Name = string(comp)
	}
	err := s.read(payload)
	s.Text = s.sentence()
	return s, err
}

// read fills the findings from the payload.
func (s *Summary) read(payload string) error {
	payload = strings.TrimSpace(payload)
	if payload == "" {
		if s.Component == AvailabilityGroup {
			return nil // its payload is not documented; the state says it all
		}
		return ErrNoPayload
	}
	if len(payload) > MaxPayload {
		return fmt.Errorf("payload of %d bytes, more than %d", len(payload), MaxPayload)
	}
	if s.Component == "" && strings.HasPrefix(payload, "<events") {
		s.Component, s.Name = Events, string(Events) // named by its root
	}
	if s.Component == Events {
		return s.readEvents(payload)
	}
	// Most results are clean and need only the root's attributes: parse
	// the root start tag alone, and the whole document when a child is
	// queried.
	p := &payloadDoc{text: payload, values: map[string]int64{}}
	if tag, ok := rootTag(payload); ok && closes(payload, tag) {
		p.rootName, p.attrs, p.tagOnly = scanTag(tag)
	}
	if !p.tagOnly {
		if err := p.parseAll(); err != nil {
			return err
		}
	}
	rootComp := ParseComponent(p.rootName)
	switch {
	case payloadComponent(s.Component) && rootComp != s.Component:
		return fmt.Errorf("payload <%s> is not a %s payload", p.rootName, s.Component)
	case !payloadComponent(s.Component) && payloadComponent(rootComp) && s.Component != AvailabilityGroup:
		// A result whose component is not named: the root element names it.
		s.Component, s.Name = rootComp, string(rootComp)
	}
	switch s.Component {
	case System:
		s.readSystem(p)
	case Resource:
		s.readResource(p)
	case QueryProcessing:
		s.readQueryProcessing(p)
	case IOSubsystem:
		s.readIO(p)
	}
	if len(p.values) > 0 {
		s.Values = p.values
	}
	// A document that did not parse past its root still gave the root's
	// findings; the error says what was lost.
	return p.err
}

// payloadComponent reports whether c is a component whose payload is read
// with XPath.
func payloadComponent(c Component) bool {
	return c == System || c == Resource || c == QueryProcessing || c == IOSubsystem
}

// firstElement returns the first element of a parsed document.
func firstElement(doc *xmlquery.Node) *xmlquery.Node {
	for n := doc.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == xmlquery.ElementNode {
			return n
		}
	}
	return nil
}

// depth estimates the deepest element nesting of an XML text without
// parsing it: the count of open start tags.
func depth(s string) int {
	d, maxD := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' || i+1 >= len(s) {
			if s[i] == '/' && i+1 < len(s) && s[i+1] == '>' {
				d--
			}
			continue
		}
		switch s[i+1] {
		case '/':
			d--
		case '?', '!':
		default:
			d++
			maxD = max(maxD, d)
		}
	}
	return maxD
}

// payloadDoc reads attributes of a parsed payload and records the numbers.
type payloadDoc struct {
	text     string
	rootName string
	attrs    []tagAttr      // the root's attributes, read from its tag alone
	tagOnly  bool           // attrs were read: the document is parsed on demand
	root     *xmlquery.Node // the root element of the whole document, once parsed
	err      error          // of parsing the whole document
	values   map[string]int64
}

// parseAll parses the whole payload.
func (p *payloadDoc) parseAll() error {
	if p.root != nil || p.err != nil {
		return p.err
	}
	if d := depth(p.text); d > MaxDepth {
		p.err = fmt.Errorf("payload nests %d elements deep, more than %d", d, MaxDepth)
		return p.err
	}
	doc, err := xmlquery.Parse(strings.NewReader(p.text))
	if err != nil {
		p.err = fmt.Errorf("payload: %w", err)
		return p.err
	}
	root := firstElement(doc)
	if root == nil {
		p.err = errors.New("payload has no element")
		return p.err
	}
	p.root, p.rootName = root, root.Data
	return nil
}

// rootTag returns the payload's root start tag as a document of its own
// (self-closed), or false when it cannot be cut out.
func rootTag(s string) (string, bool) {
	i := strings.IndexByte(s, '<')
	if i < 0 || i+1 >= len(s) || !isNameStart(s[i+1]) {
		return "", false
	}
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			return "", false
		case c == '>':
			if s[j-1] == '/' {
				return s[i : j+1], true
			}
			return s[i:j] + "/>", true
		}
	}
	return "", false
}

// closes reports whether the payload ends where its root element does: the
// root start tag is self-closed and ends the payload, or the payload ends
// with the root's end tag. A cut payload fails and is parsed whole (which
// reports the damage).
func closes(payload, tag string) bool {
	end := strings.TrimRight(payload, " \t\r\n")
	if strings.HasSuffix(tag, "/>") && !strings.HasSuffix(tag, "//>") {
		// The tag was cut from the payload as it stands: self-closed when
		// the payload's tag ends with "/>".
		if i := strings.Index(end, tag[:len(tag)-2]); i >= 0 && strings.HasSuffix(end, "/>") && i+len(tag) == len(end) {
			return true
		}
	}
	name := tag[1:]
	if i := strings.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	if !strings.HasSuffix(end, ">") {
		return false
	}
	end = strings.TrimRight(end[:len(end)-1], " \t\r\n")
	return strings.HasSuffix(end, "</"+name)
}

func isNameStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80
}

// str returns an attribute of the root element.
func (p *payloadDoc) str(name string) string {
	if p.tagOnly {
		for _, a := range p.attrs {
			if a.name == name {
				return strings.TrimSpace(a.value)
			}
		}
		return ""
	}
	return strings.TrimSpace(p.root.SelectAttr(name))
}

// num returns a numeric attribute of the root element and records it.
func (p *payloadDoc) num(name string) (int64, bool) {
	v, ok := parseNum(p.str(name))
	if ok {
		p.values[name] = v
	}
	return v, ok
}

// parseNum reads a decimal integer (or a 0x hexadecimal one).
func parseNum(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err := strconv.ParseUint(s[2:], 16, 64)
		return int64(v), err == nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		return int64(f), ferr == nil
	}
	return v, true
}

// query runs a compiled XPath expression from the root element of the
// whole document; a document that does not parse has no children.
func (p *payloadDoc) query(e *xpath.Expr) []*xmlquery.Node {
	if p.parseAll() != nil {
		return nil
	}
	return xmlquery.QuerySelectorAll(p.root, e)
}

func (s *Summary) add(c Condition, text, detail string, attrs ...string) {
	s.Findings = append(s.Findings, Finding{Condition: c, Text: text, Detail: detail, Attrs: attrs})
}

func attr(name string, v any) string { return fmt.Sprint(name, "=", v) }

// isNone tells whether a spinlock-type attribute names no spinlock.
func isNone(v string) bool { return v == "" || strings.EqualFold(v, "none") || v == "0" }

// readSystem reads a <system> payload.
func (s *Summary) readSystem(p *payloadDoc) {
	notClean := s.State >= StateWarning
	if t := p.str("sickSpinlockTypeAfterAv"); !isNone(t) {
		s.add(OrphanedSpinlock, "orphaned spinlock "+t+" (held by a thread that took an access violation)", t, attr("sickSpinlockTypeAfterAv", t))
	}
	if t := p.str("sickSpinlockType"); !isNone(t) {
		s.add(SickSpinlock, "sick spinlock "+t, t, attr("sickSpinlockType", t))
	}
	if n, _ := p.num("writeAccessViolationCount"); n > 0 {
		s.add(WriteAccessViolation, plural(n, "write access violation", "write access violations"), "", attr("writeAccessViolationCount", n))
	}
	total, _ := p.num("totalDumpRequests")
	if n, _ := p.num("intervalDumpRequests"); n > 0 {
		s.add(DumpRequests, plural(n, "dump request", "dump requests")+" in the interval ("+strconv.FormatInt(total, 10)+" since start)", "",
			attr("intervalDumpRequests", n), attr("totalDumpRequests", total))
	} else if notClean && total > 0 {
		s.add(DumpRequests, plural(total, "dump request", "dump requests")+" since start", "", attr("totalDumpRequests", total))
	}
	if av := p.str("isAccessViolationOccurred"); av == "1" || strings.EqualFold(av, "true") {
		s.add(AccessViolation, "access violation", "", attr("isAccessViolationOccurred", av))
	}
	if n, _ := p.num("memoryScribblerCount"); n > 0 {
		s.add(MemoryScribbler, plural(n, "memory scribbler", "memory scribblers"), "", attr("memoryScribblerCount", n))
	}
	det, _ := p.num("BadPagesDetected")
	fixed, _ := p.num("BadPagesFixed")
	if det > fixed {
		s.add(BadPages, fmt.Sprintf("%d bad pages detected, %d fixed", det, fixed), p.str("LastBadPageAddress"),
			attr("BadPagesDetected", det), attr("BadPagesFixed", fixed))
	}
	if n, _ := p.num("nonYieldingTasksReported"); n > 0 && notClean {
		s.add(NonYielding, plural(n, "non-yielding task", "non-yielding tasks")+" reported since start", "", attr("nonYieldingTasksReported", n))
	}
	if n, _ := p.num("latchWarnings"); n > 0 && notClean {
		s.add(LatchWarnings, plural(n, "latch warning", "latch warnings")+" since start", "", attr("latchWarnings", n))
	}
	p.num("spinlockBackoffs")
	p.num("pageFaults")
	sys, okSys := p.num("systemCpuUtilization")
	sql, _ := p.num("sqlCpuUtilization")
	if okSys && sys >= highCPU {
		s.add(HighCPU, fmt.Sprintf("CPU %d%% (SQL Server %d%%, other processes %d%%)", sys, sql, max(sys-sql, 0)), "",
			attr("systemCpuUtilization", sys), attr("sqlCpuUtilization", sql))
	}
}

// highCPU is the machine CPU from which a sample counts as saturated.
const highCPU = 90

var (
	memEntry        = xpath.MustCompile(`memoryReport/entry`)
	pendingRequests = xpath.MustCompile(`longestPendingRequests/pendingRequest`)
	topWait         = xpath.MustCompile(`topWaits/nonPreemptive/byDuration/wait`)
	topWaitCount    = xpath.MustCompile(`topWaits/nonPreemptive/byCount/wait`)
	blockerSpid     = xpath.MustCompile(`blockingTasks/blocked-process-report/blocking-process/process`)
	blockedReports  = xpath.MustCompile(`blockingTasks/*`)
	cpuRequests     = xpath.MustCompile(`cpuIntensiveRequests/request`)
)

// readResource reads a <resource> payload.
func (s *Summary) readResource(p *payloadDoc) {
	notClean := s.State >= StateWarning
	period, _ := p.num("processOutOfMemoryPeriod")
	pool := p.str("isAnyPoolOutOfMemory")
	exc, _ := p.num("outOfMemoryExceptions")
	notification := p.str("lastNotification")
	// The memory report tells more only when memory is short.
	entries := map[string]int64{}
	if notClean || period > 0 || pool == "1" || strings.HasSuffix(strings.ToUpper(notification), "_LOW") {
		for _, e := range p.query(memEntry) {
			if v, ok := parseNum(strings.TrimSpace(e.SelectAttr("value"))); ok {
				entries[e.SelectAttr("description")] = v
			}
		}
	}
	switch {
	case period > 0:
		s.add(OutOfMemory, "out of memory for "+strconv.FormatInt(period, 10)+" s", "", attr("processOutOfMemoryPeriod", period))
	case pool == "1" || strings.EqualFold(pool, "true"):
		s.add(OutOfMemory, "a resource pool out of memory", "", attr("isAnyPoolOutOfMemory", pool))
	case exc > 0 && notClean:
		s.add(OutOfMemory, plural(exc, "out-of-memory exception", "out-of-memory exceptions")+" since start", "", attr("outOfMemoryExceptions", exc))
	}
	var low []string
	var lowAttrs []string
	if n := notification; strings.HasSuffix(strings.ToUpper(n), "_LOW") {
		low = append(low, n)
		lowAttrs = append(lowAttrs, attr("lastNotification", n))
	}
	for _, d := range []string{"System physical memory low", "Process physical memory low", "Process virtual memory low"} {
		if entries[d] > 0 {
			low = append(low, strings.ToLower(d))
			lowAttrs = append(lowAttrs, attr(d, entries[d]))
		}
	}
	if len(low) > 0 {
		text := "memory low (" + strings.Join(low, ", ") + ")"
		if f := entries["Last OOM Factor"]; f != 0 {
			text += fmt.Sprintf(", last OOM factor %d", f)
			lowAttrs = append(lowAttrs, attr("Last OOM Factor", f))
		}
		if a, ok := entries["Available Physical Memory"]; ok {
			text += ", " + formatBytes(a) + " physical memory available"
		}
		s.add(MemoryLow, text, "", lowAttrs...)
	}
	for _, d := range []string{"Target Committed", "Current Committed", "Available Physical Memory"} {
		if v, ok := entries[d]; ok {
			p.values[d] = v
		}
	}
}

// readQueryProcessing reads a <queryProcessing> payload.
func (s *Summary) readQueryProcessing(p *payloadDoc) {
	maxW, okMax := p.num("maxWorkers")
	created, _ := p.num("workersCreated")
	idle, okIdle := p.num("workersIdle")
	pending, _ := p.num("pendingTasks")
	oldest, _ := p.num("oldestPendingTaskWaitingTime")
	p.num("tasksCompletedWithinInterval")
	if v := p.str("hasDeadlockedSchedulersOccurred"); v == "1" || strings.EqualFold(v, "true") {
		s.add(DeadlockedSchedulers, "deadlocked schedulers", "", attr("hasDeadlockedSchedulersOccurred", v))
	}
	if v := p.str("hasUnresolvableDeadlockOccurred"); v == "1" || strings.EqualFold(v, "true") {
		s.add(UnresolvableDeadlock, "unresolvable deadlock", "", attr("hasUnresolvableDeadlockOccurred", v))
	}
	inUse := created - idle
	if okMax && okIdle && maxW > 0 && inUse*100 >= maxW*95 && idle == 0 {
		s.add(WorkerExhaustion, fmt.Sprintf("%d of %d workers in use", inUse, maxW), "",
			attr("workersCreated", created), attr("workersIdle", idle), attr("maxWorkers", maxW))
	}
	if pending > 0 && (oldest > 0 || s.State >= StateWarning) {
		text := plural(pending, "pending task", "pending tasks")
		if oldest > 0 {
			text = "oldest pending task waited " + formatMs(oldest) + " (" + text + ")"
		}
		s.add(PendingTasks, text, "", attr("pendingTasks", pending), attr("oldestPendingTaskWaitingTime", oldest))
	}
	if t := p.str("trackingNonYieldingScheduler"); t != "" && !isZeroAddr(t) {
		s.add(NonYielding, "non-yielding scheduler being tracked", t, attr("trackingNonYieldingScheduler", t))
	}
	blockers := ""
	if strings.Contains(p.text, "<blocked-process-report") {
		n := len(p.query(blockedReports))
		var spids []string
		for _, b := range p.query(blockerSpid) {
			if sp := b.SelectAttr("spid"); sp != "" && !slices.Contains(spids, sp) {
				spids = append(spids, sp)
			}
		}
		if len(spids) > 0 {
			blockers = "blocking session " + strings.Join(spids, ", ")
		}
		if n > 0 {
			text := plural(int64(n), "blocked-process report", "blocked-process reports")
			if blockers != "" {
				text += " (" + blockers + ")"
			}
			s.add(Blocking, text, blockers, attr("blockingTasks", n))
		}
	}
	if s.State >= StateWarning && len(s.Findings) > 0 {
		// The top waits, the head blocker and the most CPU-intensive
		// request are what the fix needs.
		d := ""
		if w := firstNode(p.query(topWait)); w != nil {
			d = "top wait " + w.SelectAttr("waitType") + " by duration"
		}
		if w := firstNode(p.query(topWaitCount)); w != nil && !strings.Contains(d, " "+w.SelectAttr("waitType")+" ") {
			d = joinDetail(d, "top wait "+w.SelectAttr("waitType")+" by count")
		}
		if blockers != "" && s.Findings[0].Condition != Blocking {
			d = joinDetail(d, blockers)
		}
		if rs := p.query(cpuRequests); len(rs) > 0 {
			d = joinDetail(d, "CPU-intensive session "+rs[0].SelectAttr("sessionId"))
		}
		s.Findings[0].Detail = joinDetail(s.Findings[0].Detail, d)
	}
}

// readIO reads an <ioSubsystem> payload.
func (s *Summary) readIO(p *payloadDoc) {
	if n, _ := p.num("ioLatchTimeouts"); n > 0 {
		s.add(IOLatchTimeouts, plural(n, "I/O latch timeout", "I/O latch timeouts"), "", attr("ioLatchTimeouts", n))
	}
	interval, _ := p.num("intervalLongIos")
	total, _ := p.num("totalLongIos")
	var longest *xmlquery.Node
	var longestMs int64
	var requests []*xmlquery.Node
	if strings.Contains(p.text, "<pendingRequest ") {
		requests = p.query(pendingRequests)
	}
	for _, r := range requests {
		if d, ok := parseNum(strings.TrimSpace(r.SelectAttr("duration"))); ok && (longest == nil || d > longestMs) {
			longest, longestMs = r, d
		}
	}
	var parts []string
	var attrs []string
	if interval > 0 {
		parts = append(parts, plural(interval, "long I/O", "long I/Os")+" in the interval")
		attrs = append(attrs, attr("intervalLongIos", interval))
	} else if total > 0 && s.State >= StateWarning {
		parts = append(parts, plural(total, "long I/O", "long I/Os")+" since start")
		attrs = append(attrs, attr("totalLongIos", total))
	}
	file := ""
	if longest != nil && longestMs > 0 {
		file = longest.SelectAttr("filePath")
		t := "longest pending I/O " + formatMs(longestMs)
		if file != "" {
			t += " on " + file
		}
		parts = append(parts, t)
		attrs = append(attrs, attr("pendingRequest/@duration", longestMs), attr("pendingRequest/@filePath", file))
		p.values["longestPendingRequest"] = longestMs
	}
	if len(parts) > 0 {
		s.add(LongIO, strings.Join(parts, ", "), file, attrs...)
	}
}

// sentence renders the summary in one sentence.
func (s *Summary) sentence() string {
	head := s.Name + " " + s.State.String()
	if len(s.Findings) == 0 {
		if s.State == StateError && s.Component != AvailabilityGroup {
			return head + ": no known cause in the payload"
		}
		return head
	}
	texts := make([]string, len(s.Findings))
	for i, f := range s.Findings {
		texts[i] = f.Text
	}
	return head + ": " + strings.Join(texts, "; ")
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// formatMs renders milliseconds as seconds ("68 s", "1.5 s") or as ms below
// a second.
func formatMs(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	if ms%1000 == 0 || ms >= 10_000 {
		return strconv.FormatInt((ms+500)/1000, 10) + " s"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
}

// formatBytes renders a byte count in MB or GB.
func formatBytes(b int64) string {
	const mb = 1 << 20
	if b >= 10*1024*mb {
		return strconv.FormatInt(b/(1024*mb), 10) + " GB"
	}
	return strconv.FormatInt(b/mb, 10) + " MB"
}

func isZeroAddr(s string) bool {
	v, ok := parseNum(s)
	return ok && v == 0
}

func firstNode(ns []*xmlquery.Node) *xmlquery.Node {
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}
