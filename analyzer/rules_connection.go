package analyzer

import (
	"cmp"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// connWindow is a ConnectionWindow with the events behind it.
type connWindow struct {
	ConnectionWindow
	opened []*parsers.Event
	closed *parsers.Event
}

// partnerOf returns the other replica of a connection event logged on ev.Server.
func partnerOf(ev *parsers.Event) string {
	if ev.Replica != "" && !strings.EqualFold(ev.Replica, ev.Server) {
		return ev.Replica
	}
	if f := ev.Field("from_replica"); f != "" && !strings.EqualFold(f, ev.Server) {
		return f
	}
	return ev.Replica
}

// connectionWindows pairs connection losses (35201, 35206, 35267, connection
// errors) with the next re-connection (35202, 35266) of the same server and
// partner. They are computed once per pass and shared by the rules and the
// report.
func connectionWindows(p *Pass) []*connWindow {
	if !p.haveWins {
		p.windows, p.haveWins = buildWindows(p), true
	}
	return p.windows
}

func buildWindows(p *Pass) []*connWindow {
	type key struct{ server, partner string }
	open := map[key]*connWindow{}
	var out []*connWindow
	for _, ev := range p.Events {
		switch ev.Kind {
		case parsers.KindConnectionTimeout, parsers.KindDatabaseDisconnected, parsers.KindConnectionError,
			parsers.KindConnectionEstablished, parsers.KindDatabaseConnected:
		default:
			continue
		}
		partner := p.servers.canonical(partnerOf(ev))
		if partner == "" {
			continue
		}
		k := key{ev.Server, partner}
		switch ev.Kind {
		case parsers.KindConnectionEstablished, parsers.KindDatabaseConnected:
			if w := open[k]; w != nil {
				w.End = ev.Time
				w.closed = ev
				delete(open, k)
			}
		default:
			w := open[k]
			if w == nil {
				w = &connWindow{ConnectionWindow: ConnectionWindow{AG: ev.AG, Server: ev.Server, Partner: partner, Start: ev.Time}}
				open[k] = w
				out = append(out, w)
			}
			if w.AG == "" {
				w.AG = ev.AG
			}
			if ev.Database != "" && !contains(w.Databases, ev.Database) {
				w.Databases = append(w.Databases, ev.Database)
			}
			w.opened = append(w.opened, ev)
		}
	}
	for _, w := range out {
		sort.Strings(w.Databases)
		closeWhenNoPrimary(p, w)
	}
	return out
}

// closeWhenNoPrimary fits a window to the time a connection mattered:
// replicas only keep connections to and from the primary, so a window starts
// when one of the two is primary (a secondary that loses its old primary in a
// failover is no disconnection until the new primary expects it) and ends
// when neither is any more. A replica whose role is unknown counts as a
// possible primary.
func closeWhenNoPrimary(p *Pass, w *connWindow) {
	end := w.End
	if end.IsZero() {
		end = p.endOf(w.Server)
	}
	times := []time.Time{w.Start}
	for _, sp := range p.roles.spans {
		if (sp.Server == w.Server || strings.EqualFold(sp.Server, w.Partner)) && sp.Start.After(w.Start) && sp.Start.Before(end) {
			times = append(times, sp.Start)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	started := false
	for _, t := range times {
		a, b := p.roles.roleAt(w.AG, w.Server, t), p.roles.roleAt(w.AG, w.Partner, t)
		// A replica whose role the logs do not show (its log was cycled
		// since its last change) may be the primary.
		mattered := a == RolePrimary || b == RolePrimary || a == "" || b == ""
		if !started {
			if mattered {
				started = true
				w.Start = t
			}
			continue
		}
		if !mattered {
			w.End = t
			w.Cause = "failover: neither replica was the primary any more"
			w.closed = nil
			return
		}
	}
	if !started {
		w.End = w.Start
		w.Cause = "failover: neither replica was the primary any more"
		w.closed = nil
	}
}

// restartedNear reports whether server started or shut down in [from, to].
func restartedNear(p *Pass, server string, from, to time.Time) bool {
	if !p.haveLife {
		p.lifecycle, p.haveLife = p.filter(parsers.KindStartup, parsers.KindShutdown), true
	}
	for _, ev := range p.lifecycle {
		if strings.EqualFold(ev.Server, server) &&
			!ev.Time.Before(from) && !ev.Time.After(to) {
			return true
		}
	}
	return false
}

// ReplicaDisconnectedRule finds replicas that could not reach a partner.
var ReplicaDisconnectedRule = &Rule{
	Name:     "replica-disconnected",
	Category: CatReplicaDisconnected,
	Doc: `Pairs connection losses (35201 new connection timed out, 35206 established connection timed out,
35267 database connection terminated, 35204/35207/9642 transport errors) with the next re-connection
of the same pair of replicas (35202, 35266), giving the duration and the databases that stopped
synchronizing. Short gaps (under a minute) and gaps while the partner restarted are expected and not
reported. Fix: check the network and firewall between the replicas (endpoint port, usually 5022) and
the partner's health.`,
	Run: func(p *Pass) {
		wins := connectionWindows(p)
		used := make([]bool, len(wins))
		for i, w := range wins {
			if used[i] {
				continue
			}
			end := w.End
			ongoing := end.IsZero()
			if ongoing {
				end = p.endOf(w.Server)
			}
			if end.Sub(w.Start) < time.Minute && !ongoing {
				continue
			}
			if w.Cause != "" {
				continue // closed by a failover
			}
			if restartedNear(p, w.Partner, w.Start.Add(-2*time.Minute), end) || restartedNear(p, w.Server, w.Start.Add(-2*time.Minute), w.Start.Add(2*time.Minute)) {
				continue // the report names the incident, or the restart, as the cause
			}
			evs := append([]*parsers.Event{}, w.opened...)
			// The same outage seen from the other side is one finding.
			for j := i + 1; j < len(wins); j++ {
				o := wins[j]
				if strings.EqualFold(o.Server, w.Partner) && strings.EqualFold(o.Partner, w.Server) && o.Start.Before(end.Add(time.Minute)) &&
					(o.End.IsZero() || !o.End.Before(w.Start)) {
					used[j] = true
					evs = append(evs, o.opened...)
				}
			}
			sort.SliceStable(evs, func(a, b int) bool { return evs[a].Time.Before(evs[b].Time) })
			f := &Finding{
				Start: w.Start, End: end, Ongoing: ongoing,
				Servers: nonEmpty(w.Server, w.Partner), AGs: nonEmpty(w.AG), Databases: w.Databases,
				Title:    fmt.Sprintf("%s lost its connection to %s", w.Server, w.Partner),
				Severity: 50,
				partner:  w.Partner,
			}
			dur := durationText(end.Sub(w.Start))
			if ongoing {
				f.RootCause = fmt.Sprintf("%s could not reach %s from %s until the end of the logs (%s); the cause is not in the SQL logs (network, firewall, DNS or the partner's endpoint).", w.Server, w.Partner, hms(w.Start), dur)
			} else {
				f.RootCause = fmt.Sprintf("%s could not reach %s for %s; the cause is not in the SQL logs (network, firewall, DNS or the partner's endpoint).", w.Server, w.Partner, dur)
			}
			f.Summary = fmt.Sprintf("%s and %s were disconnected for %s from %s.", w.Server, w.Partner, dur, hms(w.Start))
			f.Chain = append(f.Chain, step(fmt.Sprintf("%s lost its connection to %s.", w.Server, w.Partner), evs...))
			if w.closed != nil {
				f.Chain = append(f.Chain, step(fmt.Sprintf("The connection was established again after %s.", dur), w.closed))
			}
			f.Confidence, f.ConfidenceReason = Possible, "The disconnection is logged, but nothing in the SQL logs says why."
			f.Fix = Fix{
				Steps: []string{
					fmt.Sprintf("From %s, test the partner's endpoint: Test-NetConnection %s -Port 5022 (use the port of its endpoint_url).", w.Server, hostPart(w.Partner)),
					"Check firewalls, DNS and the endpoint state on both replicas.",
				},
				SQL: []string{"SELECT ar.replica_server_name, ar.endpoint_url, rs.connected_state_desc, rs.last_connect_error_number, rs.last_connect_error_description, rs.last_connect_error_timestamp\nFROM sys.dm_hadr_availability_replica_states AS rs\nJOIN sys.availability_replicas AS ar ON ar.replica_id = rs.replica_id;",
					"SELECT name, state_desc, role_desc, connection_auth_desc FROM sys.database_mirroring_endpoints;"},
			}
			p.Report(f)
		}
	},
}

var endpointNameRE = regexp.MustCompile(`(?i)\b(?:CREATE|ALTER)\s+ENDPOINT\s+\[?([A-Za-z0-9_]+)\]?`)

// endpointName returns the mirroring endpoint name when a statement in the
// logs names it, else the default Hadr_endpoint and false.
func endpointName(p *Pass) (string, bool) {
	for _, ev := range p.Events {
		if ev.Kind == parsers.KindDDL || ev.Kind == parsers.KindEndpointOwnership {
			if m := endpointNameRE.FindStringSubmatch(ev.Message + " " + ev.Field("statement")); m != nil {
				return m[1], true
			}
		}
	}
	return "Hadr_endpoint", false
}

// handshakeExplain describes a handshake State code.
func handshakeExplain(state int, login, server string) (cause string, known bool) {
	switch state {
	case 84:
		return fmt.Sprintf("login %s lacks CONNECT permission on %s's database mirroring endpoint (handshake State 84)", login, server), true
	case 85:
		return fmt.Sprintf("the certificate of %s's database mirroring endpoint is missing or expired (handshake State 85)", server), true
	case 58:
		return "the two endpoints have no common TLS algorithm, typically a certificate signed with MD5/SHA1 under TLS 1.2 (handshake State 58)", true
	case 21:
		return "the endpoints have no compatible authentication protocol, typically Windows authentication between workgroup or non-domain servers (handshake State 21)", true
	}
	return fmt.Sprintf("the endpoint handshake failed with State %d, which has no documented meaning; the inner message says more", state), false
}

// EndpointHandshakeRule explains endpoint handshake failures.
var EndpointHandshakeRule = &Rule{
	Name:     "endpoint-handshake",
	Category: CatEndpointHandshake,
	Doc: `Groups endpoint handshake failures (28034, 28047, 28048, 28035, 28036, 28027, 28031, 28045,
28080) by server, login, client address and State code, with first/last seen and count, and finds the
replica that cannot connect (by its listening address or by its own connection timeouts to this
server). State 84 = the login lacks CONNECT on the endpoint (fix: GRANT CONNECT ON ENDPOINT);
85 = endpoint certificate missing or expired; 58 = no common algorithm; 21 = no compatible
authentication protocol.`,
	Run: runHandshake,
}

func runHandshake(p *Pass) {
	type key struct {
		server, login, client string
		state                 int
	}
	groups := map[key][]*parsers.Event{}
	var keys []key
	for _, ev := range p.filter(parsers.KindHandshakeFailure) {
		k := key{ev.Server, ev.Login, ev.Client, ev.HandshakeState}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], ev)
	}
	wins := connectionWindows(p)
	ep, epKnown := endpointName(p)
	for _, k := range keys {
		for _, grp := range groupByGap(groups[k], 30*time.Minute) {
			start, last := grp[0].Time, until(grp)
			partner := ""
			how := ""
			if k.client != "" {
				if sv := p.servers.byAddress(k.client); sv != nil {
					partner, how = sv.Name, fmt.Sprintf("%s listens on %s", sv.Name, k.client)
				}
			}
			if partner == "" {
				for _, w := range wins {
					if strings.EqualFold(w.Partner, k.server) && w.Server != k.server &&
						w.Start.Before(last.Add(time.Minute)) && (w.End.IsZero() || w.End.After(start.Add(-time.Minute))) {
						partner, how = w.Server, fmt.Sprintf("%s logged connection timeouts to %s during the same period", w.Server, k.server)
						break
					}
				}
			}
			// Resolution: a connection between the pair after the last failure.
			var resolved *parsers.Event
			for _, ev := range p.Events {
				if ev.Time.Before(last) || ev.Time.After(last.Add(15*time.Minute)) {
					continue
				}
				if ev.Kind == parsers.KindConnectionEstablished || ev.Kind == parsers.KindDatabaseConnected {
					other := p.servers.canonical(partnerOf(ev))
					if partner != "" && (ev.Server == partner && strings.EqualFold(other, k.server) || ev.Server == k.server && strings.EqualFold(other, partner)) ||
						partner == "" && ev.Server == k.server {
						resolved = ev
						break
					}
				}
			}
			who := partner
			if who == "" {
				who = "the replica at " + k.client
				if k.client == "" {
					who = "a partner replica"
				}
			}
			login := k.login
			if login == "" {
				login = "(not logged)"
			}
			cause, known := handshakeExplain(k.state, login, k.server)
			f := &Finding{
				Cause: true, Start: start, End: last, Servers: nonEmpty(k.server, partner),
				Title:    fmt.Sprintf("%s cannot connect to %s's endpoint", upperFirst(who), k.server),
				Severity: 70, login: k.login, partner: partner, state: k.state,
			}
			f.AGs = collect(grp, agOf)
			f.RootCause = fmt.Sprintf("%s cannot connect to %s's endpoint because %s.", upperFirst(who), k.server, cause)
			count := fmt.Sprintf("%s %s", plural(total(grp), "failed handshake", "failed handshakes"), between(start, last))
			f.Chain = append(f.Chain, step(fmt.Sprintf("%s rejected connections from %s: %s.", k.server, who, count), grp...))
			if resolved != nil {
				f.End = resolved.Time
				f.Chain = append(f.Chain, step("The connection was established again (someone fixed the endpoint permission or certificate).", resolved))
				f.Summary = fmt.Sprintf("%s could not connect to %s for %s (%s) until the connection was re-established at %s.", upperFirst(who), k.server, durationText(resolved.Time.Sub(start)), count, hms(resolved.Time))
			} else {
				if p.endOf(k.server).Sub(last) < 10*time.Minute {
					f.Ongoing = true
					f.End = p.endOf(k.server)
				}
				f.Summary = fmt.Sprintf("%s could not connect to %s: %s.", upperFirst(who), k.server, count)
			}
			switch {
			case known && partner != "":
				f.Confidence = Certain
				f.ConfidenceReason = fmt.Sprintf("The handshake error names the cause (State %d) and the client %s is %s (%s).", k.state, k.client, partner, how)
			case known:
				f.Confidence = Likely
				f.ConfidenceReason = fmt.Sprintf("The handshake error names the cause (State %d), but the client %s could not be matched to a replica in these logs.", k.state, k.client)
			default:
				f.Confidence = Possible
				f.ConfidenceReason = "The handshake State code is not documented."
			}
			f.Fix = handshakeFix(k.state, k.login, ep, epKnown, k.server, who)
			p.Report(f)
		}
	}
}

func handshakeFix(state int, login, ep string, epKnown bool, server, who string) Fix {
	epNote := ""
	if !epKnown {
		epNote = "-- Hadr_endpoint is the default name; check sys.database_mirroring_endpoints for yours.\n"
	}
	check := "-- Who may connect to the endpoint, and who owns it\nSELECT e.name AS endpoint_name, SUSER_NAME(e.principal_id) AS endpoint_owner, e.state_desc,\n       SUSER_NAME(p.grantee_principal_id) AS grantee, p.permission_name, p.state_desc AS permission_state\nFROM sys.database_mirroring_endpoints AS e\nLEFT JOIN sys.server_permissions AS p\n       ON p.class = 105 AND p.major_id = e.endpoint_id AND p.permission_name = 'CONNECT';"
	switch state {
	case 84:
		l := login
		if l == "" {
			l = "DOMAIN\\service_account"
		}
		steps := []string{
			fmt.Sprintf("On %s (and on every replica, so that the next failover does not break again), grant CONNECT on the endpoint to the service account of %s.", server, who),
			"If the login does not exist on a replica, create it first: CREATE LOGIN " + quoteIdent(l) + " FROM WINDOWS;",
		}
		if strings.HasSuffix(l, "$") {
			steps = append(steps, "The login ends in '$': the partner's service runs as a machine or virtual account. Prefer a domain service account (or certificate authentication) for the endpoint.")
		}
		return Fix{
			SQL:   []string{epNote + fmt.Sprintf("GRANT CONNECT ON ENDPOINT::%s TO %s;", quoteIdent(ep), quoteIdent(l)), check},
			Steps: steps,
		}
	case 85:
		return Fix{
			SQL: []string{epNote + "-- On " + server + ": a new certificate for the endpoint\nUSE master;\nCREATE CERTIFICATE [HADR_cert_new] WITH SUBJECT = 'AG endpoint certificate', EXPIRY_DATE = '20301231';\nALTER ENDPOINT " + quoteIdent(ep) + " FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [HADR_cert_new]);\nBACKUP CERTIFICATE [HADR_cert_new] TO FILE = 'C:\\Temp\\HADR_cert_new.cer';",
				"-- Certificates and their expiry dates\nSELECT name, subject, start_date, expiry_date FROM master.sys.certificates ORDER BY expiry_date;"},
			Steps: []string{
				"Copy the public key to every partner and bind it to the login/user that represents " + server + " there (CREATE CERTIFICATE ... FROM FILE ... AUTHORIZATION <user>).",
				"Certificates for endpoints are only checked for validity dates: track their expiry dates.",
			},
		}
	case 58:
		return Fix{Steps: []string{
			"Re-issue the endpoint certificates signed with SHA-256 (not MD5/SHA1) and check the TLS 1.2 configuration of both servers (Schannel events 36871/36874 in the System log).",
		}, SQL: []string{"SELECT name, pvt_key_encryption_type_desc, start_date, expiry_date FROM master.sys.certificates;"}}
	case 21:
		return Fix{Steps: []string{
			"Give both endpoints a common authentication: AUTHENTICATION = WINDOWS NEGOTIATE between domain servers, or certificates between workgroup / non-domain servers.",
		}, SQL: []string{"SELECT name, connection_auth_desc, encryption_algorithm_desc FROM sys.database_mirroring_endpoints;"}}
	}
	return Fix{Steps: []string{"Read the inner handshake message in the evidence and check the endpoint configuration on both replicas."}, SQL: []string{check}}
}

// EndpointOwnershipRule finds attempts to drop the login that owns the endpoint.
var EndpointOwnershipRule = &Rule{
	Name:     "endpoint-ownership",
	Category: CatEndpointOwnership,
	Doc: `Finds 15141 (the server principal owns an endpoint and cannot be dropped) and 15173 (the
principal granted permissions that must be revoked first): the endpoint is owned by a personal login
(often a departed employee's). Fix: ALTER AUTHORIZATION ON ENDPOINT to sa; that drops the CONNECT
permissions the old owner granted, so re-grant CONNECT to every replica's service account. Handshake
failures with State 84 that follow are linked to this cause.`,
	Run: func(p *Pass) {
		ep, _ := endpointName(p)
		type key struct{ server, login string }
		groups := map[key][]*parsers.Event{}
		var keys []key
		for _, ev := range p.filter(parsers.KindEndpointOwnership) {
			k := key{ev.Server, ev.Login}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], ev)
		}
		for _, k := range keys {
			grp := groups[k]
			login := k.login
			inferred := ""
			if login == "" {
				// 15141 does not name the login. A login that is dropped
				// soon after (the DBA changed the owner and retried) then
				// fails with "Could not find a login matching the name".
				if l := droppedLogin(p, k.server, grp[0].Time); l != "" {
					login = l
					inferred = "a login, probably " + l + " (after the refused DROP LOGIN its logins fail with 'Could not find a login matching the name provided'),"
				} else {
					login = "a login"
				}
			}
			var accounts []string
			for _, sv := range p.servers.list {
				if sv.ServiceAccount != "" && !contains(accounts, sv.ServiceAccount) {
					accounts = append(accounts, sv.ServiceAccount)
				}
			}
			sql := fmt.Sprintf("-- Make a system login own the endpoint (run on %s)\nALTER AUTHORIZATION ON ENDPOINT::%s TO [sa];\n-- This drops the CONNECT grants made by the old owner: grant them again\n", k.server, quoteIdent(ep))
			if len(accounts) == 0 {
				accounts = []string{"DOMAIN\\service_account"}
			}
			for _, a := range accounts {
				sql += fmt.Sprintf("GRANT CONNECT ON ENDPOINT::%s TO %s;\n", quoteIdent(ep), quoteIdent(a))
			}
			p.Report(&Finding{
				Cause: true, Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{k.server},
				Title:    "The endpoint on " + k.server + " is owned by " + login,
				Severity: 65, login: k.login,
				RootCause: fmt.Sprintf("%s owns the database mirroring endpoint on %s or granted its CONNECT permissions (%s), so it cannot be dropped; changing the owner drops the CONNECT grants it made.",
					upperFirst(cmp.Or(inferred, login)), k.server, errorNumbers(grp)),
				Summary:    fmt.Sprintf("Dropping %s on %s failed because it owns the AG endpoint or granted its permissions.", login, k.server),
				Chain:      []Step{step(fmt.Sprintf("DROP LOGIN %s failed on %s.", login, k.server), grp...)},
				Confidence: Certain, ConfidenceReason: fmt.Sprintf("SQL Server refused to drop the login (%s).", errorNumbers(grp)),
				Fix: Fix{
					SQL: []string{sql, "SELECT e.name, SUSER_NAME(e.principal_id) AS owner FROM sys.endpoints AS e WHERE e.type = 4;"},
					Steps: []string{
						"Change the endpoint owner to sa (or another system login) on every replica whose endpoint the departed login owns, then re-grant CONNECT to each replica's service account, then drop the login.",
					},
				},
			})
		}
	},
}

// droppedLogin returns the login that most often failed with "Could not find a
// login matching the name provided" on server within a day after t.
func droppedLogin(p *Pass, server string, t time.Time) string {
	counts := map[string]int{}
	best := ""
	for _, ev := range p.Events {
		if ev.Kind != parsers.KindLoginFailed || ev.Server != server || ev.Login == "" || ev.Time.Before(t) || ev.Time.After(t.Add(24*time.Hour)) {
			continue
		}
		if !strings.Contains(strings.ToLower(ev.Reason+" "+ev.Message), "could not find a login matching") {
			continue
		}
		counts[ev.Login] += 1 + ev.Repeats
		if counts[ev.Login] > counts[best] {
			best = ev.Login
		}
	}
	return best
}

// DataMovementRule reports suspended data movement.
var DataMovementRule = &Rule{
	Name:     "data-movement",
	Category: CatDataMovement,
	Doc: `Finds databases whose data movement was suspended (35264, data_movement_suspend_resume) with
the suspend reason (SUSPEND_FROM_PARTNER after a forced failover, SUSPEND_FROM_REDO, SUSPEND_FROM_APPLY
...) until it was resumed (35265). Fix: remove the cause, then ALTER DATABASE ... SET HADR RESUME.`,
	Run: func(p *Pass) {
		type key struct{ server, db string }
		open := map[key]*Finding{}
		for _, ev := range p.filter(parsers.KindDataMovementSuspended, parsers.KindDataMovementResumed) {
			k := key{ev.Server, strings.ToUpper(ev.Database)}
			if ev.Kind == parsers.KindDataMovementResumed {
				if f := open[k]; f != nil {
					f.End = ev.Time
					f.Ongoing = false
					f.Chain = append(f.Chain, step(fmt.Sprintf("Data movement of %s resumed after %s.", ev.Database, durationText(ev.Time.Sub(f.Start))), ev))
					f.Summary = fmt.Sprintf("Data movement of %s on %s was suspended for %s.", ev.Database, ev.Server, durationText(ev.Time.Sub(f.Start)))
					delete(open, k)
				}
				continue
			}
			if open[k] != nil {
				continue
			}
			src := ev.Field("suspend_source")
			reason := ev.Reason
			if reason == "" {
				reason = src
			}
			f := &Finding{
				Cause: !strings.Contains(strings.ToUpper(src+reason), "SUSPEND_FROM_PARTNER"),
				Start: ev.Time, End: p.endOf(ev.Server), Ongoing: true, Servers: []string{ev.Server},
				AGs: nonEmpty(ev.AG), Databases: nonEmpty(ev.Database),
				Title:    fmt.Sprintf("Data movement of %s suspended on %s", ev.Database, ev.Server),
				Severity: 55, reason: strings.ToUpper(src + " " + reason),
				RootCause:  fmt.Sprintf("Data movement of database %s on %s was suspended (%s).", ev.Database, ev.Server, reason),
				Summary:    fmt.Sprintf("Data movement of %s on %s was suspended at %s and not resumed in the logs.", ev.Database, ev.Server, hms(ev.Time)),
				Chain:      []Step{step(fmt.Sprintf("Data movement of %s was suspended: %s.", ev.Database, reason), ev)},
				Confidence: Certain, ConfidenceReason: "SQL Server logged the suspension with its reason.",
				Fix: Fix{
					SQL: []string{fmt.Sprintf("-- On %s, once the cause is fixed\nALTER DATABASE %s SET HADR RESUME;", ev.Server, quoteIdent(ev.Database)),
						"SELECT DB_NAME(database_id) AS database_name, is_suspended, suspend_reason_desc, synchronization_state_desc\nFROM sys.dm_hadr_database_replica_states WHERE is_local = 1;"},
					Steps: []string{"Resume data movement; if it suspends again, the secondary may have diverged (after a forced failover) and must be reseeded."},
				},
			}
			open[k] = f
			p.Report(f)
		}
	},
}
