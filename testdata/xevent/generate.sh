#!/bin/sh
# Regenerates the Extended Events XML fixtures of parsers/xevent.
# The events are written by hand from the real AlwaysOn_health field lists
# (SQL Server 2017 metadata) and message templates; all names are invented.
# Run from this directory: sh generate.sh
set -eu

# events prints one AlwaysOn_health event per line, as
# sys.fn_xe_file_target_read_file returns event_data.
events() {
cat <<'EOF'
<event name="availability_replica_manager_state_change" package="sqlserver" timestamp="2024-03-11T08:14:02.117Z"><data name="current_state"><value>1</value><text><![CDATA[ONLINE]]></text></data></event>
<event name="availability_replica_state" package="sqlserver" timestamp="2024-03-11T08:14:02.398Z"><data name="current_state"><value>0</value><text><![CDATA[Starting]]></text></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data><data name="availability_replica_id"><value>a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01</value></data></event>
<event name="availability_group_lease_expired" package="sqlserver" timestamp="2024-03-11T09:02:41.530Z"><data name="new_timeout"><value>1421793830</value></data><data name="current_time"><value>1421794114</value></data><data name="lease_interval"><value>20000</value></data><data name="state"><value>2</value><text><![CDATA[LeaseExpired]]></text></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:02:41.532Z"><data name="error_number"><value>19407</value></data><data name="severity"><value>16</value></data><data name="state"><value>1</value></data><data name="user_defined"><value>false</value></data><data name="category"><value>2</value><text><![CDATA[SERVER]]></text></data><data name="destination"><value>0x00000002</value><text><![CDATA[USER]]></text></data><data name="is_intercepted"><value>false</value></data><data name="message"><value><![CDATA[The lease between availability group 'agOrders' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster.]]></value></data></event>
<event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-11T09:02:41.545Z"><data name="previous_state"><value>3</value><text><![CDATA[PRIMARY_NORMAL]]></text></data><data name="current_state"><value>0</value><text><![CDATA[RESOLVING_NORMAL]]></text></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data><data name="availability_replica_id"><value>a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01</value></data><data name="availability_replica_name"><value><![CDATA[SQLNODE1\PROD]]></value></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:02:43.001Z"><data name="error_number"><value>35206</value></data><data name="severity"><value>10</value></data><data name="state"><value>1</value></data><data name="user_defined"><value>false</value></data><data name="category"><value>2</value><text><![CDATA[SERVER]]></text></data><data name="destination"><value>0x00000002</value><text><![CDATA[USER]]></text></data><data name="is_intercepted"><value>false</value></data><data name="message"><value><![CDATA[A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE2\PROD' with id [a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02].  Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.]]></value></data></event>
<event name="availability_replica_automatic_failover_validation" package="sqlserver" timestamp="2024-03-11T09:02:44.210Z"><data name="forced_quorum"><value>false</value><text><![CDATA[FALSE]]></text></data><data name="joined_and_synchronized"><value>false</value><text><![CDATA[FALSE]]></text></data><data name="previous_primary_or_automatic_failover_target"><value>true</value><text><![CDATA[TRUE]]></text></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data><data name="availability_replica_id"><value>a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02</value></data><data name="availability_replica_name"><value><![CDATA[SQLNODE2\PROD]]></value></data></event>
<event name="alwayson_ddl_executed" package="sqlserver" timestamp="2024-03-11T09:05:10.873Z"><data name="ddl_action"><value>2</value><text><![CDATA[alter]]></text></data><data name="ddl_phase"><value>1</value><text><![CDATA[commit]]></text></data><data name="statement"><value><![CDATA[ALTER AVAILABILITY GROUP [agOrders]
    FORCE_FAILOVER_ALLOW_DATA_LOSS;]]></value></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data><action name="client_app_name" package="sqlserver"><value><![CDATA[Microsoft SQL Server Management Studio - Query]]></value></action><action name="client_hostname" package="sqlserver"><value><![CDATA[ADMIN-WS07]]></value></action><action name="nt_username" package="sqlserver"><value><![CDATA[CORP\dba.jones]]></value></action><action name="server_instance_name" package="sqlserver"><value><![CDATA[SQLNODE2\PROD]]></value></action></event>
<event name="hadr_db_partner_set_sync_state" package="sqlserver" timestamp="2024-03-11T09:05:11.020Z"><data name="database_id"><value>7</value></data><data name="commit_policy"><value>2</value><text><![CDATA[WaitForHarden]]></text></data><data name="commit_policy_target"><value>1</value><text><![CDATA[Delay]]></text></data><data name="sync_state"><value>1</value><text><![CDATA[LOG]]></text></data><data name="sync_log_block"><value>38654705664</value></data><data name="group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="replica_id"><value>a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01</value></data><data name="ag_database_id"><value>9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a</value></data></event>
<event name="lock_redo_blocked" package="sqlserver" timestamp="2024-03-11T09:07:30.400Z"><data name="resource_type"><value>2</value><text><![CDATA[OBJECT]]></text></data><data name="mode"><value>11</value><text><![CDATA[SCH_M]]></text></data><data name="owner_type"><value>1</value><text><![CDATA[Transaction]]></text></data><data name="transaction_id"><value>0</value></data><data name="database_id"><value>7</value></data><data name="lockspace_workspace_id"><value>0x0000000000000000</value></data><data name="lockspace_sub_id"><value>0</value></data><data name="lockspace_nest_id"><value>0</value></data><data name="resource_0"><value>581577110</value></data><data name="resource_1"><value>0</value></data><data name="resource_2"><value>0</value></data><data name="object_id"><value>581577110</value></data><data name="associated_object_id"><value>581577110</value></data><data name="duration"><value>30000000</value></data><data name="resource_description"><value /></data><data name="database_name"><value><![CDATA[OrdersDB]]></value></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:08:00.250Z"><data name="error_number"><value>28048</value></data><data name="severity"><value>10</value></data><data name="state"><value>1</value></data><data name="user_defined"><value>false</value></data><data name="category"><value>4</value><text><![CDATA[LOGON]]></text></data><data name="destination"><value>0x00000002</value><text><![CDATA[USER]]></text></data><data name="is_intercepted"><value>false</value></data><data name="message"><value>Database Mirroring login attempt by user &apos;CORP\svc_sql.&apos; failed with error: &apos;Connection handshake failed. The login &apos;CORP\svc_sql&apos; does not have CONNECT permission on the endpoint. State 84.&apos;.  [CLIENT: 10.20.30.41]</value></data></event>
<event name="data_movement_suspend_resume" package="sqlserver" timestamp="2024-03-11T09:08:05.600Z"><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data><data name="availability_replica_id"><value>a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01</value></data><data name="database_name"><value><![CDATA[OrdersDB]]></value></data><data name="suspend_status"><value>2</value><text><![CDATA[SUSPENDED]]></text></data><data name="suspend_source"><value>1</value><text><![CDATA[SUSPEND_FROM_PARTNER]]></text></data><data name="suspend_reason"><value>1</value><text><![CDATA[SUSPEND_FROM_PARTNER]]></text></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:09:12.004Z"><data name="error_number"><value>35202</value></data><data name="severity"><value>10</value></data><data name="state"><value>1</value></data><data name="user_defined"><value>false</value></data><data name="category"><value>2</value><text><![CDATA[SERVER]]></text></data><data name="destination"><value>0x00000002</value><text><![CDATA[USER]]></text></data><data name="is_intercepted"><value>false</value></data><data name="message"><value><![CDATA[A connection for availability group 'agOrders' from availability replica 'SQLNODE2\PROD' with id  [a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02] to 'SQLNODE1\PROD' with id [a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01] has been successfully established.  This is an informational message only. No user action is required.]]></value></data></event>
<event name="ucs_connection_setup" package="ucs" timestamp="2024-03-11T09:09:12.010Z"><data name="stream_status"><value>0</value><text><![CDATA[Connected]]></text></data><data name="transport_address"><value><![CDATA[TCP://sqlnode1.corp.example:5022]]></value></data><data name="is_initiator"><value>true</value></data></event>
<event name="alwayson_ddl_executed" package="sqlserver" timestamp="2024-03-11T09:30:00.000Z"><data name="ddl_action"><value>2</value><text><![CDATA[alter]]></text></data><data name="ddl_phase"><value>0</value><text><![CDATA[begin]]></text></data><data name="statement"><value><![CDATA[alter availability group agOrders failover]]></value></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data></event>
EOF
}

# One document per line, each with its own XML declaration (LF).
events | sed 's/^<event /<?xml version="1.0" encoding="utf-16"?><event /' > alwayson_lines.xml

# The same events back to back: no declarations, no newlines between events.
events | perl -0pe 's/<\/event>\n/<\/event>/g' > alwayson_backtoback.xml

# UTF-16LE with BOM and CRLF, as SSMS saves it, plus a replica name and a
# message outside the BMP to check offsets of multi-unit characters.
{
	events | sed 's/^<event /<?xml version="1.0" encoding="utf-16"?><event /'
	cat <<'EOF'
<?xml version="1.0" encoding="utf-16"?><event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-11T10:00:00.000Z"><data name="previous_state"><value>4</value><text><![CDATA[SECONDARY_NORMAL]]></text></data><data name="current_state"><value>0</value><text><![CDATA[RESOLVING_NORMAL]]></text></data><data name="availability_group_id"><value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value></data><data name="availability_group_name"><value><![CDATA[agÜberweisung]]></value></data><data name="availability_replica_id"><value>a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03</value></data><data name="availability_replica_name"><value><![CDATA[SQLNÖDE3]]></value></data></event>
<?xml version="1.0" encoding="utf-16"?><event name="error_reported" package="sqlserver" timestamp="2024-03-11T10:00:01.000Z"><data name="error_number"><value>50000</value></data><data name="severity"><value>16</value></data><data name="state"><value>1</value></data><data name="user_defined"><value>true</value></data><data name="message"><value><![CDATA[Nachricht 😀 für Überwachung]]></value></data></event>
<?xml version="1.0" encoding="utf-16"?><event name="availability_replica_manager_state_change" package="sqlserver" timestamp="2024-03-11T10:00:02.000Z"><data name="current_state"><value>0</value><text><![CDATA[OFFLINE]]></text></data></event>
EOF
} | sed 's/$/\r/' | iconv -f UTF-8 -t UTF-16LE | { printf '\377\376'; cat; } > alwayson_utf16le_crlf.xml

# An <events> root, pretty-printed; two timestamps without the zone "Z".
cat > alwayson_events_root.xml <<'EOF'
<events>
  <event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-11T09:02:49.012">
    <data name="previous_state">
      <value>0</value>
      <text>RESOLVING_NORMAL</text>
    </data>
    <data name="current_state">
      <value>2</value>
      <text>PRIMARY_PENDING</text>
    </data>
    <data name="availability_group_id">
      <value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value>
    </data>
    <data name="availability_group_name">
      <value>agOrders</value>
    </data>
    <data name="availability_replica_id">
      <value>a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02</value>
    </data>
    <data name="availability_replica_name">
      <value>SQLNODE2\PROD</value>
    </data>
  </event>
  <event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-11T09:02:50.300">
    <data name="previous_state">
      <value>2</value>
      <text>PRIMARY_PENDING</text>
    </data>
    <data name="current_state">
      <value>3</value>
      <text>PRIMARY_NORMAL</text>
    </data>
    <data name="availability_group_id">
      <value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value>
    </data>
    <data name="availability_group_name">
      <value>agOrders</value>
    </data>
    <data name="availability_replica_id">
      <value>a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02</value>
    </data>
    <data name="availability_replica_name">
      <value>SQLNODE2\PROD</value>
    </data>
    <action name="server_instance_name" package="sqlserver">
      <value>SQLNODE2\PROD</value>
    </action>
  </event>
  <event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:02:50.310Z">
    <data name="error_number">
      <value>1480</value>
    </data>
    <data name="severity">
      <value>10</value>
    </data>
    <data name="state">
      <value>1</value>
    </data>
    <data name="user_defined">
      <value>false</value>
    </data>
    <data name="category">
      <value>2</value>
      <text>SERVER</text>
    </data>
    <data name="destination">
      <value>0x00000002</value>
      <text>USER</text>
    </data>
    <data name="is_intercepted">
      <value>false</value>
    </data>
    <data name="message">
      <value>The availability group database "OrdersDB" is changing roles from "RESOLVING" to "PRIMARY" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.</value>
    </data>
  </event>
</events>
EOF

# UTF-8 with a BOM and a declaration saying so; one event per line.
{
	printf '\357\273\277'
	events | sed -n '1p;5p;12p' | sed 's/^<event /<?xml version="1.0" encoding="utf-8"?><event /'
} > alwayson_utf8bom.xml

# A ring_buffer target document: data carry <type> children; the first
# error_reported uses the SQL Server 2008 field name "error".
cat > ringbuffer.xml <<'EOF'
<RingBufferTarget truncated="0" processingTime="0" totalEventsProcessed="3" eventCount="3" droppedCount="0" memoryUsed="2872">
  <event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:02:43.001Z">
    <data name="error">
      <type name="int32" package="package0" />
      <value>35206</value>
    </data>
    <data name="severity">
      <type name="int32" package="package0"></type>
      <value>10</value>
    </data>
    <data name="state">
      <type name="int32" package="package0" />
      <value>1</value>
    </data>
    <data name="user_defined">
      <type name="boolean" package="package0" />
      <value>false</value>
    </data>
    <data name="message">
      <type name="unicode_string" package="package0" />
      <value>A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE2\PROD' with id [a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02].  Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.</value>
    </data>
  </event>
  <event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-11T09:02:41.545Z">
    <data name="previous_state">
      <type name="availability_replica_state" package="sqlserver" />
      <value>4</value>
      <text>SECONDARY_NORMAL</text>
    </data>
    <data name="current_state">
      <type name="availability_replica_state" package="sqlserver" />
      <value>0</value>
      <text>RESOLVING_NORMAL</text>
    </data>
    <data name="availability_group_id">
      <type name="guid" package="package0" />
      <value>5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10</value>
    </data>
    <data name="availability_group_name">
      <type name="unicode_string" package="package0" />
      <value>agOrders</value>
    </data>
    <data name="availability_replica_id">
      <type name="guid" package="package0" />
      <value>a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02</value>
    </data>
    <action name="server_instance_name" package="sqlserver">
      <type name="unicode_string" package="package0" />
      <value>SQLNODE2\PROD</value>
    </action>
  </event>
  <event name="availability_group_lease_expired" package="sqlserver" timestamp="2024-03-11T09:02:41.530Z">
    <data name="state">
      <type name="hadr_lease_worker_states" package="sqlserver" />
      <value>2</value>
      <text>LeaseExpired</text>
    </data>
    <data name="availability_group_name">
      <type name="unicode_string" package="package0" />
      <value>agOrders</value>
    </data>
  </event>
</RingBufferTarget>
EOF

# system_health and SQLDIAG: sp_server_diagnostics results with their data XML.
cat > system_health.xml <<'EOF'
<event name="sp_server_diagnostics_component_result" package="sqlserver" timestamp="2024-03-11T09:02:31.250Z"><data name="component"><value>1</value><text><![CDATA[SYSTEM]]></text></data><data name="state"><value>3</value><text><![CDATA[ERROR]]></text></data><data name="data"><type name="xml" package="package0" /><value><system spinlockBackoffs="0" sickSpinlockType="none" sickSpinlockTypeAfterAv="none" latchWarnings="0" isAccessViolationOccurred="0" writeAccessViolationCount="0" totalDumpRequests="186" intervalDumpRequests="3" nonYieldingTasksReported="0" pageFaults="0" systemCpuUtilization="12" sqlCpuUtilization="3" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0" /></value></data></event>
<event name="sp_server_diagnostics_component_result" package="sqlserver" timestamp="2024-03-11T09:02:31.250Z"><data name="component"><value>2</value><text><![CDATA[RESOURCE]]></text></data><data name="state"><value>1</value><text><![CDATA[CLEAN]]></text></data><data name="data"><type name="xml" package="package0" /><value><resource lastNotification="RESOURCE_MEMPHYSICAL_HIGH" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0"><memoryReport name="Process/System Counts" unit="Value"><entry description="Available Physical Memory" value="8412131328" /><entry description="Working Set" value="2214526976" /></memoryReport></resource></value></data></event>
<event name="component_health_result" package="sqlserver" timestamp="2024-03-11T09:02:41.250Z"><data name="component"><value>3</value><text><![CDATA[QUERY_PROCESSING]]></text></data><data name="state"><value>3</value></data><data name="state_desc"><value><![CDATA[error]]></value></data><data name="data"><value><queryProcessing maxWorkers="512" workersCreated="512" workersIdle="0" tasksCompletedWithinInterval="4" pendingTasks="331" oldestPendingTaskWaitingTime="61043" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="1" trackingNonYieldingScheduler="0x0"><topWaits><nonPreemptive><byCount><wait waitType="THREADPOOL" waits="1844" averageWaitTime="312" maxWaitTime="61043" /></byCount></nonPreemptive></topWaits></queryProcessing></value></data></event>
EOF
