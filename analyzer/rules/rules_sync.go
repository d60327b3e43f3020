package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// LogFullRule finds transaction logs that filled because a secondary did not
// receive log.
var LogFullRule = &rule.Rule{
	Name:     "log-full",
	Category: report.CatLogFull,
	Rank:     110,
	Action:   true,
	// A secondary that cannot receive log holds the primary's log: the
	// disconnection (or what caused it) explains it, even an hour later.,
	Links: logFullLinks(),
	Doc:   logFullDoc,
	Run:   runLogFull,
}

// logFullLinks are the links of LogFullRule.
func logFullLinks() []rule.Link {
	return linksFrom([]report.Category{report.CatReplicaDisconnected, report.CatEndpointHandshake, report.CatClusterOutage, report.CatLeaseExpiry, report.CatCrash, report.CatFailover, report.CatRestart},
		rule.Link{Effect: report.CatLogFull, After: time.Hour, SameServer: true})
}

const logFullDoc = `Finds 9002 "The transaction log for database '...' is full due to 'AVAILABILITY_REPLICA'":
the primary cannot truncate its log until every secondary has received it, so a disconnected or
lagging secondary fills the log and writes fail. It is linked to the disconnection before it.
Fix: reconnect the secondary (or remove it from the AG), add log space meanwhile, and watch
log_reuse_wait_desc.`

func runLogFull(p *rule.Pass) {
	var evs []*parsers.Event
	for _, ev := range p.Filter(parsers.KindDatabaseNotSynced) {
		if ev.Error == 9002 {
			evs = append(evs, ev)
		}
	}
	for sv, grp := range rule.Episodes(evs, time.Hour) {
		dbs := rule.Collect(grp, databaseOf)
		db := strings.Join(dbs, ", ")
		if db == "" {
			db = "a database"
		}
		var sql []string
		for _, d := range dbs {
			sql = append(sql, fmt.Sprintf("-- On %s: why the log of %s cannot be truncated, and how full it is\nSELECT name, log_reuse_wait_desc FROM sys.databases WHERE name = N'%s';\nDBCC SQLPERF(LOGSPACE);", sv, d, strings.ReplaceAll(d, "'", "''")))
		}
		sql = append(sql, "-- Which secondary is behind\nSELECT ar.replica_server_name, drs.database_id, drs.synchronization_state_desc, drs.log_send_queue_size, drs.last_hardened_time\nFROM sys.dm_hadr_database_replica_states AS drs\nJOIN sys.availability_replicas AS ar ON ar.replica_id = drs.replica_id;")
		p.Report(&rule.Finding{
			Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, Key: strings.ToUpper(sv),
			AGs: rule.Collect(grp, agOf), Databases: dbs,
			Title:    fmt.Sprintf("Transaction log of %s full on %s", db, sv),
			Severity: 85,
			RootCause: fmt.Sprintf("The transaction log of %s on %s filled up because it could not be truncated until every secondary had received it (9002 AVAILABILITY_REPLICA, %s until %s): writes to the database failed.",
				db, sv, words.Plural(len(grp), "error", "errors"), words.HMS(grp[len(grp)-1].Time)),
			Summary:    fmt.Sprintf("The transaction log of %s on %s was full from %s: writes failed.", db, sv, words.HMS(grp[0].Time)),
			Chain:      []report.Step{rule.Step(fmt.Sprintf("The log of %s was full, held for a secondary (AVAILABILITY_REPLICA).", db), grp...)},
			Confidence: report.Certain, ConfidenceReason: "SQL Server logged the full log and the reason it could not be truncated.",
			Fix: report.Fix{
				SQL: sql,
				Steps: []string{
					"Reconnect the secondary that is behind (see the disconnection in this incident), or, if it cannot come back soon, remove it from the availability group so that the log can be truncated: ALTER AVAILABILITY GROUP [<AG>] REMOVE REPLICA ON N'<server>'.",
					"Meanwhile give the log room: grow the log file or add one on another volume (ALTER DATABASE ... MODIFY FILE / ADD LOG FILE).",
				},
			},
		})
	}
}

// NotSynchronizingRule finds secondary databases left behind or damaged.
var NotSynchronizingRule = &rule.Rule{
	Name:     "not-synchronizing",
	Category: report.CatNotSynchronizing,
	Rank:     120,
	Action:   true,
	Links:    notSynchronizingLinks(),
	Doc:      notSynchronizingDoc,
	Run:      runNotSynchronizing,
}

// notSynchronizingLinks are the links of NotSynchronizingRule.
func notSynchronizingLinks() []rule.Link {
	return linksFrom([]report.Category{report.CatReplicaDisconnected, report.CatEndpointHandshake, report.CatClusterOutage, report.CatLeaseExpiry, report.CatCrash, report.CatFailover, report.CatRestart},
		rule.Link{Effect: report.CatNotSynchronizing, After: time.Hour, SameServer: true})
}

const notSynchronizingDoc = `Finds secondary databases that stopped synchronizing for a reason of their own: 35268
(synchronization interrupted, the database left inconsistent: restore or reseed), 35273 (recovery
bypassed: the database is inaccessible), 35275 (damaged database cannot be joined), 35276 (no
worker to synchronize). 35274 and 35278, which are normal while a secondary waits for or
resynchronizes with a new primary, are not reported. Fix: follow the message (restore log backups
or reseed; restart the instance for 35276).`

func runNotSynchronizing(p *rule.Pass) {
	var evs []*parsers.Event
	for _, ev := range p.Filter(parsers.KindDatabaseNotSynced) {
		switch ev.Error {
		case 35268, 35273, 35275, 35276:
			evs = append(evs, ev)
		}
	}
	for sv, grp := range rule.Episodes(evs, time.Hour) {
		dbs := rule.Collect(grp, databaseOf)
		db := strings.Join(dbs, ", ")
		if db == "" {
			db = "a secondary database"
		}
		what := map[int]string{
			35268: "synchronization was interrupted and the database was left inconsistent (it needs log backups restored or a reseed)",
			35273: "recovery was bypassed because the database is inaccessible (quorum, endpoint or permission problem)",
			35275: "the database is damaged and cannot be joined",
			35276: "no worker could be scheduled to synchronize it",
		}[grp[0].Error]
		p.Report(&rule.Finding{
			Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, Key: strings.ToUpper(sv),
			AGs: rule.Collect(grp, agOf), Databases: dbs,
			Title:      fmt.Sprintf("%s on %s is not synchronizing", words.UpperFirst(db), sv),
			Severity:   60,
			RootCause:  fmt.Sprintf("On %s, %s stopped synchronizing: %s (%s).", sv, db, what, rule.ErrorNumbers(grp)),
			Summary:    fmt.Sprintf("%s on %s stopped synchronizing at %s.", words.UpperFirst(db), sv, words.HMS(grp[0].Time)),
			Chain:      []report.Step{rule.Step(fmt.Sprintf("%s stopped synchronizing.", words.UpperFirst(db)), grp...)},
			Confidence: report.Certain, ConfidenceReason: "SQL Server logged the state of the secondary database.",
			Fix: report.Fix{
				SQL:   []string{"SELECT DB_NAME(database_id) AS database_name, synchronization_state_desc, synchronization_health_desc, is_suspended, suspend_reason_desc\nFROM sys.dm_hadr_database_replica_states WHERE is_local = 1;"},
				Steps: []string{"Follow the message: restore the missing log backups or reseed the secondary database (remove it from the AG on the secondary, restore from a fresh backup WITH NORECOVERY, join it again); for 35276 restart the instance and check max worker threads."},
			},
		})
	}
}
