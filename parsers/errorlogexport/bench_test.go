package errorlogexport

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/exportgen"

	"github.com/agtriage/agtriage/parsers/errorlog"
)

// benchRecords builds about size bytes (as UTF-8 native text) of realistic
// ERRORLOG records: mostly spid messages, availability group lines, error
// pairs and continuation lines. AGTRIAGE_BENCH_MB overrides the default size
// of 64 MB (the README quotes a 200 MB run).
func benchRecords() []nativeRecord {
	size := 64 << 20
	if s, err := strconv.Atoi(os.Getenv("AGTRIAGE_BENCH_MB")); err == nil && s > 0 {
		size = s << 20
	}
	common := []string{
		"Starting up database 'SalesDB%d'.",
		"Recovery completed for database SalesDB%d (database ID 7) in 1 second(s) (analysis 12 ms, redo 0 ms, undo 3 ms [system undo 0 ms, regular undo 0 ms].) This is an informational message only. No user action is required.",
		"Log was backed up. Database: SalesDB%d, creation date(time): 2023/01/02(10:11:12), first LSN: 41:160:37, last LSN: 41:192:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'E:\\Backup\\SalesDB.trn'}). This is an informational message only. No user action is required.",
		"SQL Server has encountered 1 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [E:\\Data\\SalesDB%d.mdf] in database id 7.",
	}
	ag := []string{
		"The state of the local availability replica in availability group 'AG%d' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the availability group is going offline.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.",
		"A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE%d\\PROD' with id [9A0B7C6D-1E2F-4A3B-8C9D-0E1F2A3B4C5D]. Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.",
	}
	recs := []nativeRecord{
		{Date: "2024-03-12 08:14:02", Frac: "31", Source: "Server", Msg: "Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64)", Conts: []string{"\tJul 27 2023 18:11:00", ""}},
		{Date: "2024-03-12 08:14:02", Frac: "33", Source: "Server", Msg: "UTC adjustment: -7:00"},
	}
	t := time.Date(2024, 3, 12, 8, 14, 3, 0, time.UTC)
	n := 0
	for i := 0; n < size; i++ {
		t = t.Add(time.Duration(i%97) * 10 * time.Millisecond)
		date := t.Format("2006-01-02 15:04:05")
		frac := fmt.Sprintf("%02d", t.Nanosecond()/1e7)
		spid := fmt.Sprintf("spid%ds", 20+i%40)
		var r nativeRecord
		switch {
		case i%50 == 7:
			recs = append(recs, nativeRecord{Date: date, Frac: frac, Source: "Server", Msg: "Error: 19407, Severity: 16, State: 1."})
			r = nativeRecord{Date: date, Frac: frac, Source: "Server", Msg: fmt.Sprintf("The lease between availability group 'AG%d' and the Windows Server Failover Cluster has expired.", i%3)}
		case i%10 == 3:
			r = nativeRecord{Date: date, Frac: frac, Source: spid, Msg: fmt.Sprintf(ag[i%len(ag)], i%3)}
		case i%200 == 11:
			r = nativeRecord{Date: date, Frac: frac, Source: "Server", Msg: "Registry startup parameters:", Conts: []string{"\t -d D:\\MSSQL15.PROD\\MSSQL\\DATA\\master.mdf"}}
		default:
			r = nativeRecord{Date: date, Frac: frac, Source: spid, Msg: fmt.Sprintf(common[i%len(common)], i%17)}
		}
		recs = append(recs, r)
		n += 36 + len(r.Msg)
	}
	return recs
}

func benchRead(b *testing.B, data []byte, native bool) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		if native {
			r := errorlog.NewReader(bytes.NewReader(data), "bench")
			r.Reuse = true
			for ev, err := range r.Events() {
				if err != nil {
					b.Fatal(err)
				}
				if ev != nil {
					n++
				}
			}
		} else {
			r := NewReader(bytes.NewReader(data), "bench")
			r.Reuse = true
			for ev, err := range r.Events() {
				if err != nil {
					b.Fatal(err)
				}
				if ev != nil {
					n++
				}
			}
		}
		if n == 0 {
			b.Fatal("no events")
		}
	}
}

// BenchmarkExports reads the same records as a native ERRORLOG (UTF-16LE,
// the baseline) and as each export. Compare ns/op (same content) and MB/s.
func BenchmarkExports(b *testing.B) {
	recs := benchRecords()
	cases := []struct {
		name   string
		native bool
		data   func() []byte
	}{
		{"native-utf16", true, func() []byte { return utf16le(writeNative(recs, false)) }},
		{"ssms-utf16-asc", false, func() []byte { return utf16le(ssmsExport(false)(b, recs, false)) }},
		{"ssms-utf16-desc", false, func() []byte { return utf16le(ssmsExport(false)(b, recs, true)) }},
		{"xp-csv-asc", false, func() []byte { return []byte(xpCSV(b, recs, false)) }},
		{"xp-csv-desc", false, func() []byte { return []byte(xpCSV(b, recs, true)) }},
		{"dbatools-en", false, func() []byte { return []byte(dbatools("en-US")(b, recs, false)) }},
	}
	for _, c := range cases {
		data := c.data()
		b.Run(c.name, func(b *testing.B) { benchRead(b, data, c.native) })
	}
}

func readOnce(b *testing.B, data []byte, native bool) time.Duration {
	start := time.Now()
	n := 0
	if native {
		r := errorlog.NewReader(bytes.NewReader(data), "bench")
		r.Reuse = true
		for ev, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			if ev != nil {
				n++
			}
		}
	} else {
		r := NewReader(bytes.NewReader(data), "bench")
		r.Reuse = true
		for ev, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			if ev != nil {
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("no events")
	}
	return time.Since(start)
}

// BenchmarkExportRatio reads, in every iteration, the native ERRORLOG and an
// export of the same records one after the other, and reports the export's
// time over the native reader's ("x-native"; the requirement is at most 1.5),
// which a busy machine skews far less than separate runs. The baseline is
// the native log in the export's text width: UTF-16LE for the SSMS export,
// UTF-8 for the 8-bit exports.
func BenchmarkExportRatio(b *testing.B) {
	recs := benchRecords()
	native16 := utf16le(writeNative(recs, false))
	native8 := []byte(writeNative(recs, false))
	cases := []struct {
		name string
		base []byte
		data func() []byte
	}{
		{"ssms-utf16-desc", native16, func() []byte { return utf16le(exportgen.SSMS(recs, true, false)) }},
		{"xp-csv-desc", native8, func() []byte { return []byte(exportgen.XPCSV(recs, true)) }},
		{"xp-text-asc", native8, func() []byte { return []byte(exportgen.XPText(recs, false)) }},
		{"dbatools-en", native8, func() []byte { return []byte(exportgen.Dbatools(recs, false, "en-US", "SQLNODE1")) }},
	}
	for _, c := range cases {
		data := c.data()
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var tn, te time.Duration
			for range b.N {
				tn += readOnce(b, c.base, true)
				te += readOnce(b, data, false)
			}
			b.ReportMetric(float64(te)/float64(tn), "x-native")
			b.ReportMetric(float64(len(c.base))/tn.Seconds()*float64(b.N)/1e6, "native-MB/s")
			b.ReportMetric(float64(len(data))/te.Seconds()*float64(b.N)/1e6, "export-MB/s")
		})
	}
}
