package engine

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// UnmatchedOptions returns a warning for every option value that had no
// effect: a server of Options.UTCOffsets that is none of the servers (by
// name, host part or alias), and a path of Options.Servers that holds none
// of the inputs. servers may be nil (the events view); the inputs' servers
// are then used. A careful reader of a customer's bundle wants to know that
// a typo left a clock unset.
func UnmatchedOptions(opt Options, servers []report.Server, inputs []report.Input) []string {
	known := map[string]bool{}
	var names []string
	add := func(n string) {
		if n == "" || strings.HasPrefix(n, "unknown (") {
			return
		}
		if !known[canonKey(n)] {
			names = append(names, n)
		}
		known[canonKey(n)] = true
		known[canonKey(words.HostPart(n))] = true
	}
	for _, s := range servers {
		add(s.Name)
		for _, a := range s.Aliases {
			add(a)
		}
	}
	for _, in := range inputs {
		add(in.Server)
	}
	sort.Strings(names)
	var out []string
	for _, name := range slices.Sorted(maps.Keys(opt.UTCOffsets)) {
		if !known[canonKey(name)] {
			list := strings.Join(names, ", ")
			if list == "" {
				list = "none"
			}
			out = append(out, fmt.Sprintf("--utc-offset %s: no server of that name, the offset was not used (the servers are: %s)", name, list))
		}
	}
	for _, o := range opt.Servers {
		found := false
		for _, in := range inputs {
			if in.Skipped == "" && overrideFor(in.File, []ServerOverride{o}) != "" {
				found = true
				break
			}
		}
		if !found {
			out = append(out, fmt.Sprintf("--server %s=%s: none of the files read is under that path, nothing was attributed to %s", o.Name, o.Path, o.Name))
		}
	}
	return out
}
