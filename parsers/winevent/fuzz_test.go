package winevent

import (
	"strconv"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// FuzzInserts holds Inserts to what it promises on any message: no panic,
// values named Data1, Data2 ... in order, each one a piece of the message.
func FuzzInserts(f *testing.F) {
	for _, c := range Table {
		f.Add(c.Provider, c.ID, expandInserts(c.Message, []parsers.Field{
			{Name: "Data1", Value: "SQLNODE1"}, {Name: "Data2", Value: "AG1"}, {Name: "Data3", Value: "x y"}}))
	}
	f.Add("Microsoft-Windows-FailoverClustering", 1135, "Cluster node '' was removed")
	f.Add("Service Control Manager", 7034, "The  service\r\n\tterminated unexpectedly. It has done this % time(s).")
	f.Fuzz(func(t *testing.T, provider string, id int, msg string) {
		vals := Inserts(provider, id, msg)
		flat := collapseSpace(msg)
		for i, v := range vals {
			if want := "Data" + strconv.Itoa(i+1); v.Name != want {
				t.Fatalf("value %d named %q, want %q", i, v.Name, want)
			}
			if !strings.Contains(flat, v.Value) {
				t.Fatalf("value %q is not in the message %q", v.Value, msg)
			}
		}
	})
}

// FuzzClassify feeds Classify any provider, id and data: it must not panic,
// must leave a Kind, and a SQL Server event must carry its id as Error.
func FuzzClassify(f *testing.F) {
	f.Add("MSSQLSERVER", 41144, "AG1", "5", "")
	f.Add("Service Control Manager", 7034, "SQL Server (MSSQLSERVER)", "1", "")
	f.Add("MSSQL$INST1", 1480, "DB1", "SECONDARY", "0B4500000A00000001000000")
	f.Add("EventLog", 6008, "", "", "zz")
	f.Fuzz(func(t *testing.T, provider string, id int, a, b, binary string) {
		ev := &parsers.Event{}
		data := []parsers.Field{{Name: "param1", Value: a}, {Name: "Data2", Value: b}, {Name: "Binary", Value: binary}}
		Classify(ev, provider, id, data)
		if ev.Kind == "" {
			t.Fatal("Kind left empty")
		}
		if IsSQLServerProvider(provider) && ev.Error != id {
			t.Fatalf("SQL Server event %d has Error %d", id, ev.Error)
		}
	})
}
