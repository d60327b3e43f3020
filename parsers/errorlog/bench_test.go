package errorlog

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

const benchSize = 64 << 20

var (
	benchOnce sync.Once
	benchData []byte
)

// benchLog returns a 64 MB UTF-16LE ERRORLOG (BOM, CRLF) built from realistic
// records: mostly spid messages, with availability group lines, error pairs
// and continuation lines mixed in.
func benchLog() []byte {
	benchOnce.Do(func() {
		common := []string{
			"spid%ds     Starting up database 'SalesDB%d'.",
			"spid%ds     Recovery completed for database SalesDB%d (database ID 7) in 1 second(s) (analysis 12 ms, redo 0 ms, undo 3 ms [system undo 0 ms, regular undo 0 ms].) This is an informational message only. No user action is required.",
			"spid%d      Log was backed up. Database: SalesDB%d, creation date(time): 2023/01/02(10:11:12), first LSN: 41:160:37, last LSN: 41:192:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'E:\\Backup\\SalesDB.trn'}). This is an informational message only. No user action is required.",
			"spid%ds     CHECKDB for database 'SalesDB%d' finished without errors on 2024-03-10 02:00:00.317 (local time). This is an informational message only; no user action is required.",
			"spid%ds     SQL Server has encountered 1 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [E:\\Data\\SalesDB%d.mdf] in database id 7.",
		}
		ag := []string{
			"spid%ds     The state of the local availability replica in availability group 'AG%d' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the availability group is going offline.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.",
			"spid%ds     A connection for availability group 'AG%d' from availability replica 'SQLNODE1\\PROD' with id  [5E3C2A10-8B1D-4F5E-9A77-2C1D0E4B6A11] to 'SQLNODE2\\PROD' with id  [9A0B7C6D-1E2F-4A3B-8C9D-0E1F2A3B4C5D] has been successfully established.  This is an informational message only. No user action is required.",
			"spid%ds     The availability group database \"SalesDB%d\" is changing roles from \"PRIMARY\" to \"RESOLVING\" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.",
			"spid%ds     A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE%d\\PROD' with id [9A0B7C6D-1E2F-4A3B-8C9D-0E1F2A3B4C5D]. Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.",
		}
		var b bytes.Buffer
		b.WriteString("2024-03-12 08:14:02.31 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) \r\n\tJul 27 2023 18:11:00 \r\n\r\n")
		b.WriteString("2024-03-12 08:14:02.33 Server      UTC adjustment: -7:00\r\n")
		t := time.Date(2024, 3, 12, 8, 14, 3, 0, time.UTC)
		for i := 0; b.Len() < benchSize/2; i++ {
			t = t.Add(time.Duration(i%97) * 10 * time.Millisecond)
			stamp := t.Format("2006-01-02 15:04:05.00")
			switch {
			case i%50 == 7:
				fmt.Fprintf(&b, "%s Server      Error: 19407, Severity: 16, State: 1.\r\n", stamp)
				fmt.Fprintf(&b, "%s Server      The lease between availability group 'AG%d' and the Windows Server Failover Cluster has expired.\r\n", stamp, i%3)
			case i%10 == 3:
				fmt.Fprintf(&b, "%s "+ag[i%len(ag)]+"\r\n", stamp, 20+i%40, i%3)
			case i%200 == 11:
				fmt.Fprintf(&b, "%s Server      Registry startup parameters: \r\n\t -d D:\\MSSQL15.PROD\\MSSQL\\DATA\\master.mdf\r\n", stamp)
			default:
				fmt.Fprintf(&b, "%s "+common[i%len(common)]+"\r\n", stamp, 20+i%40, i%17)
			}
		}
		benchData = utf16le(b.String())
	})
	return benchData
}

// BenchmarkReader measures the reader on UTF-16LE input (MB/s of input).
func BenchmarkReader(b *testing.B) { benchReader(b, false) }

// BenchmarkReaderReuse is BenchmarkReader with Reuse set, as the analyzer
// reads.
func BenchmarkReaderReuse(b *testing.B) { benchReader(b, true) }

func benchReader(b *testing.B, reuse bool) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	defer allocsPerMB(b, len(data))()
	for range b.N {
		r := NewReader(bytes.NewReader(data), "bench")
		r.Reuse = reuse
		n := 0
		for ev, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			if ev != nil {
				n++
			}
		}
		if n == 0 || r.Stats().Events != n {
			b.Fatalf("%d events", n)
		}
	}
}

// BenchmarkBaseline only decodes the same UTF-16 input and splits it into
// lines: the floor BenchmarkReader is compared with.
func BenchmarkBaseline(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	defer allocsPerMB(b, len(data))()
	for range b.N {
		sc := bufio.NewScanner(parsers.NewTextReader(bytes.NewReader(data)))
		sc.Buffer(make([]byte, 64*1024), DefaultMaxLineBytes)
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n == 0 {
			b.Fatal(sc.Err(), n)
		}
	}
}

// BenchmarkReaderAt is BenchmarkReaderReuse through NewReaderAt: the file
// cut into chunks read on every core and merged in order. Compare it with
// BenchmarkBaseline (one core) in the same run; allocs/op are for the
// whole 64 MB input.
func BenchmarkReaderAt(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	defer allocsPerMB(b, len(data))()
	for range b.N {
		r := NewReaderAt(bytes.NewReader(data), int64(len(data)), "bench")
		r.Reuse = true
		n := 0
		for ev, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			if ev != nil {
				n++
			}
		}
		if n == 0 || r.Stats().Events != n {
			b.Fatalf("%d events", n)
		}
	}
}

// allocsPerMB reports the allocations per megabyte of input (with
// ReportAllocs' allocs/op, which are per 64 MB here). Call it after
// ResetTimer and defer the function it returns.
func allocsPerMB(b *testing.B, size int) func() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.Mallocs
	return func() {
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.Mallocs-before)/float64(b.N)/(float64(size)/(1<<20)), "allocs/MB")
	}
}
