package engine

import (
	"testing"

	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// bundle builds the files and read results attribute takes: a file with a
// logServer was read (its log names that server, or none when ""); a file
// without one was not.
func bundle(specs ...[4]string) ([]inputs.File, []inputs.Result) {
	files := make([]inputs.File, len(specs))
	results := make([]inputs.Result, len(specs))
	for i, sp := range specs {
		files[i] = inputs.File{Name: sp[0], Dir: sp[1], Root: sp[2]}
		results[i].Input = &report.Input{File: sp[0]}
		if sp[3] != "-" {
			results[i].Summary = inputs.Summary{Server: sp[3], Read: true}
			results[i].Events = []*parsers.Event{{Kind: parsers.KindStartup}}
		}
	}
	return files, results
}

func TestAttribute(t *testing.T) {
	files, results := bundle(
		[4]string{"b/n1/ERRORLOG", "b/n1", "b", `NODE1\INST`}, // the log names it
		[4]string{"b/n1/ERRORLOG.1", "b/n1", "b", ""},         // sibling of a named file
		[4]string{"b/node1/AlwaysOn.xml", "b/node1", "b", ""}, // folder = host of NODE1\INST
		[4]string{"b/NODE2/ERRORLOG", "b/NODE2", "b", ""},     // folder name only
		[4]string{"b/x/ERRORLOG", "b/x", "b", ""},             // overridden below
		[4]string{"flat.log", ".", ".", ""},                   // nothing to go by
		[4]string{"b/n1/readme.txt", "b/n1", "b", "-"},        // not read
	)
	set := attribute(files, results, []ServerOverride{{Name: "NODE3", Path: "b/x"}})
	want := []struct{ server, by string }{
		{`NODE1\INST`, "log"},
		{`NODE1\INST`, "sibling"},
		{`NODE1\INST`, "folder"},
		{"NODE2", "folder"},
		{"NODE3", "override"},
		{"unknown (flat.log)", "none"},
		{"", ""},
	}
	for i, w := range want {
		if got := results[i].Input; got.Server != w.server || got.AttributedBy != w.by {
			t.Errorf("%s: server %q by %q, want %q by %q", files[i].Name, got.Server, got.AttributedBy, w.server, w.by)
		}
		for _, ev := range results[i].Events {
			if ev.Server != w.server {
				t.Errorf("%s: event server %q, want %q", files[i].Name, ev.Server, w.server)
			}
		}
	}
	sv := set.lookup("node1")
	if sv == nil || sv.Name != `NODE1\INST` {
		t.Fatalf("lookup(node1) = %v", sv)
	}
	if len(sv.Aliases) != 1 || sv.Aliases[0] != "node1" {
		t.Errorf("aliases %v, want [node1]", sv.Aliases)
	}
	if got := set.canonical("Node1"); got != `NODE1\INST` {
		t.Errorf("canonical(Node1) = %q", got)
	}
	if got := set.canonical("OTHER"); got != "OTHER" {
		t.Errorf("canonical(OTHER) = %q", got)
	}
}

func TestCollectFactsAddresses(t *testing.T) {
	set := newServerSet()
	set.get("S1")
	evs := []*parsers.Event{
		{Server: "S1", Kind: parsers.KindEndpointState, Message: "Server is listening on [ 10.1.2.3 <ipv4> 1433]."},
		{Server: "S1", Kind: parsers.KindEndpointState, Message: "Server is listening on [ 127.0.0.1 <ipv4> 1434]."},
		{Server: "S1", Kind: parsers.KindEndpointState, Message: "Server is listening on [ 'any' <ipv4> 5022]."},
		{Server: "S1", Kind: parsers.KindServerInfo, Fields: []parsers.Field{{Name: "service_account", Value: `C\svc`}}},
		{Server: "S1", Kind: parsers.KindStartup},
	}
	set.collectFacts(evs)
	sv := set.lookup("S1")
	if len(sv.Addresses) != 1 || sv.Addresses[0] != "10.1.2.3" || sv.ServiceAccount != `C\svc` || sv.Restarts != 1 {
		t.Errorf("facts: %+v", sv.Server)
	}
	if set.byAddress("10.1.2.3") != sv || set.byAddress("10.9.9.9") != nil {
		t.Error("byAddress")
	}
}

// TestUnknownServerGroups: the logs of one instance that never says its
// name, in one folder, are one unknown server, not one per file.
func TestUnknownServerGroups(t *testing.T) {
	// Files directly in the folder given on the command line: its name is
	// the case's, not a server's, so nothing names their server.
	files, results := bundle(
		[4]string{"case/ERRORLOG", "case", "case", ""},
		[4]string{"case/ERRORLOG.1", "case", "case", ""},
		[4]string{"case/AlwaysOn_health_0_1330.xel", "case", "case", ""},
		[4]string{"case/notes.log", "case", "case", ""},
	)
	set := attribute(files, results, nil)
	want := []string{"unknown (case)", "unknown (case)", "unknown (case)", "unknown (notes.log)"}
	for i, w := range want {
		if got := results[i].Input.Server; got != w {
			t.Errorf("%s: server %q, want %q", files[i].Name, got, w)
		}
	}
	if n := len(set.list); n != 2 {
		t.Errorf("%d servers, want 2", n)
	}
	if got := unknownServer(inputs.File{Name: "case/node7_errorlog.2", Dir: "case"}); got != "unknown (case/node7_…)" {
		t.Errorf("prefixed ERRORLOG: %q", got)
	}
}
