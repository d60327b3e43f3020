package engine

import (
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// serverSet knows every server seen and the spellings that name it.
type serverSet struct {
	byKey map[string]*serverInfo // canonical key (upper case) -> server
	list  []*serverInfo
	// byHost maps the canonical host part of every server name to its
	// server, or to nil when two instances share the host (ambiguous).
	byHost map[string]*serverInfo
}

type serverInfo struct {
	report.Server
	key     string
	aliases map[string]bool
	clock   clockInfo
}

func (sv *serverInfo) addAlias(a string) {
	if sv.aliases == nil {
		sv.aliases = map[string]bool{}
	}
	sv.aliases[a] = true
}

func canonKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func newServerSet() *serverSet {
	return &serverSet{byKey: map[string]*serverInfo{}, byHost: map[string]*serverInfo{}}
}

// get returns the server named name, creating it.
func (s *serverSet) get(name string) *serverInfo {
	k := canonKey(name)
	if sv, ok := s.byKey[k]; ok {
		return sv
	}
	sv := &serverInfo{Server: report.Server{Name: name}, key: k} // aliases made when one is found
	s.byKey[k] = sv
	s.list = append(s.list, sv)
	h := canonKey(words.HostPart(name))
	if other, seen := s.byHost[h]; seen && other != sv {
		s.byHost[h] = nil // two instances on one host
	} else {
		s.byHost[h] = sv
	}
	return sv
}

// lookup finds the server a name refers to: its exact name, an alias, or the
// host part of an instance name. It returns nil for names never seen in a file.
func (s *serverSet) lookup(name string) *serverInfo {
	if name == "" {
		return nil
	}
	k := canonKey(name)
	if sv, ok := s.byKey[k]; ok {
		return sv
	}
	return s.byHost[canonKey(words.HostPart(name))] // nil when unknown or ambiguous
}

// canonical maps a replica name from a message to the server's display name,
// or returns it unchanged.
func (s *serverSet) canonical(name string) string {
	if sv := s.lookup(name); sv != nil {
		return sv.Name
	}
	return name
}

// attribute decides the server of every read file: an override, the name the
// log states (ERRORLOG "Server name is", XEvent server or local replica
// names), a sibling file in the same folder that states one, or the folder's
// name (support bundles have one folder per replica). Then it merges names that
// denote the same instance (HOST and HOST\INSTANCE).
func attribute(files []inputs.File, results []inputs.Result, overrides []ServerOverride) *serverSet {
	names := make([]string, len(results))
	// Pass 1: overrides and names stated in the log.
	dirNames := map[string]map[string]bool{}
	firstNamed := map[string]map[string]int{} // folder -> name key -> first file named so
	clusterLogs := map[string]int{}
	for i := range results {
		if results[i].Format() == parsers.FormatClusterlog {
			clusterLogs[files[i].Dir]++
		}
	}
	named := func(dir, name string, i int) {
		k := canonKey(name)
		if dirNames[dir] == nil {
			dirNames[dir] = map[string]bool{}
			firstNamed[dir] = map[string]int{}
		}
		dirNames[dir][k] = true
		if _, ok := firstNamed[dir][k]; !ok {
			firstNamed[dir][k] = i
		}
	}
	for i := range results {
		r := &results[i]
		if !r.Read() {
			continue
		}
		if n := overrideFor(files[i].Name, overrides); n != "" {
			names[i], r.Input.AttributedBy = n, "override"
			continue
		}
		if r.Summary.Server != "" {
			names[i], r.Input.AttributedBy = r.Summary.Server, "log"
			if r.Format() == parsers.FormatClusterlog && clusterLogs[files[i].Dir] > 1 {
				// Collectors put every node's cluster log in each replica's
				// folder: then a node name says nothing about the folder.
				continue
			}
			named(files[i].Dir, r.Summary.Server, i)
		}
	}
	// Pass 2: a collector's <server>_<instance>_ file-name prefix
	// (collectors.go), which names the folder too.
	for i := range results {
		r := &results[i]
		if !r.Read() || names[i] != "" {
			continue
		}
		if s := inputs.CollectorServer(files[i].Name); s != "" {
			names[i], r.Input.AttributedBy = s, "file name"
			if r.Format() != parsers.FormatClusterlog || clusterLogs[files[i].Dir] <= 1 {
				named(files[i].Dir, s, i)
			}
		}
	}
	// Pass 3: siblings, then folder names.
	for i := range results {
		r := &results[i]
		if !r.Read() || names[i] != "" {
			continue
		}
		if sib := oneHost(dirNames[files[i].Dir]); len(sib) == 1 {
			for k := range sib {
				names[i], r.Input.AttributedBy = names[firstNamed[files[i].Dir][k]], "sibling"
			}
			continue
		}
		if len(dirNames[files[i].Dir]) < 2 && folderNamesServer(files[i]) {
			// (A folder whose files name two servers is no replica folder.)
			names[i], r.Input.AttributedBy = filepath.Base(filepath.Clean(files[i].Dir)), "folder"
			continue
		}
		names[i], r.Input.AttributedBy = unknownServer(files[i]), "none"
	}
	// Create servers: full instance names first so that folder/host names
	// merge into them.
	set := newServerSet()
	order := make([]int, 0, len(results))
	for i := range results {
		if names[i] != "" {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		return strings.Contains(names[order[a]], `\`) && !strings.Contains(names[order[b]], `\`)
	})
	for _, i := range order {
		r := &results[i]
		sv := set.lookup(names[i])
		if sv == nil {
			sv = set.get(names[i])
		} else if canonKey(sv.Name) != canonKey(names[i]) {
			sv.addAlias(names[i])
		}
		if r.Input.AttributedBy == "folder" {
			sv.addAlias(filepath.Base(filepath.Clean(files[i].Dir)))
		}
		r.Input.Server = sv.Name
		sv.Files = append(sv.Files, files[i].Name)
		for _, ev := range r.Events {
			ev.Server = sv.Name
		}
	}
	for _, sv := range set.list {
		delete(sv.aliases, sv.Name)
		for a := range sv.aliases {
			sv.Aliases = append(sv.Aliases, a)
		}
		sort.Strings(sv.Aliases)
	}
	return set
}

// oneHost reduces the names stated in one folder to the instance name when
// they all denote one host (HOST\INST from the ERRORLOG, HOST from the
// node's cluster log): that folder still belongs to one server.
func oneHost(names map[string]bool) map[string]bool {
	if len(names) < 2 {
		return names
	}
	host, inst := "", ""
	for n := range names {
		h := words.HostPart(n)
		if host != "" && h != host {
			return names
		}
		host = h
		if n != h {
			if inst != "" && inst != n {
				return names // two instances on one host
			}
			inst = n
		}
	}
	if inst == "" {
		return names
	}
	return map[string]bool{inst: true}
}

// unknownServer names the server of a file nothing attributes. The logs of
// one instance that lie in one folder (its ERRORLOG and the rotated
// ERRORLOG.1 ..., its AlwaysOn_health, system_health and SQLDIAG files)
// share the name: an instance whose logs never say its name is one server
// of the report, not one per file. Files whose names carry a prefix before
// the log's name ("node1_ERRORLOG") are grouped by that prefix.
func unknownServer(f inputs.File) string {
	base := filepath.Base(f.Name)
	lower := strings.ToLower(base)
	for _, family := range []string{"errorlog", "alwayson_health", "system_health", "sqldiag"} {
		if i := strings.Index(lower, family); i >= 0 {
			folder := filepath.Base(filepath.Clean(f.Dir))
			if i == 0 {
				return "unknown (" + folder + ")"
			}
			return "unknown (" + folder + "/" + base[:i] + "…)"
		}
	}
	return "unknown (" + base + ")"
}

// folderNamesServer reports whether f's folder name may stand for its server:
// the folder is below the path the user gave (support bundles have one folder
// per replica); never for a file named directly, nor ".", "/" or the
// descriptor folders of process substitution.
func folderNamesServer(f inputs.File) bool {
	if f.Root == "-" || f.Root == f.Name {
		// Standard input, or a file named directly: its folder may be any
		// folder ("Downloads", "corpus"); --server attributes such files.
		return false
	}
	dir := filepath.Clean(f.Dir)
	switch base := filepath.Base(dir); {
	case base == "." || base == "/" || base == ".." || base == "":
		return false
	case dir == "/dev/fd" || dir == "/proc/self/fd" || strings.HasPrefix(dir, "/proc/"):
		return false
	}
	return dir != filepath.Clean(f.Root)
}

// ServerOverride attributes every file under Path to the server Name
// (--server NAME=PATH).
type ServerOverride struct {
	// Name is the server the files are attributed to.
	Name string
	// Path is a folder or a file: every input under it belongs to Name.
	Path string
}

func overrideFor(file string, overrides []ServerOverride) string {
	best, bestLen := "", -1
	f := filepath.ToSlash(filepath.Clean(file))
	for _, o := range overrides {
		p := filepath.ToSlash(filepath.Clean(o.Path))
		if (f == p || strings.HasPrefix(f, p+"/")) && len(p) > bestLen {
			best, bestLen = o.Name, len(p)
		}
	}
	return best
}

var listenRE = regexp.MustCompile(`listening on \[ ?([0-9a-fA-F.:]+) <ipv[46]> (\d+) ?\]`)

// collectFacts fills server facts (service account, addresses, restarts) from
// the events and maps replica names in events to server names.
func (s *serverSet) collectFacts(events []*parsers.Event) {
	for _, ev := range events {
		sv := s.byKey[canonKey(ev.Server)]
		if ev.Replica != "" {
			ev.Replica = s.canonical(ev.Replica)
		}
		if sv == nil {
			continue
		}
		switch ev.Kind {
		case parsers.KindServerInfo:
			if a := ev.Field("service_account"); a != "" {
				sv.ServiceAccount = a
			}
		case parsers.KindStartup:
			sv.Restarts++
		case parsers.KindEndpointState:
			if m := listenRE.FindStringSubmatch(ev.Message); m != nil && !isLoopback(m[1]) {
				if !slices.Contains(sv.Addresses, m[1]) {
					sv.Addresses = append(sv.Addresses, m[1])
				}
			}
		}
	}
}

func isLoopback(ip string) bool {
	return strings.HasPrefix(ip, "127.") || ip == "::1" || ip == "0.0.0.0" || ip == "::"
}

// byAddress returns the server listening on ip, or nil.
func (s *serverSet) byAddress(ip string) *serverInfo {
	for _, sv := range s.list {
		if slices.Contains(sv.Addresses, ip) {
			return sv
		}
	}
	return nil
}
