#!/usr/bin/env bash
# Regenerates the ERRORLOG fixtures of this folder from the texts below
# (written for agtriage; message texts follow the documented SQL Server
# templates). Run from this folder: ./gen.sh
set -euo pipefail

crlf() { sed 's/$/\r/'; }
utf16le_bom() { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE; }
utf16be_bom() { printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE; }

# 1. Primary replica on Windows: UTF-16LE, BOM, CRLF, two-digit fractions.
cat <<'EOF' | crlf | utf16le_bom > primary.utf16le.log
2024-03-12 08:14:02.31 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) 
	Jul 27 2023 18:11:00 
	Copyright (C) 2019 Microsoft Corporation
	Enterprise Edition: Core-based Licensing (64-bit) on Windows Server 2019 Datacenter 10.0 <X64> (Build 17763: ) (Hypervisor)

2024-03-12 08:14:02.33 Server      UTC adjustment: -7:00
2024-03-12 08:14:02.33 Server      (c) Microsoft Corporation.
2024-03-12 08:14:02.33 Server      All rights reserved.
2024-03-12 08:14:02.33 Server      Server process ID is 4412.
2024-03-12 08:14:02.33 Server      Logging SQL Server messages in file 'D:\MSSQL15.PROD\MSSQL\Log\ERRORLOG'.
2024-03-12 08:14:02.33 Server      The service account is 'CONTOSO\svc-sql'. This is an informational message; no user action is required.
2024-03-12 08:14:02.33 Server      Registry startup parameters: 
	 -d D:\MSSQL15.PROD\MSSQL\DATA\master.mdf
	 -e D:\MSSQL15.PROD\MSSQL\Log\ERRORLOG
	 -l D:\MSSQL15.PROD\MSSQL\DATA\mastlog.ldf
2024-03-12 08:14:02.34 Server      Command Line Startup Parameters:
	 -s "PROD"
2024-03-12 08:14:04.87 spid9s      Server name is 'SQLNODE1\PROD'. This is an informational message only. No user action is required.
2024-03-12 08:14:05.10 spid29s     Always On: The availability replica manager is starting. This is an informational message only. No user action is required.
2024-03-12 08:14:05.11 spid29s     Always On Availability Groups: Waiting for local Windows Server Failover Clustering service to start. This is an informational message only. No user action is required.
2024-03-12 08:14:05.12 spid29s     Always On Availability Groups: Local Windows Server Failover Clustering service started. This is an informational message only. No user action is required.
2024-03-12 08:14:05.12 spid29s     Always On Availability Groups: Waiting for local Windows Server Failover Clustering node to start. This is an informational message only. No user action is required.
2024-03-12 08:14:05.13 spid29s     Always On Availability Groups: Local Windows Server Failover Clustering node started. This is an informational message only. No user action is required.
2024-03-12 08:14:05.13 spid29s     Always On Availability Groups: Waiting for local Windows Server Failover Clustering node to come online. This is an informational message only. No user action is required.
2024-03-12 08:14:05.15 spid29s     Always On Availability Groups: Local Windows Server Failover Clustering node is online. This is an informational message only. No user action is required.
2024-03-12 08:14:05.40 spid29s     The state of the local availability replica in availability group 'AG1' has changed from 'NOT_AVAILABLE' to 'RESOLVING_NORMAL'.  The state changed because the local instance of SQL Server is starting up.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.
2024-03-12 08:14:05.52 spid31s     The state of the local availability replica in availability group 'AG1' has changed from 'RESOLVING_NORMAL' to 'PRIMARY_PENDING'.  The state changed because the availability group is coming online.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.
2024-03-12 08:14:05.61 spid31s     The state of the local availability replica in availability group 'AG1' has changed from 'PRIMARY_PENDING' to 'PRIMARY_NORMAL'.  The state changed because the availability group is coming online.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.
2024-03-12 08:14:06.02 spid41s     A connection for availability group 'AG1' from availability replica 'SQLNODE1\PROD' with id  [5E3C2A10-8B1D-4F5E-9A77-2C1D0E4B6A11] to 'SQLNODE2\PROD' with id  [9A0B7C6D-1E2F-4A3B-8C9D-0E1F2A3B4C5D] has been successfully established.  This is an informational message only. No user action is required.
2024-03-12 09:47:06.07 Server      Error: 19419, Severity: 16, State: 1.
2024-03-12 09:47:06.07 Server      Windows Server Failover Cluster did not receive a process event signal from SQL Server hosting availability group 'AG1' within the lease timeout period.
2024-03-12 09:47:06.08 Server      Error: 19407, Severity: 16, State: 1.
2024-03-12 09:47:06.08 Server      The lease between availability group 'AG1' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster.
2024-03-12 09:47:06.09 Server      Always On: The local replica of availability group 'AG1' is going offline because either the lease expired or lease renewal failed. This is an informational message only. No user action is required.
2024-03-12 09:47:06.10 Server      The state of the local availability replica in availability group 'AG1' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.
2024-03-12 09:47:06.15 spid52s     The availability group database "SalesDB" is changing roles from "PRIMARY" to "RESOLVING" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.
2024-03-12 09:47:16.20 spid41s     A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE2\PROD' with id [9A0B7C6D-1E2F-4A3B-8C9D-0E1F2A3B4C5D]. Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.
2024-03-12 09:47:16.21 spid66s     Always On Availability Groups data movement for database 'SalesDB' has been suspended for the following reason: "system" (Source ID 2; Source string: 'SUSPEND_FROM_REDO'). To resume data movement on the database, you will need to resume the database manually. For information about how to resume an availability database, see SQL Server Books Online.
2024-03-12 09:48:30.44 Logon       Database Mirroring login attempt by user 'CONTOSO\svc-sql2.' failed with error: 'Connection handshake failed. The login 'CONTOSO\svc-sql2' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.20.0.12]
2024-03-12 09:50:02.51 Server      Error: 19421, Severity: 16, State: 1.
2024-03-12 09:50:02.88 Server      SQL Server hosting availability group 'AG1' did not receive a process event signal from the Windows Server Failover Cluster within the lease timeout period.
2024-03-12 09:52:40.01 spid29s     Always On Availability Groups: Local Windows Server Failover Clustering service has become unavailable. This is an informational message only. No user action is required.
2024-03-12 09:52:40.01 spid29s     Always On Availability Groups: Local Windows Server Failover Clustering node is no longer online. This is an informational message only. No user action is required.
2024-03-12 09:52:40.03 spid29s     Always On: The availability replica manager is going offline because the local Windows Server Failover Clustering (WSFC) node has lost quorum. This is an informational message only. No user action is required.
2024-03-12 09:58:11.70 spid12s     SQL Server is terminating in response to a 'stop' request from Service Control Manager. This is an informational message only. No user action is required.
EOF

# 2. Secondary replica: UTF-16BE, BOM, CRLF, UTC adjustment 5:30.
cat <<'EOF' | crlf | utf16be_bom > secondary.utf16be.log
2024-03-12 20:44:01.12 Server      Microsoft SQL Server 2022 (RTM-CU12) (KB5033663) - 16.0.4115.5 (X64) 
	Mar  4 2024 08:56:10 
	Copyright (C) 2022 Microsoft Corporation
	Enterprise Edition: Core-based Licensing (64-bit) on Windows Server 2022 Standard 10.0 <X64> (Build 20348: ) (Hypervisor)

2024-03-12 20:44:01.14 Server      UTC adjustment: 5:30
2024-03-12 20:44:03.90 spid10s     Server name is 'SQLNODE2\PROD'. This is an informational message only. No user action is required.
2024-03-12 21:17:16.20 spid44s     A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE1\PROD' with id [5E3C2A10-8B1D-4F5E-9A77-2C1D0E4B6A11]. Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.
2024-03-12 21:17:17.05 spid50s     Always On: The local replica of availability group 'AG1' is preparing to transition to the primary role in response to a request from the Windows Server Failover Clustering (WSFC) cluster. This is an informational message only. No user action is required.
2024-03-12 21:17:17.06 spid50s     The state of the local availability replica in availability group 'AG1' has changed from 'SECONDARY_NORMAL' to 'RESOLVING_PENDING_FAILOVER'.  The state changed because of a user initiated failover.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.
2024-03-12 21:17:17.31 spid27s     The availability group database "SalesDB" is changing roles from "SECONDARY" to "RESOLVING" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.
2024-03-12 21:17:17.90 Server      The lease worker of availability group 'AG1' is now sleeping the excess lease time (152 ms) supplied during online. This is an informational message only. No user action is required.
2024-03-12 21:17:22.41 spid44s     A connection timeout has occurred while attempting to establish a connection to availability replica 'SQLNODE1\PROD' with id [5E3C2A10-8B1D-4F5E-9A77-2C1D0E4B6A11]. Either a networking or firewall issue exists, or the endpoint address provided for the replica is not the database mirroring endpoint of the host server instance.
2024-03-12 21:17:30.77 spid27s     Always On Availability Groups data movement for database 'SalesDB' has been resumed. This is an informational message only. No user action is required.
EOF

# 3. SSMS Log File Viewer copy: UTF-8 without BOM, LF, three-digit
#    milliseconds, single spaces, no UTC adjustment.
cat <<'EOF' > ssms.utf8.log
2023-02-15 07:10:55.500 spid43s Always On Availability Groups connection with secondary database terminated for primary database 'SalesDB' on the availability replica 'SQLNODE2\PROD' with Replica ID: {9a0b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d}. This is an informational message only. No user action is required.
2023-02-15 07:11:03.100 spid43s Always On Availability Groups connection with secondary database established for primary database 'SalesDB' on the availability replica 'SQLNODE2\PROD' with Replica ID: {9a0b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d}. This is an informational message only. No user action is required.
2023-02-15 07:12:40.250 Logon Error: 18456, Severity: 14, State: 38.
2023-02-15 07:12:40.250 Logon Login failed for user 'CONTOSO\app'. Reason: Failed to open the explicitly specified database 'SalesDB'. [CLIENT: 10.20.4.31]
2023-02-15 07:13:00 Backup Database backed up. Database: SalesDB, creation date(time): 2023/01/02(10:11:12), pages dumped: 409, first LSN: 41:160:37, last LSN: 41:192:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'E:\Backup\SalesDB.bak'}). This is an informational message only. No user action is required.   
EOF

# 4. Linux, 8-bit: LF, UTC adjustment 0:00, a Windows-1252 byte (0xE9) in a
#    database name, and the older "AlwaysOn" spelling.
cat <<'EOF' | iconv -f UTF-8 -t CP1252 > linux.cp1252.log
2024-05-02 06:00:10.11 Server      Microsoft SQL Server 2019 (RTM-CU25) (KB5033688) - 15.0.4355.3 (X64)
	Jan 25 2024 19:35:14
	Copyright (C) 2019 Microsoft Corporation
	Developer Edition (64-bit) on Linux (Ubuntu 20.04.6 LTS) <X64>
2024-05-02 06:00:10.11 Server      UTC adjustment: 0:00
2024-05-02 06:00:12.40 spid8s      Server name is 'sqllnx1'. This is an informational message only. No user action is required.
2024-05-02 06:14:52.60 spid33s     AlwaysOn Availability Groups connection with primary database terminated for secondary database 'Café' on the availability replica 'sqllnx2' with Replica ID: {0d1c2b3a-4f5e-4d6c-8b7a-695847362514}. This is an informational message only. No user action is required.
2024-05-02 06:14:52.71 spid33s     The availability group database "Café" is changing roles from "SECONDARY" to "RESOLVING" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.
EOF

# 5. A copy re-saved as UTF-8 with BOM and LF, UTC adjustment 1:00.
{ printf '\xef\xbb\xbf'; cat <<'EOF'; } > copy.utf8bom.log
2025-03-11 11:07:19.58 Server      Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64) 
	Sep 24 2019 13:48:23 
	Copyright (C) 2019 Microsoft Corporation
	Enterprise Edition (64-bit) on Windows Server 2022 Standard 10.0 <X64> (Build 20348: ) (Hypervisor)

2025-03-11 11:07:19.71 Server      UTC adjustment: 1:00
2025-03-11 11:07:21.02 spid9s      Server name is 'WIN-AG3'. This is an informational message only. No user action is required.
2025-03-11 11:30:00.45 spid62s     Always On: The local replica of availability group 'AG2' is preparing to transition to the resolving role in response to a request from the Windows Server Failover Clustering (WSFC) cluster. This is an informational message only. No user action is required.
2025-03-11 11:30:00.46 spid62s     The availability group 'AG2' is being asked to stop the lease renewal because the availability group is going offline. This is an informational message only. No user action is required.
EOF

# 6. Damaged input: text before the first record, invalid timestamps, a
#    continuation of a broken record, and a 3000-byte line (tests use a
#    MaxLineBytes of 1024 for it).
{
cat <<'EOF'
Exported by a log collector
2024-06-01 10:00:00.00 Server      UTC adjustment: 2:00
2024-13-01 10:00:01.00 Server      month 13
	continuation of the broken record
2024-02-30 10:00:02.00 Server      February 30
2024-06-01 25:00:03.00 Server      hour 25
2024-06-01 10:00:04.0000 Server      four-digit fraction
2024-06-01 10:00:05.
2024-06-01 10:00:06.00
2024-06-01 10:00:07 spid5s Starting up database 'msdb'.
EOF
printf '2024-06-01 10:00:08.00 spid5s      %s\n' "$(head -c 3000 /dev/zero | tr '\0' x)"
cat <<'EOF'
2024-06-01 10:00:09.00 spid5s      Recovery is complete. This is an informational message only. No user action is required.
	trailing continuation
EOF
} > damaged.utf8.log
