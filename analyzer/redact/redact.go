package redact

import (
	"cmp"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agtriage/agtriage/analyzer/report"
)

// maxRedactName bounds a name found in text: a longer "name" is a
// mismatched quote, not a login or an instance.
const maxRedactName = 128

// Pseudonym classes and their prefixes.
const (
	redactClassHost   = "HOST"
	redactClassInst   = "INST"
	redactClassIP     = "IP"
	redactClassLogin  = "LOGIN"
	redactClassDomain = "DOMAIN"
)

type redactor struct {
	pseudo map[string]string // class + "\x00" + canonical name -> pseudonym
	count  map[string]int    // class -> pseudonyms handed out
	terms  map[string]string // lower-cased original spelling -> replacement
	hosts  map[string]string // lower-cased host name -> pseudonym
	// domains holds the lower-cased NetBIOS domains seen in DOMAIN\name.
	domains map[string]bool
	// keep holds lower-cased words never replaced on their own: AG and
	// database names, SQL keywords, built-in names.
	keep map[string]bool

	// structured is set while names come from the structured fields, which
	// are trusted whatever their length.
	structured bool
	// index finds the terms in a text (build).
	index termIndex
	// roots are the paths given on the command line (see Options).
	roots []string
	// optPaths are paths quoted in option warnings (--server NAME=PATH).
	optPaths []string
}

func newRedactor(r *report.Report) *redactor {
	rd := &redactor{
		pseudo:  map[string]string{},
		count:   map[string]int{},
		terms:   map[string]string{},
		hosts:   map[string]string{},
		domains: map[string]bool{},
		keep:    map[string]bool{},
	}
	for _, w := range redactKeepWords {
		rd.keep[w] = true
	}
	add := func(list ...string) {
		for _, s := range list {
			if s = strings.TrimSpace(s); s != "" {
				rd.keep[strings.ToLower(s)] = true
			}
		}
	}
	add(r.AGs...)
	add(r.Databases...)
	for _, in := range r.Incidents {
		add(in.AGs...)
		add(in.Databases...)
	}
	for _, f := range r.Failovers {
		add(f.AG)
	}
	for _, c := range r.Connections {
		add(c.AG)
		add(c.Databases...)
	}
	for _, s := range r.Roles {
		add(s.AG)
	}
	return rd
}

// redactKeepWords are never replaced on their own: SQL keywords and built-in names
// that a login, instance or domain might be spelled like.
var redactKeepWords = strings.Fields(`
	sa public dbo guest sys sysadmin master msdb model tempdb distribution
	mssqlserver sqlexpress localhost local system nt authority service builtin
	primary secondary resolving replica database databases availability group login user
	add alter and as authorization backup by connect create database drop endpoint
	for from grant hadr_endpoint go if in into is not null on or permission restore select
	server set to update where with windows certificate key master
`)

func (rd *redactor) pseudonym(class, canonical string) string {
	k := class + "\x00" + strings.ToLower(canonical)
	if p, ok := rd.pseudo[k]; ok {
		return p
	}
	rd.count[class]++
	p := class + "-" + strconv.Itoa(rd.count[class])
	rd.pseudo[k] = p
	return p
}

func (rd *redactor) term(original, replacement string) {
	original = strings.TrimSpace(original)
	if original == "" || original == replacement {
		return
	}
	k := strings.ToLower(original)
	if _, ok := rd.terms[k]; !ok {
		rd.terms[k] = replacement
	}
}

// addServer records a server name: HOST, HOST\INSTANCE, an FQDN or an address.
func (rd *redactor) addServer(name string) {
	name = strings.TrimSpace(name)
	if name == "" || isPlaceholder(name) || len(name) > maxRedactName && !rd.structured {
		return
	}
	if host, inst, ok := strings.Cut(name, `\`); ok {
		hp := rd.addHost(host)
		ip := rd.addInstance(inst)
		rd.term(name, hp+`\`+ip)
		return
	}
	rd.addHost(name)
}

// addHost records a host name and returns its pseudonym. An FQDN maps to
// HOST-n.DOMAIN-m, its first label to HOST-n.
func (rd *redactor) addHost(h string) string {
	h = strings.Trim(strings.TrimSpace(h), "[].")
	if h == "" {
		return h
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return rd.addIP(a, h)
	}
	if strings.EqualFold(h, "localhost") || strings.HasPrefix(h, "<") {
		return h
	}
	if first, suffix, ok := strings.Cut(h, "."); ok && first != "" && suffix != "" {
		hp := rd.addHost(first)
		// The DNS domain shares the pseudonym of its first label, which
		// usually is the NetBIOS domain: CONTOSO\x and h.contoso.local.
		label, _, _ := strings.Cut(suffix, ".")
		dp := rd.pseudonym(redactClassDomain, label)
		if l := strings.ToLower(suffix); !rd.keep[l] && !commonTLD[l] {
			rd.term(suffix, dp) // never "local" or "com" on their own
		}
		rd.term(h, hp+"."+dp)
		return hp + "." + dp
	}
	p := rd.pseudonym(redactClassHost, h)
	rd.hosts[strings.ToLower(h)] = p
	rd.term(h, p)
	return p
}

func (rd *redactor) addInstance(inst string) string {
	inst = strings.TrimRight(strings.TrimSpace(inst), ".")
	if inst == "" || strings.EqualFold(inst, "MSSQLSERVER") {
		return inst
	}
	p := rd.pseudonym(redactClassInst, inst)
	if !rd.keep[strings.ToLower(inst)] {
		rd.term(inst, p)
	}
	return p
}

func (rd *redactor) addIP(a netip.Addr, original string) string {
	a = a.WithZone("")
	if a.IsLoopback() || a.IsUnspecified() {
		return original
	}
	p := rd.pseudonym(redactClassIP, a.Unmap().String())
	rd.term(original, p)
	return p
}

// redactBuiltinDomains name built-in accounts, which are the same on every machine.
var redactBuiltinDomains = map[string]bool{
	"nt authority": true, "nt service": true, "builtin": true, "nt virtual machine": true,
	"iis apppool": true, "font driver host": true, "window manager": true,
}

// addLogin records a login: DOMAIN\name or a SQL login.
func (rd *redactor) addLogin(l string) {
	l = strings.TrimSpace(l)
	l = strings.TrimSuffix(l, ".")
	if l == "" || len(l) > maxRedactName || strings.HasPrefix(l, "##") || strings.HasPrefix(l, "<") {
		return
	}
	dom, name, ok := strings.Cut(l, `\`)
	if !ok {
		if rd.keep[strings.ToLower(l)] {
			return
		}
		if _, err := netip.ParseAddr(l); err == nil {
			return
		}
		rd.term(l, rd.pseudonym(redactClassLogin, l))
		return
	}
	if dom == "" || name == "" || redactBuiltinDomains[strings.ToLower(dom)] {
		return
	}
	if rd.hosts[strings.ToLower(dom)] != "" {
		// HOST\INSTANCE spelled where a login was expected.
		rd.addServer(l)
		return
	}
	dp := rd.pseudonym(redactClassDomain, dom)
	rd.domains[strings.ToLower(dom)] = true
	if !rd.keep[strings.ToLower(dom)] {
		rd.term(dom, dp)
	}
	var np string
	if hp := rd.hosts[strings.ToLower(strings.TrimSuffix(name, "$"))]; hp != "" && strings.HasSuffix(name, "$") {
		np = hp + "$" // machine account
	} else {
		np = rd.pseudonym(redactClassLogin, name)
		if !rd.keep[strings.ToLower(name)] {
			rd.term(name, np)
		}
	}
	rd.term(l, dp+`\`+np)
}

// redactCollect records the names held in the report's structured fields.
func redactCollect(rd *redactor, r *report.Report) {
	for _, s := range r.Servers {
		rd.addServer(s.Name)
	}
	for _, s := range r.Servers {
		host, _, _ := strings.Cut(s.Name, `\`)
		hp := rd.hosts[strings.ToLower(strings.TrimSpace(host))]
		for _, a := range s.Aliases {
			a = strings.TrimSpace(a)
			switch {
			case a == "":
			case strings.Contains(a, `\`) || strings.Contains(a, "."):
				rd.addServer(a)
			case rd.hosts[strings.ToLower(a)] != "":
			case hp != "":
				// Another spelling of the same host (a folder name): the
				// host's pseudonym keeps a path free of backslashes.
				rd.term(a, hp)
			default:
				rd.addServer(a)
			}
		}
		for _, a := range s.Addresses {
			rd.scanIPs(a)
		}
		if s.ServiceAccount != "" {
			rd.addLogin(s.ServiceAccount)
		}
	}
	names := func(list ...string) {
		for _, n := range list {
			if strings.HasPrefix(strings.TrimSpace(n), "<") {
				continue
			}
			rd.addServer(n)
		}
	}
	for _, in := range r.Inputs {
		names(in.Server)
	}
	for _, in := range r.Incidents {
		names(in.Servers...)
		for _, st := range in.Chain {
			names(st.Server)
			for _, ev := range st.Evidence {
				names(ev.Server)
			}
		}
	}
	for _, f := range r.Failovers {
		names(f.From, f.To)
		for _, ev := range f.Evidence {
			names(ev.Server)
		}
	}
	for _, c := range r.Connections {
		names(c.Server, c.Partner)
	}
	for _, s := range r.Roles {
		names(s.Server)
	}
	for _, e := range r.Timeline {
		names(e.Server)
	}
	for _, st := range r.Settings {
		for _, rp := range st.Replicas {
			names(rp.Replica)
		}
	}
}

var (
	// 'X\Y' and [X\Y]: a domain login or a HOST\INSTANCE.
	reRedactQuotedPair = regexp.MustCompile(`(?:N?'([^'\\\s:]+(?: [^'\\\s:]+)?)\\([^'\\]+)')|(?:\[([^\]\\\s:]+(?: [^\]\\\s:]+)?)\\([^\]\\]+)\])`)
	// login 'x', user 'x', account is 'x', LOGIN [x], TO [x].
	reRedactLogin = regexp.MustCompile(`(?i)\b(?:(?:login|user|account)(?:\s+is)?\s+(?:N?'([^']+)'|\[([^\]]+)\])|to\s+\[([^\]]+)\])`)
	// [CLIENT: x]
	reRedactClient = regexp.MustCompile(`(?i)\[CLIENT:\s*([^\]\s]+)\s*\]`)
	// TCP://host:port and MSSQLSvc/host SPNs.
	reRedactURLHost = regexp.MustCompile(`(?i)(?:tcp://|mssqlsvc/)([A-Za-z0-9_.-]+)`)
	// DOMAIN\name outside quotes, kept only when DOMAIN is known.
	reRedactBarePair = regexp.MustCompile(`([A-Za-z0-9_.-]+)\\([A-Za-z0-9_.$-]+)`)
)

// redactServerContext tells from the words before a quoted X\Y whether it names an
// instance rather than a login.
var (
	redactServerContext = []string{"server", "instance", "replica", "host", "node"}
	redactLoginContext  = []string{"login", "user", "account", "principal", "grant", "owner"}
)

func (rd *redactor) scanText(s string) {
	if s == "" {
		return
	}
	rd.scanIPs(s)
	// Cheap tests first: most log lines hold none of the patterns, and the
	// regular expressions dominate the cost of a redaction.
	lower := strings.ToLower(s)
	rd.scanNames(s, lower)
	if strings.Contains(lower, "client:") {
		for _, m := range reRedactClient.FindAllStringSubmatch(s, -1) {
			rd.addHost(m[1])
		}
	}
	if strings.Contains(lower, "tcp://") || strings.Contains(lower, "mssqlsvc/") {
		for _, m := range reRedactURLHost.FindAllStringSubmatch(s, -1) {
			rd.addHost(m[1])
		}
	}
	if strings.Contains(lower, "login") || strings.Contains(lower, "user") || strings.Contains(lower, "account") ||
		strings.Contains(lower, "to") && strings.Contains(lower, "[") {
		for _, m := range reRedactLogin.FindAllStringSubmatch(s, -1) {
			rd.addLogin(cmp.Or(m[1], m[2], m[3]))
		}
	}
	if !strings.Contains(s, `\`) {
		return
	}
	for _, idx := range reRedactQuotedPair.FindAllStringSubmatchIndex(s, -1) {
		left, right := idx[2], idx[3]
		if left < 0 {
			left, right = idx[6], idx[7]
		}
		x := s[left:right]
		whole := s[left:max(idx[5], idx[9])]
		switch {
		case rd.hosts[strings.ToLower(x)] != "":
			rd.addServer(whole)
		case redactContextHas(s[max(0, idx[0]-40):idx[0]], redactLoginContext):
			rd.addLogin(whole)
		case redactContextHas(s[max(0, idx[0]-40):idx[0]], redactServerContext):
			rd.addServer(whole)
		default:
			rd.addLogin(whole)
		}
	}
}

func redactContextHas(before string, words []string) bool {
	before = strings.ToLower(before)
	// Only the current clause counts.
	if i := strings.LastIndexAny(before, ".;!?"); i >= 0 {
		before = before[i+1:]
	}
	for _, w := range words {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

func (rd *redactor) scanUnquoted(s string) {
	if !strings.Contains(s, `\`) {
		return
	}
	for _, m := range reRedactBarePair.FindAllStringSubmatch(s, -1) {
		dom := strings.ToLower(m[1])
		pair := strings.TrimRight(m[0], ".") // the end of a sentence
		switch {
		case rd.hosts[dom] != "":
			rd.addServer(pair)
		case rd.domains[dom]:
			rd.addLogin(pair)
		}
	}
}

// scanIPs records every IPv4 and IPv6 address in s. Candidates are runs of
// hex digits, dots and colons standing alone; netip decides what is an
// address, so times (14:32:50.123) and versions (15.0.4312.2) are not.
func (rd *redactor) scanIPs(s string) {
	isIPChar := func(c byte) bool {
		return c == '.' || c == ':' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
	}
	for i := 0; i < len(s); {
		if !isIPChar(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isIPChar(s[j]) {
			j++
		}
		start, end := i, j
		i = j
		// A leading ':' (CLIENT:10.0.0.1) or a trailing '.' or ':' (end of
		// a sentence) is punctuation, not part of the address.
		for start < end && s[start] == ':' && !strings.HasPrefix(s[start:end], "::") {
			start++
		}
		for end > start && (s[end-1] == '.' || s[end-1] == ':') && !strings.HasSuffix(s[start:end], "::") {
			end--
		}
		if start > 0 && redactWordByte(s[start-1]) || end < len(s) && redactWordByte(s[end]) {
			continue
		}
		cand := s[start:end]
		if strings.Count(cand, ".") != 3 && strings.Count(cand, ":") < 2 {
			continue
		}
		a, err := netip.ParseAddr(cand)
		if err != nil {
			// An IPv4 address with a port: 10.0.0.12:5022.
			if h, _, ok := strings.Cut(cand, ":"); ok && strings.Count(h, ".") == 3 {
				if a, err = netip.ParseAddr(h); err == nil {
					rd.addIP(a, h)
				}
			}
			continue
		}
		rd.addIP(a, cand)
	}
}

func redactWordByte(c byte) bool {
	return c == '_' || c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// build indexes the terms for replace.
func (rd *redactor) build() {
	rd.index = newTermIndex(rd.terms)
}

// termIndex finds the terms that start at a position of a text, case
// folded as strings.EqualFold does, in time that grows with the length of
// the match, not with the number of terms: a bundle of 100,000 files has a
// term for every path, most of them sharing their first 30 bytes.
type termIndex struct {
	keys  []string // the terms' case folds (foldString), sorted
	terms []string // the term (a key of redactor.terms) of each key
}

func newTermIndex(terms map[string]string) termIndex {
	type pair struct{ key, term string }
	pairs := make([]pair, 0, len(terms))
	for t := range terms {
		pairs = append(pairs, pair{foldString(t), t})
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.term, b.term)) })
	var x termIndex
	for _, p := range pairs {
		x.keys = append(x.keys, p.key)
		x.terms = append(x.terms, p.term)
	}
	return x
}

// foldRune maps r to the least rune of its simple case-folding orbit, so
// that two strings are equal under strings.EqualFold exactly when their
// foldString forms are equal.
func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

func foldString(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

// each calls fn for every term that starts at s[i:], shortest first, with
// the end of its match in s; fn returns false to stop.
func (x *termIndex) each(s string, i int, fn func(end int, term string) bool) {
	lo, hi := 0, len(x.keys)
	k := 0 // bytes of the keys matched
	var enc [utf8.UTFMax]byte
	for j := i; j < len(s) && lo < hi; {
		r, size := utf8.DecodeRuneInString(s[j:])
		for _, c := range utf8.AppendRune(enc[:0], foldRune(r)) {
			// The keys in [lo, hi) share their first k bytes; keep those
			// whose next byte is c (a key of exactly k bytes sorts first).
			lo += sort.Search(hi-lo, func(n int) bool { key := x.keys[lo+n]; return len(key) > k && key[k] >= c })
			hi = lo + sort.Search(hi-lo, func(n int) bool { return x.keys[lo+n][k] > c })
			k++
			if lo >= hi {
				return
			}
		}
		j += size
		if len(x.keys[lo]) == k && !fn(j, x.terms[lo]) {
			return
		}
	}
}

// redactWordRune tells what continues a name: letters, digits, '_' and '-'. In
// file paths (path mode) only letters and digits do.
func redactWordRune(c rune, path bool) bool {
	if unicode.IsLetter(c) || unicode.IsDigit(c) {
		return true
	}
	return !path && (c == '_' || c == '-')
}

// replace substitutes every term in s, longest first, case-insensitively and
// on word boundaries.
func (rd *redactor) replace(s string, path bool) string {
	if s == "" || len(rd.index.keys) == 0 {
		return s
	}
	var b strings.Builder
	last := 0  // end of the text copied so far
	prev := -1 // rune before i, -1 at the start
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		boundary := prev < 0 || !redactWordRune(rune(prev), path)
		if matched, repl := rd.matchAt(s, i, boundary, path); matched > 0 {
			b.WriteString(s[last:i])
			b.WriteString(repl)
			i += matched
			last = i
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			prev = int(r)
			continue
		}
		prev = int(c)
		i += size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// matchAt returns the length and replacement of the longest term at s[i:].
func (rd *redactor) matchAt(s string, i int, boundary, path bool) (int, string) {
	n, repl := 0, ""
	rd.index.each(s, i, func(end int, t string) bool {
		first, _ := utf8.DecodeRuneInString(s[i:])
		if !boundary && redactWordRune(first, path) {
			return false // every term here starts with that rune
		}
		lastRune, _ := utf8.DecodeLastRuneInString(s[i:end])
		if end < len(s) && redactWordRune(lastRune, path) {
			if next, _ := utf8.DecodeRuneInString(s[end:]); redactWordRune(next, path) {
				return true
			}
		}
		n, repl = end-i, rd.terms[t]
		return true
	})
	return n, repl
}
