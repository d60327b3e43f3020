package inputs

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// Support collectors (SQL LogScout, PSSDiag/SQLDiag, the SDP/TSS "SQL Base"
// package) name the files they gather in known ways. collectorRules maps those
// names to what the file is for an AG analysis, as data: the rules below are
// the whole of the collector knowledge, taken from the collectors' scripts
// (microsoft/SQL_LogScout SQLLogScoutCoreModule.psm1 and the Linux
// collect_*.sh scripts; microsoft/DiagManager SQL Base; the SQL Base
// Diagnostics Collector article), see shared/reference/COLLECTIONS.md §1.

// fileRole is what a collected file is for the analysis.
type fileRole uint8

// File roles.
const (
	// roleLog is a log to read (detected by content as usual).
	roleLog fileRole = iota
	// roleNotLog is a known file that is not an incident log: listed as
	// ignored with the rule's reason.
	roleNotLog
	// roleUnread is a log agtriage does not read (yet): listed as skipped
	// with the rule's reason, since it may hold incident history.
	roleUnread
	// roleSettings is configuration the analysis reads for AG settings
	// (lease and health-check timeouts); it is not a log.
	roleSettings
)

// collectorRule maps a file-name pattern of one collector to a role.
type collectorRule struct {
	Collector string
	// Pattern matches the file's base name (case-insensitive), or its
	// slash-separated path when it contains a '/'. A group named "s" is the
	// <server>[_<instance>] prefix the collector put in front of the name.
	Pattern *regexp.Regexp
	Role    fileRole
	Reason  string
	// HeadTail marks copies holding only the first and last lines of a log.
	HeadTail bool
	path     bool     // Pattern names a folder: match the whole path
	literals []string // lower-case texts one of which every match contains (requiredLiterals)
}

func rule(collector, pattern string, role fileRole, reason string) collectorRule {
	return collectorRule{Collector: collector, Pattern: regexp.MustCompile("(?i)" + pattern), Role: role, Reason: reason,
		path: strings.Contains(pattern, "/")}
}

func init() {
	for i := range collectorRules {
		collectorRules[i].literals = requiredLiterals(collectorRules[i].Pattern.String())
	}
}

// requiredLiterals returns texts of which every match of the pattern
// contains at least one, lower-cased, or nil when it cannot tell (or they
// are not ASCII). classifyFile tests them before running the pattern: most
// of the 60 rules cannot match a given name, and a bundle may hold 100,000
// names.
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := mustContain(re)
	for i, l := range lits {
		for _, r := range l {
			if r >= utf8.RuneSelf {
				return nil
			}
		}
		lits[i] = strings.ToLower(l)
	}
	return lits
}

// mustContain returns texts one of which every match of re contains (nil
// when it cannot tell).
func mustContain(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return mustContain(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return mustContain(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits := mustContain(sub)
			if lits == nil {
				return nil // a branch that needs no text
			}
			all = append(all, lits...)
		}
		return all
	case syntax.OpConcat:
		// The best of each run of adjacent literals and each part's own
		// texts: the one whose shortest text is longest.
		var best []string
		consider := func(lits []string) {
			if shortest(lits) > shortest(best) {
				best = lits
			}
		}
		var run []rune
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				run = append(run, sub.Rune...)
				continue
			}
			consider([]string{string(run)})
			run = run[:0]
			consider(mustContain(sub))
		}
		consider([]string{string(run)})
		return best
	}
	return nil
}

// shortest returns the length of the shortest of lits, 0 for none.
func shortest(lits []string) int {
	if len(lits) == 0 {
		return 0
	}
	n := len(lits[0])
	for _, l := range lits[1:] {
		n = min(n, len(l))
	}
	return n
}

// containsAny reports whether s contains one of lits, or lits is empty.
func containsAny(s []byte, lits []string) bool {
	for _, l := range lits {
		if bytes.Contains(s, []byte(l)) {
			return true
		}
	}
	return len(lits) == 0
}

// appendLowerASCII appends s to dst with ASCII letters lower-cased.
func appendLowerASCII(dst []byte, s string) []byte {
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

const (
	reasonAgent     = "SQL Server Agent log (Agent job and connection messages, not AG history)"
	reasonCollector = "the collector's own log"
	reasonConsole   = "the collector's console output"
	reasonDMV       = "DMV query output (a snapshot taken at collection time, not a log)"
	reasonFacts     = "host and instance facts (a snapshot taken at collection time, not a log)"
	reasonCapture   = "trace of the collector's capture window, not incident history"
	reasonEvtText   = "Windows event log fixed-width text export (not read; pass the .evtx or .csv copy)"
	reasonOSLog     = "operating-system log or command output (not read)"
)

// collectorRules is checked in order; the first match wins.
var collectorRules = []collectorRule{
	// Logs to read, with the server prefix the collectors add.
	{Collector: "SQL LogScout / PSSDiag", Pattern: regexp.MustCompile(`(?i)^(?P<s>.+?)_ERRORLOG(\.\d+)?_Head_and_Tail_Only$`), Role: roleLog, HeadTail: true,
		Reason: "only the first and last 500 lines were collected (the ERRORLOG was over 1 GB)"},
	rule("SDP/TSS", `^(?P<s>.+?)_\d{4}_ERRORLOG(\.\d+)?$`, roleLog, ""),
	rule("SQL LogScout / PSSDiag", `^(?P<s>.+?)_ERRORLOG(\.\d+)?$`, roleLog, ""),
	rule("PSSDiag", `^(?P<s>.+?)_(system_health|AlwaysOn_health)_\d+_\d+\.xel$`, roleLog, ""),
	rule("SQL Server", `^(?P<s>.+?)_SQLDIAG_\d+_\d+\.xel$`, roleLog, ""),
	rule("Get-ClusterLog", `^(?P<s>[^_]+)_cluster\.log$`, roleLog, ""),
	rule("SQL LogScout (Linux)", `^(?P<s>.+?)_(host|container)_instance_sql_logs\.(bz2|tar)$`, roleLog, ""),
	rule("SDP/TSS", `^(?P<s>.+?)_(AlwaysOn_health|system_health|FailoverCluster_health)_XeLogs\.zip$`, roleLog, ""),

	// Agent logs.
	rule("SQL LogScout / PSSDiag / SDP", `(^|_)SQLAGENT(\.OUT|\.\d+)(_Head_and_Tail_Only)?$`, roleNotLog, reasonAgent),
	rule("SQL LogScout (Linux)", `_sqlagent_logs\.(bz2|tar)$`, roleNotLog, reasonAgent),
	rule("SQL Server on Linux", `^sqlagent(\.out|\.\d+|startup\.log)?$`, roleNotLog, reasonAgent),

	// Collector bookkeeping.
	rule("SQL LogScout", `^##SQLLOGSCOUT.*\.LOG$`, roleNotLog, reasonCollector),
	rule("SQL LogScout (Linux)", `^sqllogscout(_debug)?\.log$`, roleNotLog, reasonCollector),
	rule("PSSDiag", `^##(SQLDIAG|console)\.LOG$`, roleNotLog, reasonCollector),
	rule("SQL LogScout / PSSDiag", `(_errors\.out|_stdout.*|_stderr.*)$`, roleNotLog, reasonConsole),
	rule("PSSDiag", `get_errorlogs.*\.OUT$`, roleNotLog, reasonConsole),
	rule("SQL Server", `SQLDUMPER_ERRORLOG\.log$`, roleNotLog, "the dump utility's log (SQLDUMPER_ERRORLOG), not the SQL Server ERRORLOG"),

	// Configuration read for AG settings.
	rule("SQL LogScout", `_ClusterInfo\.out$`, roleSettings, "cluster configuration (nodes, resources, AG lease and health-check timeouts), not a log"),
	rule("SQL LogScout", `_AlwaysOnDiagScript\.out$`, roleSettings, reasonDMV),
	rule("SQL LogScout (Linux)", `_SQL_AlwaysOnDiag_(Startup|Shutdown)\.out$`, roleSettings, reasonDMV),
	rule("SDP/TSS", `_AlwaysOn\.OUT$`, roleSettings, reasonDMV),
	rule("SDP/TSS", `_ClusterProperties\.txt$`, roleSettings, "cluster properties (configuration), not a log"),

	// Other snapshots and binaries.
	rule("SQL LogScout", `_GetAGTopology\.xml$`, roleNotLog, "AG topology snapshot taken at collection time, not a log"),
	rule("SQL LogScout", `_MiscDiagInfo\.out$`, roleNotLog, reasonFacts),
	rule("PSSDiag", `MiscPssdiagInfo`, roleNotLog, reasonFacts),
	rule("SDP/TSS", `_MachineInfo\.xml$`, roleNotLog, reasonFacts),
	rule("SDP/TSS", `msinfo32.*\.(txt|nfo)$`, roleNotLog, reasonFacts),
	rule("SQL LogScout", `_ClusterRegistryHive\.`, roleNotLog, "registry hive dump (configuration)"),
	rule("any", `\.hiv$`, roleNotLog, "registry hive (binary)"),
	rule("SQL LogScout", `_Perfmon\.out$`, roleNotLog, "performance counters of the capture window (binary BLG despite .out)"),
	rule("any", `\.blg$`, roleNotLog, "performance counters (binary BLG)"),
	rule("any", `\.(mdmp|dmp)$`, roleNotLog, "memory dump (binary)"),
	rule("SQL Server", `^SQLDump\d+\.txt$`, roleNotLog, "memory dump summary (not a log)"),
	rule("SQL LogScout", `_AllMemoryDumps_List\.out$`, roleNotLog, "list of memory dump files (not a log)"),
	rule("SQL LogScout", `_xevent_LogScout_target_\d+_\d+\.xel$`, roleNotLog, reasonCapture),
	rule("SQL LogScout", `_AlwaysOn_Data_Movement_target_\d+_\d+\.xel$`, roleNotLog, reasonCapture),
	rule("SQL Server", `^HkEngineEventFile.*\.xel$`, roleNotLog, "In-Memory OLTP engine trace, not AG history"),
	rule("SQL Server", `\.trc$`, roleNotLog, "SQL Trace file (binary), not AG history"),
	rule("any", `\.(evt|etl)$`, roleUnread, "binary Windows log format outside agtriage's scope"),
	rule("SQL LogScout", `^(?P<s>.+?)(_\d{8}T\d{4,})?_EventLog_(System|Application)\.csv$`, roleLog, ""),
	rule("SDP/TSS", `^(?P<s>[^_]+)_evt_.*\.csv$`, roleLog, ""),
	rule("SQL LogScout", `_EventLog_(System|Application)\.out$`, roleUnread, reasonEvtText),
	rule("SDP/TSS", `_evt_.*\.txt$`, roleUnread, reasonEvtText),
	rule("SQL LogScout (Linux)", `_mssql\.conf$`, roleNotLog, "mssql.conf (configuration)"),
	rule("SQL LogScout (Linux)", `_os_pcs_cluster_logs_.*\.tar\.bz2$`, roleUnread, "Pacemaker/corosync logs (not read)"),
	rule("SQL LogScout (Linux)", `_os_syslogs_.*\.tar\.bz2$`, roleUnread, reasonOSLog),
	rule("SQL LogScout (Linux)", `(_os_.*|_os\..*|_host_instance_.*)\.info$`, roleNotLog, "operating-system command output (not a log)"),
	rule("SDP/TSS", `(\.htm|_sym_.*|_pstat\.txt|\.nfo)$`, roleNotLog, "inventory report, not a log"),
	rule("PSSDiag", `_(Startup|Shutdown)\.OUT$`, roleNotLog, reasonDMV),
	rule("SQL LogScout", `_\d{8}T\d{6,}_[^/]*\.out$`, roleNotLog, reasonDMV),
}

// classifyFile returns the first rule matching name (nil when none does) and
// the server named by the collector's file-name prefix, as "HOST" or
// "HOST\INSTANCE".
func classifyFile(name string) (*collectorRule, string) {
	slash := strings.ReplaceAll(name, "\\", "/")
	base := path.Base(slash)
	// The literal test is exact for ASCII names only: a pattern's (?i)
	// also matches the Kelvin sign for k and the long s for s.
	ascii := parsers.IsASCII([]byte(slash))
	var lowerSlash, lowerBase []byte
	var buf [512]byte // no allocation for the usual name: this runs for every file
	if ascii {
		lowerSlash = appendLowerASCII(buf[:0], slash)
		lowerBase = appendLowerASCII(lowerSlash[len(lowerSlash):], base)
	}
	for i := range collectorRules {
		r := &collectorRules[i]
		subject, lower := base, lowerBase
		if r.path {
			subject, lower = slash, lowerSlash
		}
		if ascii && !containsAny(lower, r.literals) {
			continue // cannot match: the pattern's literal text is missing
		}
		m := r.Pattern.FindStringSubmatch(subject)
		if m == nil {
			continue
		}
		server := ""
		if k := r.Pattern.SubexpIndex("s"); k > 0 {
			server = prefixServer(m[k])
		}
		return r, server
	}
	return nil, ""
}

// prefixServer turns a collector prefix "HOST" or "HOST_INSTANCE" (a "\" in
// the instance name becomes "_"; SDP names the default instance MSSQLSERVER)
// into a server name.
func prefixServer(p string) string {
	host, inst, ok := strings.Cut(p, "_")
	if !ok || inst == "" {
		return p
	}
	if strings.EqualFold(inst, "MSSQLSERVER") {
		return host
	}
	return host + `\` + inst
}

// collectorSkip says whether a file is known not to be read, with the input
// entry that lists it.
func collectorSkip(name string) (report.Input, bool) {
	r, _ := classifyFile(name)
	return r.skip(name)
}

// skip is collectorSkip for a file already classified (r may be nil).
func (r *collectorRule) skip(name string) (report.Input, bool) {
	if r == nil {
		return report.Input{}, false
	}
	switch r.Role {
	case roleNotLog:
		return report.Input{File: name, Format: "collected", Skipped: r.Reason, Ignored: true}, true
	case roleUnread:
		return report.Input{File: name, Format: "collected", Skipped: r.Reason}, true
	}
	return report.Input{}, false
}

// settings returns the reason a settings file is not read as a log (r
// may be nil; false when r is not a settings file).
func (r *collectorRule) settings() (string, bool) {
	if r == nil || r.Role != roleSettings {
		return "", false
	}
	return r.Reason, true
}

// CollectorServer returns the server a collector's file name attributes a
// file to, or "".
func CollectorServer(name string) string {
	// The file's own name first, then the folders and archives it lies in
	// (SQL LogScout on Linux names the archive, not its members).
	for p := strings.ReplaceAll(name, "\\", "/"); p != "" && p != "." && p != "/"; p = path.Dir(p) {
		if p != name && !isArchiveName(p) {
			continue
		}
		r, s := classifyFile(p)
		if r != nil && r.Role == roleLog && s != "" {
			return s
		}
		if r != nil && p == name {
			return "" // a known file without a server prefix
		}
	}
	return ""
}

// headTailMarker is the line the collectors write where the middle of a
// large log was left out.
const headTailMarker = "middle part of file not captured"

// clusterLogRE matches the cluster logs Get-ClusterLog -Destination writes.
var clusterLogRE = regexp.MustCompile(`(?i)^(.+)_cluster\.log$`)

// collectorDuplicates finds copies of one node's cluster log: PSSDiag
// gathers it twice (ClusterLogs\ in local time, ClusterLogsUTCLast24Hrs\ in
// UTC), and SQL LogScout writes the logs of all nodes into every replica's
// output folder. One copy per node is read (PSSDiag's full ClusterLogs copy,
// otherwise the largest); the others are listed as duplicates.
func collectorDuplicates(files []File) ([]File, []report.Input) {
	byNode := map[string][]int{}
	for i, f := range files {
		if m := clusterLogRE.FindStringSubmatch(path.Base(strings.ReplaceAll(f.Name, "\\", "/"))); m != nil {
			k := strings.ToUpper(m[1])
			byNode[k] = append(byNode[k], i)
		}
	}
	drop := map[int]int{} // duplicate -> kept
	for _, idx := range byNode {
		if len(idx) < 2 {
			continue
		}
		sort.SliceStable(idx, func(a, b int) bool {
			fa, fb := files[idx[a]], files[idx[b]]
			ua, ub := inUTCLast24(fa.Name), inUTCLast24(fb.Name)
			if ua != ub {
				return !ua
			}
			return fa.Size > fb.Size
		})
		for _, i := range idx[1:] {
			drop[i] = idx[0]
		}
	}
	if len(drop) == 0 {
		return files, nil
	}
	var keep []File
	var dups []report.Input
	for i, f := range files {
		k, ok := drop[i]
		if !ok {
			keep = append(keep, f)
			continue
		}
		why := "another copy of this node's cluster log"
		if inUTCLast24(f.Name) {
			why = "PSSDiag's UTC copy of the last 24 hours of this node's cluster log"
		}
		dups = append(dups, report.Input{File: f.Name, Format: "collected", Ignored: true,
			Skipped: fmt.Sprintf("duplicate: %s; read once, from %s", why, files[k].Name)})
	}
	return keep, dups
}

func inUTCLast24(name string) bool {
	return strings.Contains(strings.ToLower(strings.ReplaceAll(name, "\\", "/")), "clusterlogsutclast24hrs/")
}

// noteHeadTail follows the events of a head-and-tail copy: the record that
// carries the collector's marker ends the head, the next one starts the tail,
// and the time between is recorded as missing.
func noteHeadTail(in *report.Input, ev *parsers.Event) {
	switch {
	case in.MissingMiddle == nil:
		if strings.Contains(ev.Message, headTailMarker) {
			in.MissingMiddle = &report.TimeSpan{From: ev.Time}
		}
	case in.MissingMiddle.To.IsZero():
		in.MissingMiddle.To = ev.Time
		in.Warnings = append(in.Warnings, fmt.Sprintf("%s: only the first and last 500 lines of this ERRORLOG were collected (it was over 1 GB): nothing is known between %s and %s UTC",
			in.File, in.MissingMiddle.From.Format("2006-01-02 15:04:05"), ev.Time.Format("2006-01-02 15:04:05")))
	}
}

func isArchiveName(p string) bool {
	// Only the last 8 bytes matter (".tar.bz2"), lower-cased on the stack:
	// this runs for every folder of every file's path.
	var buf [8]byte
	lower := lowerTail(buf[:0], p)
	_, tarish := tarKind(lower)
	return tarish || strings.HasSuffix(lower, ".zip") || strings.HasSuffix(lower, ".gz")
}

// lowerTail returns the last cap(buf) bytes of s, ASCII letters
// lower-cased (built in buf).
func lowerTail(buf []byte, s string) string {
	return string(appendLowerASCII(buf[:0], s[max(0, len(s)-cap(buf)):]))
}
