package scenario

import (
	"fmt"
	"time"
)

// LogBackups writes the "Log was backed up." lines of a log-backup job that
// runs every interval between from and to (UTC) for the databases of g.
func (r *Replica) LogBackups(from, to time.Time, every time.Duration, g AG) {
	for t := from; t.Before(to); t = t.Add(every) {
		for i, db := range g.DBs {
			at := t.Add(time.Duration(2+i*3)*sec + time.Duration(t.Minute()*7%90)*10*ms)
			l := at.Add(r.Offset)
			lsn := 4100 + t.Hour()*12 + t.Minute()/5 + i*900
			r.Log(at, "Backup", fmt.Sprintf("Log was backed up. Database: %s, creation date(time): 2023/06/01(09:12:44), first LSN: %d:%d:1, last LSN: %d:%d:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'\\\\backup01\\sql\\%s\\%s\\%s_LOG_%s.trn'}). This is an informational message only. No user action is required.",
				db, lsn, 1024+i*16, lsn, 2880+i*16, r.Host, db, db, l.Format("20060102_150405")))
		}
	}
}

// FullBackup writes a full backup of db.
func (r *Replica) FullBackup(at time.Time, db string, pages int) {
	l := at.Add(r.Offset)
	r.Log(at, "Backup", fmt.Sprintf("Database backed up. Database: %s, creation date(time): 2023/06/01(09:12:44), pages dumped: %d, first LSN: 4102:1016:37, last LSN: 4102:1104:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {'\\\\backup01\\sql\\%s\\%s\\%s_FULL_%s.bak'}). This is an informational message only. No user action is required.", db, pages, r.Host, db, db, l.Format("20060102_150405")))
	r.Log(at.Add(30*ms), "Backup", fmt.Sprintf("BACKUP DATABASE successfully processed %d pages in %d.%03d seconds (%d.%03d MB/sec).", pages+2, pages/9000, pages%997, 310+pages%97, pages%1000))
}

// LoginFailed writes an 18456 pair from the Logon source.
func (r *Replica) LoginFailed(at time.Time, state int, user, reason, client string) {
	r.Err(at, "Logon", 18456, 14, state, fmt.Sprintf("Login failed for user '%s'. Reason: %s [CLIENT: %s]", user, reason, client))
}

// CheckDB writes a DBCC CHECKDB completion line.
func (r *Replica) CheckDB(at time.Time, spid, db string) {
	r.Log(at, spid, fmt.Sprintf("DBCC CHECKDB (%s) WITH no_infomsgs executed by %s found 0 errors and repaired 0 errors. Elapsed time: 0 hours 4 minutes 12 seconds.  Internal database snapshot has split point LSN = 00001002:00000a18:0001 and first LSN = 00001002:00000a10:0001.", db, r.Account))
}

// AgentXPs writes the lines an Agent job start produces.
func (r *Replica) AgentXPs(at time.Time, spid string) {
	r.Log(at, spid, "Attempting to load library 'xpstar.dll' into memory. This is an informational message only. No user action is required.")
	r.Log(at.Add(40*ms), spid, "Using 'xpstar.dll' version '2019.150.4322' to execute extended stored procedure 'xp_instance_regread'. This is an informational message only; no user action is required.")
}
