#!/usr/bin/env bash
# Builds the SQL LogScout for Linux collections of this folder from the
# linux-8bit scenario (../scenarios/linux-8bit), as SQL LogScout's scripts
# package them (microsoft/SQL_LogScout, "SQL LogScout Linux/collect_sql/
# collect_sql_logs.sh" and "support/create_tar.sh"):
#   output/<HOST>_host_instance_sql_logs.bz2      tar of errorlog* and *_health* | bzip2
#   output/<HOST>_host_instance_sqlagent_logs.bz2 two bzip2 streams, each a tar
#   output/<HOST>_host_instance_mssql.conf, <HOST>_os_*.info, sqllogscout.log
# then one archive per node: output_<host>_<MM_DD_YYYY_HH_MM>.tar.bz2.
# Deterministic (fixed owners, times and order). Run from this folder: ./gen.sh
set -euo pipefail
here=$(pwd)
tarx() { tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2025-02-10 06:30:00' "$@"; }
for h in sqllnx1 sqllnx2; do
	work=$(mktemp -d)
	mkdir -p "$work/output" "$work/agent" "$work/startup"
	(cd "../scenarios/linux-8bit/$h" && tarx -cf - errorlog AlwaysOn_health.xml) | bzip2 -9 > "$work/output/${h}_host_instance_sql_logs.bz2"
	printf '2025-02-10 06:00:01 - ? [100] Microsoft SQLServerAgent version 16.0.4135.4 (X64 unicode retail build) : Process ID 1234\n2025-02-10 06:00:02 - ! [298] SQLServer Error: 10054, TCP Provider: An existing connection was forcibly closed by the remote host. [SQLSTATE 08S01]\n' > "$work/agent/sqlagent.out"
	printf '2025-02-10 06:00:00 - ? [100] SQLServerAgent is starting\n' > "$work/startup/sqlagentstartup.log"
	(cd "$work/agent" && tarx -cf - sqlagent.out) | bzip2 -9 > "$work/output/${h}_host_instance_sqlagent_logs.bz2"
	(cd "$work/startup" && tarx -cf - sqlagentstartup.log) | bzip2 -9 >> "$work/output/${h}_host_instance_sqlagent_logs.bz2"
	printf '[hadr]\nhadrenabled = 1\n\n[network]\ntcpport = 1433\n' > "$work/output/${h}_host_instance_mssql.conf"
	printf '[    0.000000] Linux version 5.15.0-1051-azure (buildd@lcy02-amd64-017)\n[    2.104233] EXT4-fs (sda1): mounted filesystem with ordered data mode\n' > "$work/output/${h}_os_dmesg.info"
	printf 'Feb 10 06:01:44 %s systemd[1]: Started Microsoft SQL Server Database Engine.\n' "$h" > "$work/output/${h}_os.journalctl.info"
	printf '2025-02-10 06:30:00 Starting sql logs collectors\n2025-02-10 06:30:02 Collecting SQL Server error logs\n' > "$work/output/sqllogscout.log"
	printf 'group_name      failure_condition_level health_check_timeout\n--------------- ----------------------- --------------------\nAGShop          3                       30000\n\n(1 rows affected)\n' > "$work/output/${h}_host_instance_SQL_AlwaysOnDiag_Shutdown.out"
	(cd "$work" && tarx -cjf "$here/output_${h}_02_10_2025_06_30.tar.bz2" output)
	rm -rf "$work"
done
