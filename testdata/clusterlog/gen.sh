#!/usr/bin/env bash
# Regenerates the cluster.log fixtures of this folder from the texts below
# (written for agtriage; message texts follow the documented FailoverClustering
# event texts and cluster-log lines). Run from this folder: ./gen.sh
set -euo pipefail

crlf() { sed 's/$/\r/'; }
utf16le_bom() { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE; }

# 1. Get-ClusterLog output of node SQLNODE1 (Windows Server 2019): UTF-16LE
#    with BOM, CRLF, UTC times, header sections, System and Operational
#    channels, then the cluster log proper. A quorum loss, a lease timeout with
#    its performance rows (written as [hadrag] lines, one line of another
#    thread in between), health-check failures and role moves.
cat <<'EOF' | crlf | utf16le_bom > sqlnode1_cluster.utf16le.log
[=== Cluster ===]
UTC = localtime + time zone offset; the time zone offset of this machine is 300 minutes, or 5 hours
The logs were generated using Coordinated Universal Time (UTC). 'Get-ClusterLog -UseLocalTime' will generate in local time.
Build Number 17763
Current node: name (SQLNODE1) id (1)

[=== Resources ===]
Name                           State       OwnerGroup    ResourceType
----                           -----       ----------    ------------
AG1                            Online      AG1           SQL Server Availability Group
AG1_SQLAGL1                    Online      AG1           Network Name
Cluster IP Address             Online      Cluster Group IP Address

[=== Nodes ===]
Name       Id   State
----       --   -----
SQLNODE1   1    Up
SQLNODE2   2    Up
SQLNODE3   3    Up

[=== System ===]
[System] 00000d1c.00001a2c::2024/03/12-15:02:11.125 DBG   Cluster node 'SQLNODE2' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster. Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapters on this node. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges.
[System] 00000d1c.00001a2c::2024/03/12-15:02:11.140 DBG   The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk. 
Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapter. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges.
[System] 00000d1c.00001b88::2024/03/12-15:02:11.402 DBG   The cluster Resource Hosting Subsystem (RHS) process was terminated and will be restarted. This is typically associated with cluster health detection and recovery of a resource. Refer to the System event log to determine which resource and resource DLL is causing the issue.
[System] 00000e40.000012f4::2024/03/12-15:20:45.310 ERR   Cluster resource 'AG1' of type 'SQL Server Availability Group' in clustered role 'AG1' failed.

Based on the failure policies for the resource and role, the cluster service may try to bring the resource online on this node or move the group to another node of the cluster and then restart it.  Check the resource and group state using Failover Cluster Manager or the Get-ClusterResource Windows PowerShell cmdlet.
[System] 00000e40.000012f4::2024/03/12-15:21:02.007 ERR   The Cluster service failed to bring clustered role 'AG1' completely online or offline. One or more resources may be in a failed state. This may impact the availability of the clustered role.
[System] 00000e40.000012f4::2024/03/12-15:31:40.551 ERR   Clustered role 'AG1' has exceeded its failover threshold.  It has exhausted the configured number of failover attempts within the failover period of time allotted to it and will be left in a failed state.  No additional attempts will be made to bring the role online or fail it over to another node in the cluster.  Please check the events associated with the failure.  After the issues causing the failure are resolved the role can be brought online manually or the cluster may attempt to bring it online again after the restart delay period.

[=== Microsoft-Windows-FailoverClustering/Operational logs ===]
[Operational] 00000d1c.00000f10::2024/03/12-15:02:04.608 INFO  Microsoft Failover Cluster Virtual Adapter (NetFT) has missed more than 40 percent of consecutive heartbeats.

Local endpoint: 10.10.1.11:~3343~
Remote endpoint: 10.10.1.12:~3343~
[Operational] 00000d1c.00000f10::2024/03/12-15:02:10.608 INFO  Cluster has lost the UDP connection from local endpoint 10.10.1.11:~3343~ connected to remote endpoint 10.10.1.12:~3343~.
[Operational] 00000e40.00000c50::2024/03/12-15:20:46.018 INFO  The Cluster service is attempting to fail over the clustered role 'AG1' from node 'SQLNODE1' to node 'SQLNODE3'.
[Operational] 00000e40.00000c50::2024/03/12-15:20:46.019 INFO  Clustered role 'AG1' is moving from cluster node 'SQLNODE1' to cluster node 'SQLNODE3'.

[=== Cluster Logs ===]
00000d1c.00000d20::2024/03/12-15:00:00.001 INFO  -----------------------------+ LOG BEGIN +-----------------------------
00000d1c.00000d20::2024/03/12-15:00:00.001 INFO  [CS] Starting clussvc as a service
00000d1c.00000f10::2024/03/12-15:02:04.605 INFO  [IM] got event: LocalEndpoint 10.10.1.11:~3343~ has missed two-fifth consecutive heartbeats from 10.10.1.12:~3343~
00000d1c.00000f10::2024/03/12-15:02:10.604 DBG   [NETFTAPI] Signaled NetftRemoteUnreachable event, local address 10.10.1.11:3343 remote address 10.10.1.12:3343
00000d1c.00000f10::2024/03/12-15:02:10.605 INFO  [IM] got event: Remote endpoint 10.10.1.12:~3343~ unreachable from 10.10.1.11:~3343~
00000d1c.00000f14::2024/03/12-15:02:10.606 INFO  [NDP] All routes for route (virtual) local fe80::1c2d:7a1f:4e6b:9a10:~0~ to remote fe80::84a1:3f2e:5d7c:1b22:~0~ are down
00000d1c.00001a2c::2024/03/12-15:02:10.610 INFO  [NODE] Node 1: Connection to Node 2 is broken. Reason GracefulClose(1226)' because of 'channel to remote endpoint 10.10.1.12:~3343~ is closed'
00000d1c.00001a2c::2024/03/12-15:02:11.118 ERR   [QUORUM] Node 1: Lost quorum (1)
00000d1c.00001a2c::2024/03/12-15:02:11.118 ERR   [QUORUM] Node 1: goingAway: 0, core.IsServiceShutdown: 0
00000d1c.00001a2c::2024/03/12-15:02:11.119 ERR   lost quorum (status = 5925)
00000d1c.00001a2c::2024/03/12-15:02:11.119 INFO  [NETFT] Cluster Service preterminate succeeded.
00000a44.00000a48::2024/03/12-15:02:11.121 WARN  [RHS] Cluster service has terminated. Cluster.Service.Running.Event got signaled.
00000a44.00000a48::2024/03/12-15:02:11.121 INFO  [RHS] Terminating resource AG1 (state is Online).
00000a44.00001c04::2024/03/12-15:02:11.123 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Lease Thread terminated
00000a44.000011a0::2024/03/12-15:02:11.124 INFO  [RES] SQL Server Availability Group: [hadrag] Stopping Health Worker Thread
00000e40.00000e44::2024/03/12-15:19:02.455 INFO  [RCM] rcm::RcmApi::MoveGroup: (Group:AG1 Dest:3 Flags:0 MoveType:MoveType::Manual Cur.State:Online, ContextSize:0)
00000e40.00000e44::2024/03/12-15:19:03.120 INFO  [RCM] move of group AG1 from SQLNODE1(1) to SQLNODE3(3) of type MoveType::Manual is about to succeed, failoverCount=1, lastFailoverTime=2024/03/12-15:02:30.002 targeted=true
00000b10.00001d0c::2024/03/12-15:20:30.812 INFO  [RES] SQL Server Availability Group <AG1>: [hadrag] SQL Server component 'query_processing' health state has been changed from 'clean' to 'warning' at 2024-03-12 10:20:30.810
00000b10.00001d0c::2024/03/12-15:20:40.844 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] SQL Server component 'system' health state has been changed from 'warning' to 'error' at 2024-03-12 10:20:40.840
00000b10.00001d0c::2024/03/12-15:20:40.845 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Failure detected, the state of system component is error
00000b10.00001d0c::2024/03/12-15:20:40.845 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Availability Group is not healthy with given HealthCheckTimeout and FailureConditionLevel
00000b10.00001d0c::2024/03/12-15:20:40.846 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Resource Alive result 0.
00000b10.00000b14::2024/03/12-15:20:40.846 WARN  [RHS] Resource AG1 IsAlive has indicated failure.
00000e40.000012f4::2024/03/12-15:20:40.847 INFO  [RCM] HandleMonitorReply: FAILURENOTIFICATION for 'AG1', gen(0) result 1/0.
00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Lease timeout detected, logging perf counter data collected so far
00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)
00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] 3/12/2024 15:19:44.0, 91.204819, 812646400.000000, 0.004000, 0.012000
00000e40.000012f4::2024/03/12-15:20:44.102 INFO  [RCM] TransitionToState(AG1) Online-->ProcessingFailure.
00000b10.00001d0c::2024/03/12-15:20:44.102 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] 3/12/2024 15:19:54.0, 98.461538, 402653184.000000, 0.021000, 0.044000
00000b10.00001d0c::2024/03/12-15:20:44.102 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] 3/12/2024 15:20:4.0, 99.102564, 301989888.000000, 0.035000, 0.120000
00000b10.00001d0c::2024/03/12-15:20:44.103 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Availability Group lease is no longer valid
00000b10.00001d0c::2024/03/12-15:20:44.104 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Failure detected, diagnostics heartbeat is lost
00000b10.00001d0c::2024/03/12-15:20:44.105 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] SQL Server Availability Group did not receive healthinformation before HealthCheckTimeout
00000b10.00001d0c::2024/03/12-15:20:45.002 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] QueryServiceStatusEx returned a process id 0
00000b10.00001d0c::2024/03/12-15:20:45.003 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] SQL server service is not alive
00000b10.00000b14::2024/03/12-15:20:46.220 ERR   [RHS] Online for resource AG1 failed.
00000e40.000012f4::2024/03/12-15:31:40.550 INFO  [RCM] Not failing over group AG1, failoverCount 3, failoverThresholdSetting 2, computedFailoverThreshold 2.
00000e40.000012f4::2024/03/12-15:31:40.551 INFO  [RCM] rcm::RcmGroup::UpdateStateIfChanged: (AG1, Pending --> Failed)
EOF

# 2. Node SQLNODE2 written with Get-ClusterLog -UseLocalTime, copied to Linux:
#    8-bit (UTF-8, LF), local times with the header's offset (420 minutes:
#    UTC = local + 7 h), performance rows as continuation lines, and a
#    Windows-1252 byte (0xE9) in one message.
{
cat <<'EOF'
[=== Cluster ===]
UTC = localtime + time zone offset; the time zone offset of this machine is 420 minutes, or 7 hours
The logs were generated using local time. 'Get-ClusterLog' will generate in Coordinated Universal Time (UTC).
Current node: name (SQLNODE2) id (2)

[=== Cluster Logs ===]
000010a4.000010a8::2024/03/12-08:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Lease timeout detected, logging perf counter data collected so far
Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)
3/12/2024 8:19:44.0, 12.5, 4294967296, 0.001, 0.002
3/12/2024 8:19:54.0, 37.5, 4194304000, 0.250, 0.300
000010a4.000010a8::2024/03/12-08:20:44.200 INFO  [RES] SQL Server Availability Group <AG1>: [hadrag] Lease renewal failed because the existing lease is no longer valid
000010a4.000010ac::2024/03/12-08:20:45.000 INFO  [RCM] move of group AG1 from SQLNODE1(1) to SQLNODE2(2) of type MoveType::Failover is about to succeed, failoverCount=2, lastFailoverTime=2024/03/12-08:02:30.002 targeted=false
EOF
printf '000010a4.000010ac::2024/03/12-08:20:46.000 INFO  [RES] Network Name <AG1_SQLAGL1>: Caf\xe9 listener online\n'
} > sqlnode2_localtime.utf8.log

# 3. A -UseLocalTime log without the offset line: times stay local.
cat <<'EOF' > localtime_nooffset.log
The logs were generated using local time.
00000844.00001278::2024/03/12-10:02:11.623 ERR   [QUORUM] Node 3: Lost quorum (3)
00000844.00001278::2024/03/12-10:02:11.700 INFO  [QUORUM] Node 3: executing OnStop
EOF

# 4. Damage: malformed timestamps, text before the first record, a record
#    without a level, and a truncated last line without terminator.
printf '%s\n' \
  'garbage before the first record' \
  '00000844.00001278::2024/13/12-10:02:11.623 ERR   [QUORUM] month 13' \
  'continuation of a broken record' \
  '00000844.00001278::2024/03/12-10:02:11.623' \
  '00000844.00001278::2024/03/12 10:02:11.623 INFO  [RCM] space instead of dash' \
  '00000844.0000127G::2024/03/12-10:02:11.623 INFO  [RCM] bad hex is plain text' \
  '[=== Cluster Logs ===]' \
  '00000844.00001278::2024/02/29-10:02:11.623 INFO  [RCM] leap day' > damaged.utf8.log
printf '00000844.00001278::2024/03/12-10:02:12.000 INFO  [RCM] no newline at the end' >> damaged.utf8.log
