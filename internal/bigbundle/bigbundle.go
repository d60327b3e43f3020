// Package bigbundle writes large, realistic multi-replica support bundles for
// the scale and speed tests: one folder per replica with a UTF-16LE ERRORLOG
// (BOM, CRLF) made mostly of ordinary noise — login failures, backups, DBCC,
// checkpoint chatter — with an Always On incident in the middle: a lease
// expiry on the primary, an automatic failover, and a secondary whose
// service account lacks CONNECT on the endpoint (a State 84 handshake loop).
// Output is streamed: memory stays small whatever the size.
package bigbundle

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf16"
)

// Replicas are the hosts of a generated bundle.
var Replicas = []string{"SQLNODE1", "SQLNODE2", "SQLNODE3"}

// Start is the local time of the first record of every ERRORLOG.
var Start = time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)

// Write creates dir/<host>/ERRORLOG for every replica, totalling about
// total bytes, and returns the bytes written.
func Write(dir string, total int64) (int64, error) {
	var sum int64
	per := total / int64(len(Replicas))
	for i, host := range Replicas {
		n, err := writeErrorlog(filepath.Join(dir, host), host, i, per)
		sum += n
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// WriteReplica creates dir/<host>/ERRORLOG for the replica Replicas[idx]
// alone, of about size bytes, and returns the bytes written. Replica 0 is the
// primary that loses its role after a lease expiry; alone, its log is a
// failover seen from the old primary's side only.
func WriteReplica(dir string, idx int, size int64) (int64, error) {
	return writeErrorlog(filepath.Join(dir, Replicas[idx]), Replicas[idx], idx, size)
}

// utf16Writer encodes text to UTF-16LE with CRLF line ends.
type utf16Writer struct {
	w   *bufio.Writer
	n   int64
	buf []byte
}

func (u *utf16Writer) line(s string) {
	u.buf = u.buf[:0]
	for _, r := range s {
		if r < 0x10000 {
			u.buf = append(u.buf, byte(r), byte(r>>8))
			continue
		}
		a, b := utf16.EncodeRune(r)
		u.buf = append(u.buf, byte(a), byte(a>>8), byte(b), byte(b>>8))
	}
	u.buf = append(u.buf, '\r', 0, '\n', 0)
	m, _ := u.w.Write(u.buf)
	u.n += int64(m)
}

func stamp(t time.Time) string { return t.Format("2006-01-02 15:04:05.00") }

func rec(t time.Time, src, msg string) string { return fmt.Sprintf("%s %-11s %s", stamp(t), src, msg) }

func writeErrorlog(dir, host string, idx int, size int64) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(filepath.Join(dir, "ERRORLOG"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	u := &utf16Writer{w: bw}
	bw.Write([]byte{0xFF, 0xFE})
	u.n = 2
	t := Start
	u.line(rec(t, "Server", "Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) "))
	u.line("\tJul 27 2023 21:58:01 ")
	u.line("\tCopyright (C) 2019 Microsoft Corporation")
	u.line("\tEnterprise Edition: Core-based Licensing (64-bit) on Windows Server 2022 Datacenter 10.0 <X64> (Build 20348: ) (Hypervisor)")
	u.line("")
	u.line(rec(t, "Server", "UTC adjustment: -5:00"))
	u.line(rec(t, "Server", fmt.Sprintf("The service account is 'CORP\\svc_%s'. This is an informational message; no user action is required.", host)))
	u.line(rec(t.Add(2*time.Second), "Server", fmt.Sprintf("Server is listening on [ 10.20.0.%d <ipv4> 1433].", 11+idx)))
	u.line(rec(t.Add(3*time.Second), "spid14s", fmt.Sprintf("Server name is '%s'. This is an informational message only. No user action is required.", host)))

	// Noise until half the size, the incident, noise until the end.
	incidentAt := size / 2
	incidentDone := false
	step := 40 * time.Millisecond
	var i int64
	for u.n < size {
		i++
		t = t.Add(step)
		switch {
		case !incidentDone && u.n >= incidentAt:
			t = incident(u, host, idx, t)
			incidentDone = true
		case i%97 == 0:
			u.line(rec(t, "Logon", "Error: 18456, Severity: 14, State: 8."))
			u.line(rec(t, "Logon", fmt.Sprintf("Login failed for user 'app_user%d'. Reason: Password did not match that for the login provided. [CLIENT: 10.30.%d.%d]", i%13, i%7, i%250)))
		case i%251 == 0:
			u.line(rec(t, "Backup", fmt.Sprintf("Log was backed up. Database: SalesDB, creation date(time): 2024/01/10(10:00:00), first LSN: %d:%d:1, last LSN: %d:%d:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'\\\\backup\\sql\\%s\\SalesDB_%d.trn'}). This is an informational message only. No user action is required.", i, i%1000, i+1, i%1000, host, i)))
		case i%509 == 0:
			u.line(rec(t, fmt.Sprintf("spid%d", 50+i%40), "DBCC CHECKDB (SalesDB) WITH no_infomsgs executed by CORP\\dba found 0 errors and repaired 0 errors. Elapsed time: 0 hours 3 minutes 2 seconds."))
		default:
			u.line(rec(t, fmt.Sprintf("spid%ds", 20+i%60), fmt.Sprintf("DbMgrPartnerCommitPolicy::SetSyncAndRecoveryPoint: 8F3C21A0-11B2-4C5D-9E6F-%012X:%d", i%1000000, i%5)))
		}
	}
	if err := bw.Flush(); err != nil {
		return u.n, err
	}
	return u.n, nil
}

// incident writes the replica's part of the incident and returns the time after it.
func incident(u *utf16Writer, host string, idx int, t time.Time) time.Time {
	sc := func(t time.Time, from, to, why string) {
		u.line(rec(t, "spid31s", fmt.Sprintf("The state of the local availability replica in availability group 'AGBIG' has changed from '%s' to '%s'.  The state changed because %s.  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.", from, to, why)))
	}
	switch idx {
	case 0: // the primary: a stall, the lease expires, it becomes secondary
		u.line(rec(t, "Server", "Process 0:0:0 (0x1a2c) Worker 0x000001E3A8C30160 appears to be non-yielding on Scheduler 2. Thread creation time: 13358329561021. Approx Thread CPU Used: kernel 15 ms, user 60406 ms. Process Utilization 95%. System Idle 2%. Interval: 70416 ms."))
		t = t.Add(20 * time.Second)
		u.line(rec(t, "Server", "Error: 19419, Severity: 16, State: 1."))
		u.line(rec(t, "Server", "Windows Server Failover Cluster did not receive a process event signal from SQL Server hosting availability group 'AGBIG' within the lease timeout period."))
		u.line(rec(t, "Server", "Error: 19407, Severity: 16, State: 1."))
		u.line(rec(t, "Server", "The lease between availability group 'AGBIG' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster."))
		sc(t.Add(10*time.Millisecond), "PRIMARY_NORMAL", "RESOLVING_NORMAL", "the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired")
		t = t.Add(5 * time.Second)
		sc(t, "RESOLVING_NORMAL", "SECONDARY_NORMAL", "the availability group state has changed in Windows Server Failover Clustering (WSFC)")
	case 1: // the new primary, which rejects SQLNODE3's service account
		t = t.Add(23 * time.Second)
		u.line(rec(t, "spid55", "Always On: The local replica of availability group 'AGBIG' is preparing to transition to the primary role in response to a request from the Windows Server Failover Clustering (WSFC) cluster. This is an informational message only. No user action is required."))
		sc(t.Add(20*time.Millisecond), "SECONDARY_NORMAL", "RESOLVING_NORMAL", "the availability group state has changed in Windows Server Failover Clustering (WSFC)")
		sc(t.Add(500*time.Millisecond), "RESOLVING_NORMAL", "PRIMARY_PENDING", "the availability group is coming online")
		sc(t.Add(900*time.Millisecond), "PRIMARY_PENDING", "PRIMARY_NORMAL", "the local replica has completed processing Online command from Windows Server Failover Clustering (WSFC)")
		t = t.Add(2 * time.Second)
		for k := 0; k < 120; k++ {
			t = t.Add(5 * time.Second)
			u.line(rec(t, "Logon", "Database Mirroring login attempt by user 'CORP\\svc_SQLNODE3.' failed with error: 'Connection handshake failed. The login 'CORP\\svc_SQLNODE3' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.20.0.13]"))
		}
	case 2: // the secondary that cannot reconnect
		t = t.Add(25 * time.Second)
		for k := 0; k < 60; k++ {
			t = t.Add(10 * time.Second)
			u.line(rec(t, "spid40s", "A connection timeout has occurred while attempting to establish a connection to availability replica 'SQLNODE2' with id [0C0F3A55-7D21-4C9B-A1E2-33F4B5C6D7E8]. Either a networking or firewall issue exists, or the endpoint address provided for the replica is not the database mirroring endpoint of the host server instance."))
		}
	}
	return t
}
