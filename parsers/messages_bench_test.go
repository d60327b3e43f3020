package parsers

import "testing"

// benchLines is a realistic ERRORLOG mix (messages only): mostly startup and
// routine lines that match no template, plus the AG lines of an incident.
var benchLines = []string{
	"Microsoft SQL Server 2019 (RTM-CU18) (KB5017593) - 15.0.4261.1 (X64)",
	"UTC adjustment: 1:00",
	"(c) Microsoft Corporation.",
	"All rights reserved.",
	"Server process ID is 4412.",
	"System Manufacturer: 'VMware, Inc.', System Model: 'VMware Virtual Platform'.",
	"Authentication mode is WINDOWS-ONLY.",
	"Logging SQL Server messages in file 'D:\\MSSQL15.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG'.",
	"The service account is 'CONTOSO\\svc_sql'. This is an informational message; no user action is required.",
	"Registry startup parameters: ",
	"Command Line Startup Parameters:",
	"SQL Server detected 2 sockets with 4 cores per socket and 4 logical processors per socket, 8 total logical processors; using 8 logical processors based on SQL Server licensing. This is an informational message; no user action is required.",
	"SQL Server is starting at normal priority base (=7). This is an informational message only. No user action is required.",
	"Detected 65535 MB of RAM. This is an informational message; no user action is required.",
	"Using conventional memory in the memory manager.",
	"Page exclusion bitmap is enabled.",
	"Default collation: SQL_Latin1_General_CP1_CI_AS (us_english 1033)",
	"Starting up database 'master'.",
	"The tempdb database has 8 data file(s).",
	"Recovery is complete. This is an informational message only. No user action is required.",
	"CHECKDB for database 'Sales' finished without errors on 2024-03-09 22:00:01.533 (local time). This is an informational message only; no user action is required.",
	"Log was backed up. Database: Sales, creation date(time): 2021/05/11(09:12:44), first LSN: 4512:1880:1, last LSN: 4512:2216:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'\\\\backup\\sql\\Sales_log.trn'}). This is an informational message only. No user action is required.",
	"BACKUP DATABASE successfully processed 0 pages in 0.112 seconds (0.000 MB/sec).",
	"DbMgrPartnerCommitPolicy::SetSyncAndRecoveryPoint: 38C7F87-E603-4422-A5A6-2DA5C983AE55:4",
	"DbMgrPartnerCommitPolicy::SetSyncState: 38C7F87-E603-4422-A5A6-2DA5C983AE55:4",
	"Parallel redo is started for database 'Sales' with worker pool size [4].",
	"State information for database 'Sales' - Hardened Lsn: '(4512:2216:1)'    Commit LSN: '(4512:2208:3)'    Commit Time: 'Mar 10 2024  2:14PM'",
	"Error: 1105, Severity: 17, State: 2.",
	"Configuration option 'show advanced options' changed from 0 to 1. Run the RECONFIGURE statement to install.",
	"Using 'dbghelp.dll' version '4.0.5'",
	"Server is listening on [ 'any' <ipv4> 1433].",
	"The Database Mirroring endpoint is now listening for connections.",
	"Error: 19407, Severity: 16, State: 1.",
	"The lease between availability group 'agSales' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster.",
	"Always On: The local replica of availability group 'agSales' is going offline because either the lease expired or lease renewal failed. This is an informational message only. No user action is required.",
	"The state of the local availability replica in availability group 'agSales' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired.  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.",
	`The availability group database "Sales" is changing roles from "PRIMARY" to "RESOLVING" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.`,
	"Always On Availability Groups connection with secondary database terminated for primary database 'Sales' on the availability replica 'SQL02' with Replica ID: {c4ad5ea4-8a99-41fa-893e-189154c24b49}. This is an informational message only. No user action is required.",
	"A connection timeout has occurred on a previously established connection to availability replica 'SQL02' with id [C4AD5EA4-8A99-41FA-893E-189154C24B49].  Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.",
	`Database Mirroring login attempt by user 'CONTOSO\svc_sql.' failed with error: 'Connection handshake failed. The login 'CONTOSO\svc_sql' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.20.1.12]`,
}

func BenchmarkClassify(b *testing.B) {
	size := 0
	for _, l := range benchLines {
		size += len(l)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range benchLines {
			ev := Event{Message: l}
			ClassifyMessage(&ev)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchLines)), "ns/line")
}

// BenchmarkClassifyMiss measures the rejection of lines no template matches.
func BenchmarkClassifyMiss(b *testing.B) {
	var miss []string
	for _, l := range benchLines {
		ev := Event{Message: l}
		if !ClassifyMessage(&ev) {
			miss = append(miss, l)
		}
	}
	size := 0
	for _, l := range miss {
		size += len(l)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range miss {
			ev := Event{Message: l}
			ClassifyMessage(&ev)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(miss)), "ns/line")
}
