package redact

import (
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// Options tune Report and Events.
type Options struct {
	// Roots are the paths given on the command line. Evidence and input
	// paths are shown relative to them (a file named directly by its
	// base name), so that the folders above a bundle ("/home/jdoe/
	// ACME-case4711/") never reach the report. Without roots every
	// folder of an absolute path is redacted.
	Roots []string
}

// Report returns a deep copy of r in which host names, instance names, IP
// addresses, domains and logins are replaced by stable pseudonyms, so that the
// report can leave the company. Within one report the same name always gets
// the same pseudonym, whatever its case:
//
//	SQLAG02                  -> HOST-1
//	SQLAG02\INST1            -> HOST-1\INST-1
//	sqlag02.corp.contoso.com -> HOST-1.DOMAIN-1
//	10.0.0.12, fe80::12      -> IP-1, IP-2
//	CORP\svc_sql             -> DOMAIN-1\LOGIN-1
//	CORP\SQLAG02$            -> DOMAIN-1\HOST-1$ (a machine account names its host)
//	appuser                  -> LOGIN-2
//
// The domain of DOMAIN\login is kept, as its own pseudonym, because "all
// accounts are in one domain" or "the accounts are in different domains"
// matters when an endpoint refuses a login. A DNS domain shares the pseudonym
// of its first label (corp.contoso.com and CORP are both DOMAIN-1).
//
// The names are collected first from the structured fields (server names,
// aliases, addresses, service accounts, the servers of incidents, failovers,
// connection windows, roles, timeline and evidence), then from patterns in
// every text: IPv4 and IPv6 addresses, 'DOMAIN\name' and [DOMAIN\name],
// login 'x', user 'x', account 'x', [CLIENT: x], TCP://host:port and
// MSSQLSvc/host SPNs. They are then replaced in every string of the report,
// longest first, case-insensitively and only on word boundaries, so a name is
// never half replaced (SQLAG0 does not touch SQLAG02). In file paths '_' and
// '-' also count as boundaries, so SQLAG02_ERRORLOG becomes HOST-1_ERRORLOG.
//
// Left alone, because they are not personal data and the report needs them:
// availability group and database names, SQL keywords, the built-in accounts
// (sa, NT AUTHORITY\*, NT SERVICE\*, BUILTIN\*, ##MS_...##), the default
// instance name MSSQLSERVER and loopback or unspecified addresses. A login,
// instance or domain that is spelled like one of those is not replaced on its
// own (only inside DOMAIN\name or HOST\INSTANCE); a host name always is, even
// where it also names an availability group.
//
// Enumerated fields (category, confidence, rule names, kinds, modes, roles,
// clock methods, formats, encodings) carry no names and are copied as is.
func Report(r *report.Report, o Options) *report.Report {
	if r == nil {
		return nil
	}
	rd := newRedactor(r)
	rd.structured = true
	redactCollect(rd, r)
	rd.structured = false
	walkReportStrings(r, func(s string, _ reportField) string { rd.scanText(s); return s })
	walkReportStrings(r, func(s string, _ reportField) string { rd.scanUnquoted(s); return s })
	rd.build()
	// Paths last: their folders and file names are redacted with the
	// names known by now, and what is left of them is learned too.
	rd.setRoots(o.Roots)
	walkReportStrings(r, func(s string, f reportField) string {
		if f == reportFieldPath {
			rd.addPath(s)
		}
		return s
	})
	for _, p := range rd.optPaths {
		rd.addPath(p)
	}
	rd.build()
	return walkReportStrings(r, func(s string, f reportField) string {
		switch f {
		case reportFieldEnum, reportFieldName:
			return s
		case reportFieldPath:
			return rd.replace(s, true)
		}
		return rd.replace(s, false)
	})
}

// isPlaceholder reports whether a server "name" is one the analyzer made up
// ("unknown (system_health.xml)", "<local machine>"): not a name to learn.
func isPlaceholder(name string) bool {
	name = strings.TrimSpace(name)
	return strings.HasPrefix(name, "unknown (") || strings.HasPrefix(name, "<") || name == "(stdin)"
}

var (
	// 'X' of "availability replica 'X'", "replica 'X'" (35202, 35206, 19406 ...).
	reRedactReplica = regexp.MustCompile(`(?i)\breplica\s+'([^'\s]{1,128})'`)
	// "... to 'X' with id [...]" (35202: the far replica).
	reRedactToWithID = regexp.MustCompile(`(?i)\bto\s+'([^'\s]{1,128})'\s+with\s+id\b`)
	// "Server name is 'X'", "server 'X'", "instance 'X'", "host 'X'", "node 'X'".
	reRedactNamed = regexp.MustCompile(`(?i)\b(?:server name is|server|instance|host|node|computer|machine)\s+'([^'\s]{1,128})'`)
	// Cluster log: "[RCM] move of group AG1 from A(1) to B(3)", "Current node: name (X) id (1)".
	reRedactNodeID   = regexp.MustCompile(`(?i)\b(?:from|to)\s+([A-Za-z0-9][A-Za-z0-9_.-]{0,62})\(\d{1,4}\)`)
	reRedactNodeName = regexp.MustCompile(`(?i)\bname\s+\(([A-Za-z0-9][A-Za-z0-9_.-]{0,62})\)\s+id\b`)
	// The warnings of UnmatchedOptions quote what the user typed.
	reRedactOptServer = regexp.MustCompile(`--utc-offset (\S+): no server`)
	reRedactOptPath   = regexp.MustCompile(`--server ([^=\s]+)=(.+?): none of the files`)
)

// notTLD are last labels of dotted words that are file names or code, not
// domains: "system_health.xml", "sqlservr.exe", "System.Data".
var notTLD = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`xml xel log txt trc csv json md zip gz tar bak mdf ldf ndf dll exe sys ini evtx etl blg
		dmp mdmp mdf out err cab msi ps1 bat cmd sql html htm pdf doc docx xls xlsx png jpg config cfg dat tmp old new
		jar class py go c h cpp cs js ts net dbo`) {
		notTLD[w] = true
	}
}

// commonTLD are the last labels that make a two-label word a host name
// (host.corp, db1.local); three labels or more are enough on their own.
var commonTLD = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`com net org local corp lan internal intra intranet ad int edu gov biz info io cloud
		home office domain priv private test example localdomain`) {
		commonTLD[w] = true
	}
}

// scanNames learns the names that messages hold without quotes of a login:
// replicas (35202, 35206), cluster nodes (RCM moves, the header), FQDNs.
func (rd *redactor) scanNames(s string, lower string) {
	if strings.HasPrefix(s, "--") {
		if m := reRedactOptServer.FindStringSubmatch(s); m != nil {
			rd.addServer(m[1])
		}
		if m := reRedactOptPath.FindStringSubmatch(s); m != nil {
			rd.addServer(m[1])
			rd.optPaths = append(rd.optPaths, m[2])
		}
	}
	if strings.Contains(lower, "replica") {
		for _, m := range reRedactReplica.FindAllStringSubmatch(s, -1) {
			rd.addServer(m[1])
		}
	}
	if strings.Contains(lower, "with id") {
		for _, m := range reRedactToWithID.FindAllStringSubmatch(s, -1) {
			rd.addServer(m[1])
		}
	}
	if strings.Contains(s, "'") {
		for _, m := range reRedactNamed.FindAllStringSubmatch(s, -1) {
			rd.addServer(m[1])
		}
	}
	if strings.Contains(s, "(") {
		for _, m := range reRedactNodeID.FindAllStringSubmatch(s, -1) {
			if !rd.keep[strings.ToLower(m[1])] {
				rd.addHost(m[1])
			}
		}
		for _, m := range reRedactNodeName.FindAllStringSubmatch(s, -1) {
			rd.addHost(m[1])
		}
	}
	if strings.Contains(s, ".") {
		rd.scanFQDNs(s)
	}
}

// scanFQDNs learns the dotted host names of s: runs of letters, digits,
// '-' and '.' standing alone, with two labels or more and a last label of
// letters that is no file extension (system_health.xml, sqlservr.exe),
// not starting with a kept word or a namespace (sys.dm_hadr, System.Data).
func (rd *redactor) scanFQDNs(s string) {
	isHostByte := func(c byte) bool {
		return c == '.' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	for i := 0; i < len(s); {
		if !isHostByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isHostByte(s[j]) {
			j++
		}
		start, end := i, j
		i = j
		if start > 0 && (s[start-1] == '_' || s[start-1] == '@' || s[start-1] == '$' || s[start-1] == '\\' || s[start-1] >= 0x80) ||
			end < len(s) && (s[end] == '_' || s[end] >= 0x80) {
			continue // part of a longer identifier or a path
		}
		for start < end && (s[start] == '.' || s[start] == '-') {
			start++
		}
		for end > start && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		w := s[start:end]
		dot := strings.LastIndexByte(w, '.')
		if dot <= 0 || strings.Contains(w, "..") {
			continue
		}
		last := w[dot+1:]
		if len(last) < 2 || len(last) > 24 || notTLD[strings.ToLower(last)] || !isLetters(last) {
			continue
		}
		if strings.Count(w, ".") < 2 && !commonTLD[strings.ToLower(last)] {
			// "failed.Reason": two words without a space, not a host.
			continue
		}
		first, _, _ := strings.Cut(w, ".")
		if first == "" || rd.keep[strings.ToLower(first)] || strings.EqualFold(first, "sys") || strings.EqualFold(first, "system") || strings.EqualFold(first, "microsoft") {
			continue
		}
		rd.addHost(w)
	}
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// setRoots records the roots, longest first, and makes each a term of its
// own (a root alone in a message becomes "input-N").
func (rd *redactor) setRoots(roots []string) {
	rd.roots = nil
	for _, r := range roots {
		if r == "" || r == "-" {
			continue
		}
		rd.roots = append(rd.roots, filepath.ToSlash(filepath.Clean(r)))
	}
	sort.SliceStable(rd.roots, func(i, j int) bool { return len(rd.roots[i]) > len(rd.roots[j]) })
	for i, r := range rd.roots {
		if r != "." && r != "/" {
			rd.term(r, "input-"+strconv.Itoa(i+1))
		}
	}
}

// reRedactPosition is the ":line" or "@offset" after a file in a position.
var reRedactPosition = regexp.MustCompile(`(?::\d+|@\d+)$`)

// addPath makes the redacted form of a path (or position "file:line") a
// term: relative to its root, every folder and the file name with names
// replaced by their pseudonyms and any other word that is not a known
// generic one (ERRORLOG, AlwaysOn_health, cluster, log ...) by NAME-n.
func (rd *redactor) addPath(p string) {
	if p == "" || isPlaceholder(p) {
		return
	}
	pos := reRedactPosition.FindString(p)
	file := strings.TrimSuffix(p, pos)
	if _, done := rd.terms[strings.ToLower(file)]; done || file == "" {
		return
	}
	slash := filepath.ToSlash(file)
	rel := ""
	found := false
	for _, r := range rd.roots {
		switch {
		case slash == r:
			rel, found = filepath.Base(r), true
		case r == "/" && strings.HasPrefix(slash, "/"):
			rel, found = slash[1:], true
		case strings.HasPrefix(slash, r+"/"):
			rel, found = slash[len(r)+1:], true
		}
		if found {
			break
		}
	}
	if !found {
		rel = strings.TrimLeft(slash, "/")
	}
	parts := strings.Split(rel, "/")
	for i, c := range parts {
		parts[i] = rd.redactComponent(c)
	}
	out := strings.Join(parts, "/")
	if !found && strings.HasPrefix(slash, "/") {
		out = "/" + out
	}
	// The path is replaced whole wherever it appears; its own spelling is
	// a term, longer than any name inside it.
	k := strings.ToLower(file)
	if _, ok := rd.terms[k]; !ok {
		rd.terms[k] = out
	}
}

// redactComponent redacts one folder or file name.
func (rd *redactor) redactComponent(c string) string {
	if c == "" || c == "." || c == ".." {
		return c
	}
	c = rd.replace(c, true)
	var b strings.Builder
	tok := func(t string) {
		switch {
		case t == "":
		case isGenericPathWord(t):
			b.WriteString(t)
		default:
			p := rd.pseudonym("NAME", t)
			if len(t) >= 3 && !rd.keep[strings.ToLower(t)] {
				rd.term(t, p) // the same word in a message is the same name
			}
			b.WriteString(p)
		}
	}
	start := 0
	for i, r := range c {
		if r == '_' || r == '.' || r == '-' || r == ' ' || r == '(' || r == ')' || r == '[' || r == ']' {
			tok(c[start:i])
			b.WriteRune(r)
			start = i + 1
		}
	}
	tok(c[start:])
	return b.String()
}

// genericPathWords are the words of log file and folder names that name
// no one: SQL Server's, the cluster's and collectors' file names.
var genericPathWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`errorlog sqlagent alwayson health system xel xml log logs txt gz zip csv json md evtx etl
		cluster clusterlog sqldiag diag output out default mssqlserver mssql sql server sqlserver trace trc bak copy export
		exports tmp temp hadr ag events event application security microsoft windows failoverclustering operational
		diagnostic diagnostics get ring buffer target data file files bundle bundles incident case logfile session
		node nodes replica replicas primary secondary instance instances stdin input report extended
		pssdiag tigertoolbox perfmon blg binn setup bootstrap dump dumps mdmp dmp sp_server_diagnostics
		xevent xevents errorlogs collect collection support pssdiagoutput sqllogs msinfo32 eventlog eventlogs
		host inst ip login domain name dir`) {
		genericPathWords[w] = true
	}
}

// isGenericPathWord reports whether a token of a path keeps its spelling:
// a generic word, a number, a pseudonym's prefix or a version like 15.
func isGenericPathWord(t string) bool {
	if genericPathWords[strings.ToLower(t)] {
		return true
	}
	digits := true
	for _, r := range t {
		if r < '0' || r > '9' {
			digits = false
			break
		}
	}
	if digits {
		return true
	}
	// MSSQL15, MSSQL16.MSSQLSERVER: SQL Server's own folder names.
	if l := strings.ToLower(t); strings.HasPrefix(l, "mssql") && strings.TrimLeft(l[5:], "0123456789") == "" {
		return true
	}
	return false
}

// Events pseudonymizes events (the -f events view) like Report does
// reports: a first pass learns the names of every event (Learn, then
// LearnUnquoted over the same events), then Redact returns each event's
// redacted copy.
type Events struct {
	rd    *redactor
	built bool
}

// NewEvents returns an Events.
func NewEvents(o Options) *Events {
	rd := newRedactor(&report.Report{})
	rd.setRoots(o.Roots)
	return &Events{rd: rd}
}

// Learn records the names an event holds. Call it for every event before
// LearnUnquoted.
func (e *Events) Learn(ev *parsers.Event) {
	rd := e.rd
	if ev.AG != "" {
		rd.keep[strings.ToLower(ev.AG)] = true
	}
	if ev.Database != "" {
		rd.keep[strings.ToLower(ev.Database)] = true
	}
	if !isPlaceholder(ev.Server) {
		rd.structured = true
		rd.addServer(ev.Server)
		rd.structured = false
	}
	if ev.Replica != "" && !isPlaceholder(ev.Replica) {
		rd.addServer(ev.Replica)
	}
	if ev.Login != "" {
		rd.addLogin(ev.Login)
	}
	if ev.Client != "" && !isPlaceholder(ev.Client) {
		rd.addHost(ev.Client)
	}
	for _, s := range []string{ev.Message, ev.From, ev.To, ev.Reason} {
		rd.scanText(s)
	}
	for _, f := range ev.Fields {
		rd.scanText(f.Value)
	}
}

// LearnUnquoted is the second learning pass: unquoted DOMAIN\name of the
// domains the first pass found.
func (e *Events) LearnUnquoted(ev *parsers.Event) {
	for _, s := range []string{ev.Message, ev.Reason} {
		e.rd.scanUnquoted(s)
	}
	for _, f := range ev.Fields {
		e.rd.scanUnquoted(f.Value)
	}
	e.rd.addPath(ev.File)
}

// Redact returns a redacted copy of ev.
func (e *Events) Redact(ev *parsers.Event) *parsers.Event {
	rd := e.rd
	if !e.built {
		rd.build()
		e.built = true
	}
	c := *ev
	t := func(s string) string { return rd.replace(s, false) }
	c.File = rd.replace(ev.File, true)
	c.Server, c.Replica, c.Login, c.Client = t(ev.Server), t(ev.Replica), t(ev.Login), t(ev.Client)
	c.Message, c.From, c.To, c.Reason, c.Process = t(ev.Message), t(ev.From), t(ev.To), t(ev.Reason), t(ev.Process)
	if ev.Fields != nil {
		c.Fields = make([]parsers.Field, len(ev.Fields))
		for i, f := range ev.Fields {
			c.Fields[i] = parsers.Field{Name: f.Name, Value: t(f.Value)}
		}
	}
	return &c
}
