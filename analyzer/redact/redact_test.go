package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/reporttest"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/report"
)

// mdSecrets are the names in reporttest.Sample that must not survive Redact.
var mdSecrets = []string{
	"SQLAG01", "SQLAG02", "SQLAG03", "INST2", "node-b", "contoso", "svc_sqlag", "svc_sqlag02", "appuser",
	"10.20.1.11", "10.20.1.12", "10.20.5.77", "fe80::20c:29ff:fe12:3456",
}

// redactContainsWord reports whether s holds name case-insensitively, standing alone
// the way redactWordRune sees names.
func redactContainsWord(s, name string) bool {
	ls, ln := redactASCIILower(s), redactASCIILower(name)
	for i := 0; ; {
		j := strings.Index(ls[i:], ln)
		if j < 0 {
			return false
		}
		j += i
		before, after := rune(' '), rune(' ')
		if j > 0 {
			before = []rune(s[:j])[len([]rune(s[:j]))-1]
		}
		if rest := []rune(s[j+len(ln):]); len(rest) > 0 {
			after = rest[0]
		}
		if !redactWordRune(before, false) && !redactWordRune(after, false) {
			return true
		}
		i = j + 1
	}
}

func redactASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestRedactNoLeak(t *testing.T) {
	orig := reporttest.Sample()
	red := Report(orig, Options{})
	if !reflect.DeepEqual(orig, reporttest.Sample()) {
		t.Fatal("Redact modified its input")
	}
	md := mdRender(t, red, mdreport.Options{TZ: time.FixedZone("CET", 3600)})
	reporttest.CheckMarkdown(t, md)
	js, err := json.Marshal(red)
	if err != nil {
		t.Fatal(err)
	}
	var jsText bytes.Buffer
	// Undo JSON's escapes (\\, \u003c) so that a name cannot hide behind them.
	var anyJSON any
	if err := json.Unmarshal(js, &anyJSON); err != nil {
		t.Fatal(err)
	}
	redactJSONStrings(anyJSON, &jsText)
	outputs := map[string]string{
		"markdown":           md,
		"markdown unescaped": strings.ReplaceAll(md, `\`, ""),
		"json strings":       jsText.String(),
	}
	for what, out := range outputs {
		for _, secret := range mdSecrets {
			if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
				i := strings.Index(strings.ToLower(out), strings.ToLower(secret))
				t.Errorf("%s: %q survives redaction: …%s…", what, secret, out[max(0, i-60):min(len(out), i+60)])
			}
		}
	}
	// What must stay: AG and database names, SQL, error numbers, built-ins.
	for _, keep := range []string{"AGProd", "SalesDB", "Inventory", "GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [", "State 84", "19407", "Hadr_endpoint"} {
		if !strings.Contains(md, keep) && !strings.Contains(md, mdEscaped(keep)) {
			t.Errorf("redaction removed %q", keep)
		}
	}
}

func redactJSONStrings(v any, out *bytes.Buffer) {
	switch v := v.(type) {
	case string:
		out.WriteString(v)
		out.WriteByte('\n')
	case []any:
		for _, x := range v {
			redactJSONStrings(x, out)
		}
	case map[string]any:
		for k, x := range v {
			out.WriteString(k)
			out.WriteByte('\n')
			redactJSONStrings(x, out)
		}
	}
}

func TestRedactStable(t *testing.T) {
	red := Report(reporttest.Sample(), Options{})
	s1, s2 := red.Servers[0].Name, red.Servers[1].Name
	if s1 != "HOST-1" || s2 != `HOST-2\INST-1` || red.Servers[2].Name != "HOST-3" {
		t.Fatalf("server pseudonyms %q %q %q", s1, s2, red.Servers[2].Name)
	}
	checks := []struct{ what, got, want string }{
		{"failover from", red.Failovers[0].From, s1},
		{"failover to", red.Failovers[0].To, s2},
		{"connection server", red.Connections[0].Server, s2},
		{"role server", red.Roles[5].Server, s2},
		{"incident server", red.Incidents[0].Servers[1], s2},
		{"input server", red.Inputs[2].Server, s2},
		{"alias (host alone)", red.Servers[1].Aliases[0], "HOST-2"},
		{"alias (folder name)", red.Servers[1].Aliases[1], "HOST-2"},
		{"alias (FQDN)", red.Servers[0].Aliases[0], "HOST-1.DOMAIN-1"},
		{"service account", red.Servers[1].ServiceAccount, `DOMAIN-1\LOGIN-2`},
		{"address", red.Servers[1].Addresses[0], "IP-2"},
		{"IPv6 address", red.Servers[1].Addresses[1], "IP-3"},
		{"file path", red.Inputs[2].File, "bundle/HOST-2/HOST-2_ERRORLOG.txt"},
		{"position", red.Timeline[4].Position, "bundle/HOST-2/HOST-2_ERRORLOG.txt:300"},
		{"AG", red.AGs[0], "AGProd"},
		{"database", red.Incidents[0].Databases[0], "SalesDB"},
		{"root cause", red.Incidents[0].RootCause,
			`The login DOMAIN-1\LOGIN-2 has no CONNECT permission on the mirroring endpoint of HOST-1.`},
		{"sentence end", red.Incidents[1].RootCause,
			`The cluster service on HOST-1 lost quorum; the AG lease expired and AGProd failed over to HOST-2\INST-1.`},
		{"fix SQL", red.Incidents[0].Fix.SQL[0], "USE [master];\nGRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [DOMAIN-1\\LOGIN-2];"},
		{"evidence", red.Incidents[0].Chain[0].Evidence[0].Text,
			"Database Mirroring login attempt by user 'DOMAIN-1\\LOGIN-2.' failed with error: 'Connection handshake failed. The login 'DOMAIN-1\\LOGIN-2' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: IP-2]"},
		{"login", red.Timeline[2].Text,
			"Login failed for user 'LOGIN-3'. Reason: Failed to open the explicitly specified database 'SalesDB'. [CLIENT: IP-4]"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	// Same report, same pseudonyms.
	if again := Report(reporttest.Sample(), Options{}); !reflect.DeepEqual(red, again) {
		t.Error("two redactions of the same report differ")
	}
}

// TestRedactText runs Redact on one text next to known servers.
func TestRedactText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"host, case-insensitive", "sqlag01 and SqlAg01 went down", "HOST-1 and HOST-1 went down"},
		{"no half replacement", "SQLAG012, SQLAG01-B, xSQLAG01, SQLAG01_X", "SQLAG012, SQLAG01-B, xSQLAG01, SQLAG01_X"},
		{"instance", `Server name is 'SQLAG02\INST2'. MSSQL$INST2 started`, `Server name is 'HOST-2\INST-1'. MSSQL$INST-1 started`},
		{"unknown instance of a known host", `replica 'SQLAG01\NEWINST' is starting`, `replica 'HOST-1\INST-2' is starting`},
		{"IPv4 with port", "TCP://10.1.2.3:5022 and 10.1.2.3.", "TCP://IP-1:5022 and IP-1."},
		{"IPv4 prefix of another", "10.1.2.3 10.1.2.34", "IP-1 IP-2"},
		{"IPv6", "[CLIENT: fe80::1%12] and 2001:DB8::5", "[CLIENT: IP-1] and IP-2"},
		{"client host", "[CLIENT: appserver7]", "[CLIENT: HOST-3]"},
		{"loopback kept", "[CLIENT: <local machine>] 127.0.0.1 ::1", "[CLIENT: <local machine>] 127.0.0.1 ::1"},
		{"times and versions are not IPs", "14:32:50.123 version 15.0.4312.2 at 2024-03-14T02:10:00", "14:32:50.123 version 15.0.4312.2 at 2024-03-14T02:10:00"},
		{"endpoint URL FQDN", "TCP://sqlag03.corp.contoso.com:5022", "TCP://HOST-3.DOMAIN-1:5022"},
		{"domain login and domain alone", `login 'CORP\bob' failed; CORP\bob again; CORP domain`, `login 'DOMAIN-1\LOGIN-1' failed; DOMAIN-1\LOGIN-1 again; DOMAIN-1 domain`},
		{"machine account", `user 'CORP\SQLAG01$.'`, `user 'DOMAIN-1\HOST-1$.'`},
		{"SQL login", "Login failed for user 'appuser'. appuser retried", "Login failed for user 'LOGIN-1'. LOGIN-1 retried"},
		{"built-ins kept", `Login failed for user 'NT AUTHORITY\SYSTEM'. user 'sa' ##MS_Agent##`, `Login failed for user 'NT AUTHORITY\SYSTEM'. user 'sa' ##MS_Agent##`},
		{"SQL bracket login", "CREATE LOGIN [CORP\\svc] FROM WINDOWS; GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CORP\\svc]",
			"CREATE LOGIN [DOMAIN-1\\LOGIN-1] FROM WINDOWS; GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [DOMAIN-1\\LOGIN-1]"},
		{"AG and database kept", "AG 'AGProd' database 'SalesDB' on SQLAG01", "AG 'AGProd' database 'SalesDB' on HOST-1"},
		{"Windows path kept", `'C:\Program Files\Microsoft SQL Server\MSSQL\Log\ERRORLOG'`, `'C:\Program Files\Microsoft SQL Server\MSSQL\Log\ERRORLOG'`},
		{"mismatched quote is no login", "user '" + strings.Repeat("word ", 40) + "'", "user '" + strings.Repeat("word ", 40) + "'"},
		{"SPN", "MSSQLSvc/sqlag01.corp.local:1433", "MSSQLSvc/HOST-1.DOMAIN-1:1433"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &report.Report{
				AGs:       []string{"AGProd"},
				Databases: []string{"SalesDB"},
				Servers:   []report.Server{{Name: "SQLAG01"}, {Name: `SQLAG02\INST2`}},
				Warnings:  []string{tt.in},
			}
			if got := Report(r, Options{}).Warnings[0]; got != tt.want {
				t.Errorf("Report(%q, Options{})\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRedactVisitsEveryString fills every string of a Report with a marker
// and checks that walkReportStrings visits each one and returns a copy that
// shares nothing with the original. It fails when a string field is added to
// the Report without being added to the walker.
func TestRedactVisitsEveryString(t *testing.T) {
	var r report.Report
	n := 0
	redactFillStrings(reflect.ValueOf(&r).Elem(), &n)
	if n < 40 {
		t.Fatalf("only %d strings filled", n)
	}
	seen := map[string]bool{}
	cp := walkReportStrings(&r, func(s string, _ reportField) string {
		seen[s] = true
		return "X" + s
	})
	for i := range n {
		if m := fmt.Sprintf("m%d", i); !seen[m] {
			t.Errorf("marker %s not visited", m)
		}
	}
	// The copy holds the new strings, the original the old ones.
	var cpStrings, origStrings []string
	redactListStrings(reflect.ValueOf(cp).Elem(), &cpStrings)
	redactListStrings(reflect.ValueOf(&r).Elem(), &origStrings)
	for i, s := range cpStrings {
		if s != "X"+origStrings[i] {
			t.Errorf("copy string %d = %q, original %q", i, s, origStrings[i])
		}
	}
}

func redactFillStrings(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("m%d", *n))
		*n++
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[[]byte]() {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		v.Set(s)
		for i := range 2 {
			redactFillStrings(v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				redactFillStrings(v.Field(i), n)
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		redactFillStrings(v.Elem(), n)
	}
}

func redactListStrings(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Slice:
		for i := range v.Len() {
			redactListStrings(v.Index(i), out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				redactListStrings(v.Field(i), out)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			redactListStrings(v.Elem(), out)
		}
	}
}

func TestRedactNil(t *testing.T) {
	if Report(nil, Options{}) != nil {
		t.Error("Report(nil, Options{}) != nil")
	}
	r := Report(&report.Report{}, Options{})
	if r == nil || len(r.Servers) != 0 {
		t.Errorf("Report(empty, Options{}) = %+v", r)
	}
}

// FuzzRedact checks on any text that no known host or address survives as a
// name of its own, and that redaction never panics.
func FuzzRedact(f *testing.F) {
	f.Add("Login failed for user 'CORP\\bob'. [CLIENT: 10.0.0.9]")
	f.Add("'SQLAG01\\X' TCP://sqlag01.corp.local:5022 fe80::1%3")
	f.Add("user '")
	f.Add("[CLIENT: ]\\\\''")
	f.Fuzz(func(t *testing.T, text string) {
		r := &report.Report{
			Servers:  []report.Server{{Name: "SQLAG01", Addresses: []string{"10.1.2.3"}}},
			Timeline: []report.TimelineEntry{{Server: "SQLAG01", Text: text + " SQLAG01 " + text + " 10.1.2.3 " + text}},
		}
		got := Report(r, Options{}).Timeline[0].Text
		for _, secret := range []string{"SQLAG01", "10.1.2.3"} {
			if redactContainsWord(got, secret) {
				t.Errorf("%q survives in %q", secret, got)
			}
		}
		if Report(r, Options{}).Timeline[0].Text != got {
			t.Error("redaction not deterministic")
		}
	})
}

func BenchmarkRedact(b *testing.B) {
	r := reporttest.Big(5000)
	size := 0
	listed := []string{}
	redactListStrings(reflect.ValueOf(r).Elem(), &listed)
	for _, s := range listed {
		size += len(s)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		Report(r, Options{})
	}
}

// mdRender writes r as Markdown and checks its structure.
func mdRender(t testing.TB, r *report.Report, opt mdreport.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := mdreport.Write(&b, r, opt); err != nil {
		t.Fatalf("mdreport.Write: %v", err)
	}
	return b.String()
}

// mdEscaped is s as the Markdown writer escapes it in a table cell.
func mdEscaped(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "_", `\_`, "*", `\*`, "`", "\\`", "~", `\~`, "|", `\|`).Replace(s)
}
