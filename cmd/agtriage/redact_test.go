package main

import (
	"bytes"
	"encoding/json"
	"html"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	// reIPv4 finds dotted quads; originals are checked with netip.
	reIPv4 = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	// reQuotedLogin finds the login of "login attempt by user 'D\x'",
	// "Login failed for user 'x'" and the like.
	reQuotedLogin = regexp.MustCompile(`(?i)\b(?:user|login|account)\s+'([^'\s]+)'`)
	// reDomainLogin finds DOMAIN\name; only domains of known accounts count,
	// so that Windows paths (C:\Program Files) are not taken for logins.
	reDomainLogin = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9-]{0,14})\\([A-Za-z0-9_.$-]+)`)
)

// originals lists the names a redacted report must not contain, read from the
// unredacted JSON report: servers and their aliases, addresses, service
// accounts and their domains, logins and IP addresses quoted in any text.
func originals(t *testing.T, unredacted string) []string {
	t.Helper()
	rep := parseReport(t, unredacted)
	set := map[string]bool{}
	domains := map[string]bool{}
	addLogin := func(l string) {
		l = strings.TrimRight(l, ".")
		dom, user, ok := strings.Cut(l, `\`)
		if !ok {
			// A SQL login; the built-in ones stay.
			if l != "" && !strings.EqualFold(l, "sa") && !strings.HasPrefix(l, "##") {
				set[l] = true
			}
			return
		}
		if dom == "" || user == "" {
			return
		}
		switch strings.ToUpper(dom) {
		case "NT AUTHORITY", "NT SERVICE", "BUILTIN":
			return
		}
		set[l] = true
		set[user] = true
		domains[strings.ToLower(dom)] = true
		set[dom] = true
	}
	for _, s := range rep.Servers {
		set[s.Name] = true
		for _, a := range s.Aliases {
			set[a] = true
		}
		for _, a := range s.Addresses {
			set[a] = true
		}
		if s.ServiceAccount != "" {
			addLogin(s.ServiceAccount)
		}
	}
	var all []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			all = append(all, v)
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var doc any
	if err := json.Unmarshal([]byte(unredacted), &doc); err != nil {
		t.Fatal(err)
	}
	walk(doc)
	for _, s := range all {
		for _, m := range reQuotedLogin.FindAllStringSubmatch(s, -1) {
			addLogin(m[1])
		}
		for _, m := range reIPv4.FindAllString(s, -1) {
			if a, err := netip.ParseAddr(m); err == nil && !a.IsLoopback() && !a.IsUnspecified() {
				set[m] = true
			}
		}
	}
	for _, s := range all {
		for _, m := range reDomainLogin.FindAllStringSubmatch(s, -1) {
			if domains[strings.ToLower(m[1])] {
				addLogin(m[0])
			}
		}
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestRedact: with --redact no original host, IP address, domain or login
// survives anywhere in the Markdown, HTML or JSON report.
func TestRedact(t *testing.T) {
	// Patterns of the names the fixtures use, as a second net under the
	// list read from the reports.
	fixed := []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bSQLAG0\d`),
		regexp.MustCompile(`\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`),
		regexp.MustCompile(`(?i)CONTOSO`),
		regexp.MustCompile(`(?i)sqlsvc`),
	}
	for _, dir := range bundles(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plain := agt(t, runOpts{}, "-f", "json", dir)
			plain.expectCode(t, 0)
			names := originals(t, plain.stdout)
			if len(names) == 0 {
				t.Fatal("no names to redact found in the unredacted report")
			}
			if name == "demo" {
				// The demo's cast, so that the list above cannot quietly shrink.
				for _, want := range []string{"SQLAG01", "SQLAG02", "SQLAG03-DR", "10.10.1.12", `CONTOSO\sqlsvc02`} {
					if !contains(names, want) {
						t.Errorf("%q is not among the originals found: %v", want, names)
					}
				}
			}
			var res []*regexp.Regexp
			for _, n := range names {
				res = append(res, regexp.MustCompile(`(?i)(^|[^A-Za-z0-9])`+regexp.QuoteMeta(n)+`($|[^A-Za-z0-9])`))
			}
			res = append(res, fixed...)
			for _, args := range [][]string{
				{"--redact", dir},
				{"--redact", "-f", "json", dir},
				{"--redact", "--tz", "Europe/Paris", dir},
				{"--redact", "-f", "html", "--tz", "Europe/Paris", dir},
			} {
				r := agt(t, runOpts{}, args...)
				r.expectCode(t, 0)
				if len(r.stdout) < 1000 {
					t.Fatalf("%v: short output:\n%s", args, r.stdout)
				}
				out := r.stdout
				format := ""
				if args[1] == "-f" {
					format = args[2]
				}
				if format == "html" {
					// Names in attributes and SVG titles, entities decoded.
					out += html.UnescapeString(out)
				}
				if format == "json" {
					// Check the JSON strings decoded too (\\ escapes).
					var doc any
					if err := json.Unmarshal([]byte(out), &doc); err != nil {
						t.Fatalf("--redact -f json: %v", err)
					}
					b, _ := json.Marshal(doc)
					out += string(b)
					out = strings.ReplaceAll(out, `\\`, `\`)
				}
				for _, re := range res {
					if loc := re.FindStringIndex(out); loc != nil {
						from, to := max(0, loc[0]-80), min(len(out), loc[1]+80)
						t.Errorf("%v: %s survives: …%s…", args, re, out[from:to])
					}
				}
				if !regexp.MustCompile(`HOST-\d`).MatchString(out) {
					t.Errorf("%v: no HOST-n pseudonym in the output", args)
				}
			}
		})
	}
	t.Run("events", func(t *testing.T) {
		demo := filepath.Join(testdata, "demo")
		plain := agt(t, runOpts{}, "-f", "events", demo)
		r := agt(t, runOpts{}, "--redact", "-f", "events", demo)
		r.expectCode(t, 0)
		if n, m := strings.Count(plain.stdout, "\n"), strings.Count(r.stdout, "\n"); n != m || n < 100 {
			t.Errorf("%d events redacted, %d plain", m, n)
		}
		names := originals(t, agt(t, runOpts{}, "-f", "json", demo).stdout)
		out := strings.ReplaceAll(r.stdout, `\\`, `\`)
		for _, re := range append(fixed[:3:3], regexp.MustCompile(`(?i)[^s]sqlsvc`), regexp.MustCompile(regexp.QuoteMeta(testdata))) { // MSSQLSvc is a word
			if loc := re.FindStringIndex(out); loc != nil {
				t.Errorf("%s survives: …%s…", re, out[max(0, loc[0]-80):min(len(out), loc[1]+80)])
			}
		}
		for _, n := range names {
			re := regexp.MustCompile(`(?i)(^|[^A-Za-z0-9])` + regexp.QuoteMeta(n) + `($|[^A-Za-z0-9])`)
			if loc := re.FindStringIndex(out); loc != nil {
				t.Errorf("%s survives: …%s…", n, out[max(0, loc[0]-80):min(len(out), loc[1]+80)])
			}
		}
		// Standard input is read once and replayed for the passes.
		data, err := os.ReadFile(filepath.Join(demo, "SQLAG01", "ERRORLOG"))
		if err != nil {
			t.Fatal(err)
		}
		in := agt(t, runOpts{stdin: bytes.NewReader(data)}, "--redact", "-f", "events", "-")
		in.expectCode(t, 0)
		if strings.Count(in.stdout, "\n") < 50 || strings.Contains(in.stdout, "SQLAG01") {
			t.Errorf("stdin: %d events, leaks: %v", strings.Count(in.stdout, "\n"), strings.Contains(in.stdout, "SQLAG01"))
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
