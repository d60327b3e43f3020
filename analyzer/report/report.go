package report

import (
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// Report is the result of an analysis. Writers (Markdown, JSON) only read it.
// JSON field names are stable and documented in the README.
type Report struct {
	// Tool names the program and its version ("agtriage 0.1.0").
	Tool string `json:"tool"`

	// Start and End bound the analysis: the first and last event or log
	// record of all inputs (UTC).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Since and Until are the window the analysis was limited to
	// (--since/--until), zero when open.
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// AGs and Databases are the availability groups and databases the logs name.
	AGs       []string `json:"ags"`
	Databases []string `json:"databases"`

	// Servers are the SQL Server instances seen, with their clocks and coverage.
	Servers []Server `json:"servers"`
	// Inputs lists every input file: how it was read, or why it was not.
	Inputs []Input `json:"inputs"`
	// Incidents are the problems found, each with one root cause, by start time.
	Incidents []Incident `json:"incidents"`
	// Failovers are the changes of primary, in time order.
	Failovers []Failover `json:"failovers"`
	// Connections are the windows during which a replica could not reach a partner.
	Connections []ConnectionWindow `json:"connections"`
	// Roles are the spans of each replica's role per AG, for the role chart.
	Roles []RoleSpan `json:"roles"`
	// Timeline holds the AG-relevant events of all servers, merged in time order
	// (repeated identical messages are folded into one entry with a count).
	Timeline []TimelineEntry `json:"timeline"`
	// TimelineDropped counts entries left out of Timeline to keep it readable.
	TimelineDropped int `json:"timeline_dropped,omitempty"`
	// Background counts, by kind, the events that do not concern the AG and
	// are not in the timeline (application login failures).
	Background map[string]int `json:"background,omitempty"`
	// Gaps lists coverage problems: replicas without logs, logs that do not cover
	// an incident, XEvent files that start after it.
	Gaps []string `json:"gaps"`
	// Warnings are problems of the analysis itself (clocks that could
	// not be aligned, options that matched nothing).
	Warnings []string `json:"warnings"`

	// Settings are the AG settings found in collected configuration files
	// (lease and health-check timeouts, failure condition level, replica
	// modes); see AGSettings.
	Settings []AGSettings `json:"settings,omitempty"`
}

// ClockSource says how a server's ERRORLOG times were put on UTC.
type ClockSource string

// How a server's local times were aligned.
const (
	ClockErrorlog ClockSource = "errorlog" // the ERRORLOG "UTC adjustment" line
	ClockOverride ClockSource = "override" // --utc-offset / Options.UTCOffsets
	ClockInferred ClockSource = "inferred" // matched ERRORLOG and XEvent pairs of the same server
	ClockUTC      ClockSource = "utc"      // only UTC sources (XEvent)
	ClockUnknown  ClockSource = "unknown"  // kept on local time; cross-server ordering uncertain
)

// Server is one SQL Server instance (availability replica) seen in the inputs.
type Server struct {
	// Name is the instance name (HOST or HOST\\INSTANCE).
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"` // other spellings seen (host name, folder name)
	// Clock says how this server's local times were aligned (see Clock* constants).
	Clock ClockSource `json:"clock"`
	// UTCOffset is local minus UTC, e.g. "-07:00", when known.
	UTCOffset string `json:"utc_offset,omitempty"`
	// ClockDetail says what the clock alignment rests on, in a sentence.
	ClockDetail string `json:"clock_detail,omitempty"`
	// ServiceAccount is the account the instance runs as, when logged.
	ServiceAccount string   `json:"service_account,omitempty"`
	Addresses      []string `json:"addresses,omitempty"` // IP addresses the server listens on
	// Files are the inputs attributed to the server.
	Files []string `json:"files"`
	// Start and End bound what the server's logs cover (UTC).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Restarts counts the instance startups in the logs.
	Restarts int `json:"restarts"`
}

// Input describes one input file and how it was read.
type Input struct {
	// File is the path as given (archive members as archive/member).
	File string `json:"file"`
	// Format is the detected format (parsers.Format), "" when unknown.
	Format string `json:"format"`
	// Encoding is the text encoding read ("utf-16le", "utf-8", ...).
	Encoding string `json:"encoding,omitempty"`
	// Server is the server the file was attributed to.
	Server       string `json:"server,omitempty"`
	AttributedBy string `json:"attributed_by,omitempty"` // "log" (Server name / replica name), "folder", "override", "sibling"
	// Bytes is the file's size (read, for a compressed member).
	Bytes int64 `json:"bytes"`
	// Lines counts the lines read, for text formats.
	Lines int `json:"lines,omitempty"`
	// Events counts the events the reader produced.
	Events int `json:"events"`
	// Unrecognized counts the lines or records that were not understood.
	Unrecognized int `json:"unrecognized"`
	// SkippedBytes counts damaged bytes the reader skipped.
	SkippedBytes int64 `json:"skipped_bytes,omitempty"`
	// Start and End bound the file's records (UTC, folded repeats included).
	Start      time.Time `json:"start,omitzero"`
	End        time.Time `json:"end,omitzero"`
	LocalClock bool      `json:"local_clock,omitempty"` // times could not be put on UTC
	Skipped    string    `json:"skipped,omitempty"`     // why the file was not read
	// MissingMiddle is the time a head-and-tail copy of a large log does not
	// cover (collectors keep only its first and last lines).
	MissingMiddle *TimeSpan `json:"missing_middle,omitempty"`
	// Ignored is true when the skipped file is not a log at all (a README, a
	// JSON file, an empty file): nothing was lost by skipping it.
	Ignored bool `json:"ignored,omitempty"`
	// Warnings name the problems met while reading, with file and line.
	Warnings []string `json:"warnings,omitempty"`
	// MissingZone counts XEvent timestamps written without a zone that were
	// taken as UTC.
	MissingZone int `json:"missing_zone,omitempty"`
	// NotKept counts repeated events (storms of login or handshake failures
	// beyond the first 50 of a kind) folded into a counted event.
	NotKept int `json:"not_kept,omitempty"`
	// TotalWarnings counts all warnings, including those not kept in Warnings.
	TotalWarnings int `json:"total_warnings,omitempty"`
}

// Confidence is how sure the analysis is of an incident's root cause.
type Confidence string

// Confidence levels of an incident's root cause.
const (
	Certain  Confidence = "certain"
	Likely   Confidence = "likely"
	Possible Confidence = "possible"
)

// Category names the kind of problem a finding or an incident is about.
// Rules declare theirs; an incident has the category of its root cause.
type Category string

// Incident categories (the category of the root-cause finding).
const (
	CatClusterOutage       Category = "cluster_outage"
	CatLeaseExpiry         Category = "lease_expiry"
	CatHealthCheck         Category = "health_check"
	CatFailover            Category = "failover"
	CatFailedFailover      Category = "failed_failover"
	CatReplicaDisconnected Category = "replica_disconnected"
	CatEndpointHandshake   Category = "endpoint_handshake"
	CatEndpointOwnership   Category = "endpoint_ownership"
	CatDataMovement        Category = "data_movement"
	CatRestart             Category = "restart"
	CatLogFull             Category = "log_full"
	CatNotSynchronizing    Category = "not_synchronizing"
	CatCrash               Category = "crash" // SQL Server or its host crashed (Windows System log)
)

// Incident is a group of findings with one root cause.
type Incident struct {
	// ID numbers the incident in the report, from 1.
	ID int `json:"id"`
	// Category is the category of the root-cause finding.
	Category Category `json:"category"`
	// Title names the incident in a few words.
	Title string `json:"title"`
	// Start and End bound the incident (UTC).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Duration in seconds (End - Start).
	Duration float64 `json:"duration_seconds"`
	// Ongoing is true when the logs end before the incident was resolved.
	Ongoing bool `json:"ongoing,omitempty"`
	// AGs, Servers and Databases are what the incident concerns.
	AGs       []string `json:"ags"`
	Servers   []string `json:"servers"`
	Databases []string `json:"databases"`
	// RootCause is one sentence a DBA can act on.
	RootCause string `json:"root_cause"`
	// Summary is one or two plain sentences for a manager.
	Summary string `json:"summary"`
	// Chain is the causal chain, in time order.
	Chain []Step `json:"chain"`
	// Fix is the remediation: T-SQL and steps.
	Fix Fix `json:"fix"`
	// Confidence is how sure the analysis is of RootCause, and
	// ConfidenceReason what it rests on.
	Confidence       Confidence `json:"confidence"`
	ConfidenceReason string     `json:"confidence_reason"`
	Rules            []string   `json:"rules"` // names of the rules whose findings make up the incident
	// Severity orders incidents, higher first (0..100).
	Severity int `json:"severity"`
	// ClientErrors counts the connections clients were refused during the
	// incident because a database was not available (983, 976).
	ClientErrors int `json:"client_errors,omitempty"`
}

// Step is one link of a causal chain.
type Step struct {
	// Time is when the step happened (UTC).
	Time time.Time `json:"time"`
	// Server is where it happened.
	Server string `json:"server,omitempty"`
	// Text says what happened, in a sentence.
	Text string `json:"text"`
	// Evidence quotes the records behind the step.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is a quoted input record.
type Evidence struct {
	// File and Line (or Offset, for binary formats) locate the record.
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	// Server is the server whose log holds the record.
	Server string `json:"server,omitempty"`
	// Time is the record's time (UTC).
	Time time.Time `json:"time"`
	// Count > 1 when the same message repeated (Text is the first occurrence).
	Count int `json:"count,omitempty"`
	// Last is the time of the last repeat, when Count > 1.
	Last time.Time `json:"last,omitzero"`
	// Text is the record as it appears in the log.
	Text string `json:"text"`
}

// Position returns "file:line" or "file@offset".
func (e Evidence) Position() string { return parsers.Position(e.File, e.Line, e.Offset) }

// Fix is the suggested remediation.
type Fix struct {
	// SQL holds T-SQL batches, each ready to paste into a query window.
	SQL []string `json:"sql,omitempty"`
	// Steps are plain-language actions, in order.
	Steps []string `json:"steps,omitempty"`
}

// Mode is how a failover was made.
type Mode string

// Failover modes.
const (
	ModeManual    Mode = "manual"
	ModeForced    Mode = "forced"
	ModeAutomatic Mode = "automatic"
	// ModeUnknown: only the old primary's side is in the logs.
	ModeUnknown Mode = "unknown"
)

// Failover is one change of an AG's primary replica (or a failed attempt).
type Failover struct {
	// AG is the availability group.
	AG string `json:"ag"`
	// From is the old primary ("" when not in the logs).
	From string `json:"from,omitempty"`
	// To is the new primary ("" when no log in the bundle shows it).
	To string `json:"to,omitempty"`
	// At is when the primary changed (UTC).
	At time.Time `json:"at"`
	// Mode is how the failover was made.
	Mode Mode `json:"mode"`
	// NoPrimary is how long, in seconds, the AG had no primary: from the old
	// primary leaving PRIMARY_NORMAL to the new one reaching it (0 when the
	// old primary's side is not in the logs).
	NoPrimary float64 `json:"no_primary_seconds,omitempty"`
	// Trigger explains the mode: the DDL statement, or the health event that preceded it.
	Trigger string `json:"trigger,omitempty"`
	// IncidentID is the incident the failover belongs to (0 for none).
	IncidentID int `json:"incident,omitempty"`
	// Evidence quotes the role changes behind the failover.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// ConnectionWindow is a period during which Replica (Server's partner) was not
// connected, as seen from Server.
type ConnectionWindow struct {
	// AG is the availability group, when known.
	AG string `json:"ag,omitempty"`
	// Server is the replica that logged the loss.
	Server string `json:"server"`
	// Partner is the replica it could not reach.
	Partner string `json:"partner"`
	// Start is when the connection was lost (UTC).
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"` // zero when never reconnected in the logs
	// Databases are the databases whose connection was lost.
	Databases []string `json:"databases,omitempty"`
	// Cause names what explains the window (an incident, a
	// failover, a restart).
	Cause string `json:"cause,omitempty"`
}

// Role is a replica's role in the role chart.
type Role string

// Roles of a replica in the role chart.
const (
	RolePrimary   Role = "primary"
	RoleSecondary Role = "secondary"
	RoleResolving Role = "resolving"
	RoleDown      Role = "down" // instance stopped or no AG running
)

// RoleSpan is a period during which Server held Role in AG.
type RoleSpan struct {
	// AG is the availability group.
	AG string `json:"ag"`
	// Server is the replica.
	Server string `json:"server"`
	// Role is the role held.
	Role Role `json:"role"`
	// Start and End bound the span (UTC).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// TimelineEntry is one AG-relevant event in the merged timeline.
type TimelineEntry struct {
	// Time is when the event happened (UTC, or local when Local).
	Time time.Time `json:"time"`
	// Local is true when the time could not be put on UTC.
	Local bool `json:"local_clock,omitempty"`
	// Server is the server that logged the event.
	Server string `json:"server"`
	// Kind is the event's kind (parsers.Kind).
	Kind string `json:"kind"`
	// Error is the SQL Server error number, when there is one.
	Error int `json:"error,omitempty"`
	// Text is the event's message.
	Text string `json:"text"`
	// Count > 1 when repeats of the same message are folded into the entry.
	Count int `json:"count,omitempty"`
	// Last is the time of the last folded repeat, when Count > 1.
	Last time.Time `json:"last,omitzero"`
	// Position locates the event ("file:line" or "file@offset").
	Position string `json:"position"`
	// Incident is the incident whose time the entry falls in (0 for none).
	Incident int `json:"incident,omitempty"`
}

// String returns the clock source's name.
func (c ClockSource) String() string { return string(c) }

// String returns the confidence level's name.
func (c Confidence) String() string { return string(c) }

// String returns the category's name.
func (c Category) String() string { return string(c) }

// String returns the failover mode's name.
func (m Mode) String() string { return string(m) }

// String returns the role's name.
func (r Role) String() string { return string(r) }

// TimeSpan is an interval of time, for coverage gaps.
type TimeSpan struct {
	// From and To bound the span (UTC).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// AGSettings is the configuration of one availability group found in a
// support collection: the cluster resource's timeouts (SQL LogScout's
// ClusterInfo.out) and sys.availability_groups / sys.availability_replicas
// columns (the AlwaysOn DMV script outputs of SQL LogScout, PSSDiag and SDP).
// Zero means not found.
type AGSettings struct {
	// AG is the availability group.
	AG string `json:"ag"`
	// LeaseTimeoutMs and HealthCheckTimeoutMs are in milliseconds.
	LeaseTimeoutMs int `json:"lease_timeout_ms,omitempty"`
	// HealthCheckTimeoutMs is the health-check timeout.
	HealthCheckTimeoutMs int `json:"health_check_timeout_ms,omitempty"`
	// FailureConditionLevel is the AG's FAILURE_CONDITION_LEVEL (1..5).
	FailureConditionLevel int `json:"failure_condition_level,omitempty"`
	// Replicas are the settings of each replica.
	Replicas []ReplicaSettings `json:"replicas,omitempty"`
	// Sources are the positions ("file:line") the values were read from.
	Sources []string `json:"sources"`
}

// ReplicaSettings is one replica's configuration.
type ReplicaSettings struct {
	// Replica is the replica (server) name.
	Replica          string `json:"replica"`
	AvailabilityMode string `json:"availability_mode,omitempty"` // SYNCHRONOUS_COMMIT, ASYNCHRONOUS_COMMIT, CONFIGURATION_ONLY
	FailoverMode     string `json:"failover_mode,omitempty"`     // AUTOMATIC, MANUAL, EXTERNAL
	// SessionTimeoutS is the replica's SESSION_TIMEOUT in seconds.
	SessionTimeoutS int `json:"session_timeout_s,omitempty"`
}
