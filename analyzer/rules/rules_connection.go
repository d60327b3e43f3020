package rules

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/agstate"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// restartExplains reports whether a restart of w's partner (or of w's own
// server) when the window opened explains all of it: the connection came
// back within 10 minutes of the instance's startup. A restart does not
// explain a disconnection that lasted long after it.
func restartExplains(p *rule.Pass, w *agstate.Window, end time.Time) bool {
	for _, sv := range []string{w.Partner, w.Server} {
		ev := agstate.RestartAt(p, sv, w.Start.Add(-2*time.Minute), w.Start.Add(2*time.Minute))
		if ev == nil {
			continue
		}
		up := agstate.RestartAt(p, sv, ev.Time, end)
		for up != nil && up.Kind != parsers.KindStartup {
			up = agstate.RestartAt(p, sv, up.Time.Add(time.Nanosecond), end)
		}
		if w.End.IsZero() {
			return false
		}
		if up == nil && ev.Kind == parsers.KindStartup {
			up = ev
		}
		if up != nil && end.Sub(up.Time) <= 10*time.Minute {
			return true
		}
	}
	return false
}

// ReplicaDisconnectedRule finds replicas that could not reach a partner.
var ReplicaDisconnectedRule = &rule.Rule{
	Name:     "replica-disconnected",
	Category: report.CatReplicaDisconnected,
	Rank:     100,
	Requires: []*rule.Result{agstate.ConnectionsResult, agstate.LifecycleResult},
	Links:    replicaDisconnectedLinks(),
	Doc:      replicaDisconnectedDoc,
	Run:      runReplicaDisconnected,
}

// replicaDisconnectedLinks are the links of ReplicaDisconnectedRule.
func replicaDisconnectedLinks() []rule.Link {
	return []rule.Link{
		// A handshake failure is the most specific explanation.
		{Cause: report.CatEndpointHandshake, Effect: report.CatReplicaDisconnected, Before: time.Minute, After: time.Minute, Overlap: true,
			Match: func(c, e *rule.Finding) bool { return words.ContainsHost(c.Servers, e.Partner) }},
		// Anything that happened to one of the two replicas as the
		// connection broke.
		{Effect: report.CatReplicaDisconnected, Before: 2 * time.Minute, After: 5 * time.Minute, SameServer: true},
	}
}

const replicaDisconnectedDoc = `Pairs connection losses (35201 new connection timed out, 35206 established connection timed out,
35267 database connection terminated, 35204/35207/9642 transport errors) with the next re-connection
of the same pair of replicas (35202, 35266), giving the duration and the databases that stopped
synchronizing. Short gaps (under a minute) and gaps while the partner restarted are expected and not
reported. Fix: check the network and firewall between the replicas (endpoint port, usually 5022) and
the partner's health.`

func runReplicaDisconnected(p *rule.Pass) {
	wins := agstate.Windows(p)
	used := make([]bool, len(wins))
	for i, w := range wins {
		if used[i] {
			continue
		}
		end := w.End
		ongoing := end.IsZero()
		if ongoing {
			end = p.EndOf(w.Server)
		}
		if end.Sub(w.Start) < time.Minute && !ongoing {
			continue
		}
		if w.Cause != "" {
			continue // closed by a failover
		}
		if restartExplains(p, w, end) {
			continue // the report names the restart as the cause
		}
		evs := append([]*parsers.Event{}, w.Opened...)
		windows := []*report.ConnectionWindow{&w.ConnectionWindow}
		// The same outage seen from the other side is one finding.
		for j := i + 1; j < len(wins); j++ {
			o := wins[j]
			if strings.EqualFold(o.Server, w.Partner) && strings.EqualFold(o.Partner, w.Server) && o.Start.Before(end.Add(time.Minute)) &&
				(o.End.IsZero() || !o.End.Before(w.Start)) {
				used[j] = true
				evs = append(evs, o.Opened...)
				windows = append(windows, &o.ConnectionWindow)
			}
		}
		sort.SliceStable(evs, func(a, b int) bool { return evs[a].Time.Before(evs[b].Time) })
		f := &rule.Finding{
			Start: w.Start, End: end, Ongoing: ongoing,
			Servers: words.NonEmpty(w.Server, w.Partner), AGs: words.NonEmpty(w.AG), Databases: w.Databases,
			Title:    fmt.Sprintf("%s lost its connection to %s", w.Server, w.Partner),
			Severity: 50,
			Partner:  w.Partner,
			Key:      pairName(w.Server, w.Partner),
			Windows:  windows,
		}
		dur := report.FormatDuration(end.Sub(w.Start))
		if ongoing {
			f.RootCause = fmt.Sprintf("%s could not reach %s from %s until the end of the logs (%s); the cause is not in the SQL logs (network, firewall, DNS or the partner's endpoint).", w.Server, w.Partner, words.HMS(w.Start), dur)
		} else {
			f.RootCause = fmt.Sprintf("%s could not reach %s for %s; the cause is not in the SQL logs (network, firewall, DNS or the partner's endpoint).", w.Server, w.Partner, dur)
		}
		f.Summary = fmt.Sprintf("%s and %s were disconnected for %s from %s.", w.Server, w.Partner, dur, words.HMS(w.Start))
		// Whatever started it, a disconnection that outlasts its
		// start by far needs to be read on its own.
		switch {
		case ongoing:
			f.Consequence = fmt.Sprintf("%s could not reach %s from %s until the end of the logs (%s)", w.Server, w.Partner, words.HMS(w.Start), dur)
		case end.Sub(w.Start) >= 10*time.Minute:
			f.Consequence = fmt.Sprintf("%s could not reach %s for %s, until %s", w.Server, w.Partner, dur, words.HMS(end))
		}
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("%s lost its connection to %s.", w.Server, w.Partner), evs...))
		if ev := agstate.RestartAt(p, w.Partner, w.Start.Add(-2*time.Minute), w.Start.Add(2*time.Minute)); ev != nil {
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("%s restarted at %s, but the connection did not come back with it.", w.Partner, words.HMS(ev.Time)), ev))
		}
		if w.Closed != nil {
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The connection was established again after %s.", dur), w.Closed))
		}
		f.Confidence, f.ConfidenceReason = report.Possible, "The disconnection is logged, but nothing in the SQL logs says why."
		f.Fix = report.Fix{
			Steps: []string{
				fmt.Sprintf("From %s, test the partner's endpoint: Test-NetConnection %s -Port 5022 (use the port of its endpoint_url).", w.Server, words.HostPart(w.Partner)),
				"Check firewalls, DNS and the endpoint state on both replicas.",
			},
			SQL: []string{"SELECT ar.replica_server_name, ar.endpoint_url, rs.connected_state_desc, rs.last_connect_error_number, rs.last_connect_error_description, rs.last_connect_error_timestamp\nFROM sys.dm_hadr_availability_replica_states AS rs\nJOIN sys.availability_replicas AS ar ON ar.replica_id = rs.replica_id;",
				"SELECT name, state_desc, role_desc, connection_auth_desc FROM sys.database_mirroring_endpoints;"},
		}
		p.Report(f)
	}
}

var endpointNameRE = regexp.MustCompile(`(?i)\b(?:CREATE|ALTER)\s+ENDPOINT\s+\[?([A-Za-z0-9_]+)\]?`)

// endpointName returns the mirroring endpoint name when a statement in the
// logs names it, else the default Hadr_endpoint and false.
func endpointName(p *rule.Pass) (string, bool) {
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
var EndpointHandshakeRule = &rule.Rule{
	Name:     "endpoint-handshake",
	Category: report.CatEndpointHandshake,
	Rank:     70,
	Requires: []*rule.Result{agstate.ConnectionsResult},
	Action:   true,
	Links:    endpointHandshakeLinks(),
	Doc:      endpointHandshakeDoc,
	Run:      runHandshake,
}

// endpointHandshakeLinks are the links of EndpointHandshakeRule.
func endpointHandshakeLinks() []rule.Link {
	return []rule.Link{
		{Cause: report.CatEndpointOwnership, Effect: report.CatEndpointHandshake, After: 30 * 24 * time.Hour,
			Match:    func(_, e *rule.Finding) bool { return e.Detail == handshakeState(84) },
			Inferred: "The refused DROP LOGIN is logged; that the ownership change removed the CONNECT permission is inferred from the handshake failures (State 84) that follow it."},
	}
}

const endpointHandshakeDoc = `Groups endpoint handshake failures (28034, 28047, 28048, 28035, 28036, 28027, 28031, 28045,
28080) by server, login, client address and State code, with first/last seen and count, and finds the
replica that cannot connect (by its listening address or by its own connection timeouts to this
server). State 84 = the login lacks CONNECT on the endpoint (fix: GRANT CONNECT ON ENDPOINT);
85 = endpoint certificate missing or expired; 58 = no common algorithm; 21 = no compatible
authentication protocol.`

func runHandshake(p *rule.Pass) {
	type key struct {
		server, login, partner string
		state                  int
	}
	wins := agstate.Windows(p)
	evs := p.Filter(parsers.KindHandshakeFailure)
	// Resolve each failure's partner before grouping: by its client address,
	// else by the partner's own connection timeouts to this server at that
	// time, else by failures of the same login and state on this server
	// that name a client (an error_reported copy carries no address).
	partners := make([]string, len(evs))
	hows := make([]string, len(evs))
	for i, ev := range evs {
		if ev.Client != "" {
			if sv := p.ServerAt(ev.Client); sv != nil {
				partners[i], hows[i] = sv.Name, fmt.Sprintf("%s listens on %s", sv.Name, ev.Client)
				continue
			}
		}
		for _, w := range wins {
			end := w.End
			if end.IsZero() {
				end = p.EndOf(w.Server)
			}
			if strings.EqualFold(w.Partner, ev.Server) && w.Server != ev.Server &&
				!ev.Time.Before(w.Start.Add(-time.Minute)) && !ev.Time.After(end.Add(time.Minute)) {
				partners[i], hows[i] = w.Server, fmt.Sprintf("%s logged connection timeouts to %s during the same period", w.Server, ev.Server)
				break
			}
		}
	}
	for i, ev := range evs {
		if partners[i] != "" || ev.Client != "" {
			continue
		}
		for j, o := range evs {
			if partners[j] != "" && o.Server == ev.Server && strings.EqualFold(o.Login, ev.Login) && o.HandshakeState == ev.HandshakeState &&
				o.Time.Sub(ev.Time).Abs() <= 30*time.Minute {
				partners[i], hows[i] = partners[j], hows[j]
				break
			}
		}
	}
	groups := map[key][]int{}
	var keys []key
	for i, ev := range evs {
		k := key{ev.Server, strings.ToUpper(ev.Login), partners[i], ev.HandshakeState}
		if partners[i] == "" {
			k.partner = "client:" + ev.Client
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	ep, epKnown := endpointName(p)
	for _, k := range keys {
		var all []*parsers.Event
		for _, i := range groups[k] {
			all = append(all, evs[i])
		}
		first := groups[k][0]
		partner, how := partners[first], hows[first]
		client, login := "", ""
		for _, i := range groups[k] {
			if client == "" {
				client = evs[i].Client
			}
			if login == "" {
				login = evs[i].Login
			}
		}
		for _, grp := range rule.GroupByGap(all, 30*time.Minute) {
			start, last := grp[0].Time, rule.Until(grp)
			// Resolution: a connection between the pair after the last failure.
			var resolved *parsers.Event
			for _, ev := range p.Within(last, last.Add(15*time.Minute)) {
				if ev.Kind == parsers.KindConnectionEstablished || ev.Kind == parsers.KindDatabaseConnected {
					other := p.Canonical(agstate.PartnerOf(ev))
					if partner != "" && (ev.Server == partner && strings.EqualFold(other, k.server) || ev.Server == k.server && strings.EqualFold(other, partner)) ||
						partner == "" && ev.Server == k.server {
						resolved = ev
						break
					}
				}
			}
			who := partner
			if who == "" {
				who = "the replica at " + client
				if client == "" {
					who = "a partner replica"
				}
			}
			// A server's name keeps its case; a description starts a sentence.
			whoCap := who
			if partner == "" {
				whoCap = words.UpperFirst(who)
			}
			shown := login
			if shown == "" {
				shown = "(not logged)"
			}
			cause, known := handshakeExplain(k.state, shown, k.server)
			f := &rule.Finding{
				Start: start, End: last, Servers: words.NonEmpty(k.server, partner),
				Title:    fmt.Sprintf("%s cannot connect to %s's endpoint", whoCap, k.server),
				Severity: 70, Partner: partner, Detail: handshakeState(k.state),
				Key: fmt.Sprintf("%s|%s|%d|%s", strings.ToUpper(login), strings.ToUpper(k.server), k.state, strings.ToUpper(k.partner)),
			}
			f.AGs = rule.Collect(grp, agOf)
			f.RootCause = fmt.Sprintf("%s cannot connect to %s's endpoint because %s.", whoCap, k.server, cause)
			count := fmt.Sprintf("%s %s", words.Plural(rule.Total(grp), "failed handshake", "failed handshakes"), words.Between(start, last))
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("%s rejected connections from %s: %s.", k.server, who, count), grp...))
			if resolved != nil {
				f.End = resolved.Time
				f.Chain = append(f.Chain, rule.Step("The connection was established again (someone fixed the endpoint permission or certificate).", resolved))
				f.Summary = fmt.Sprintf("%s could not connect to %s for %s (%s) until the connection was re-established at %s.", whoCap, k.server, report.FormatDuration(resolved.Time.Sub(start)), count, words.HMS(resolved.Time))
			} else {
				if p.EndOf(k.server).Sub(last) < 10*time.Minute {
					f.Ongoing = true
					f.End = p.EndOf(k.server)
				}
				f.Summary = fmt.Sprintf("%s could not connect to %s: %s.", whoCap, k.server, count)
			}
			switch {
			case known && partner != "":
				f.Confidence = report.Certain
				f.ConfidenceReason = fmt.Sprintf("The handshake error names the cause (State %d) and the connecting replica is %s (%s).", k.state, partner, how)
				if client != "" {
					f.ConfidenceReason = fmt.Sprintf("The handshake error names the cause (State %d) and the client %s is %s (%s).", k.state, client, partner, how)
				}
			case known:
				f.Confidence = report.Likely
				f.ConfidenceReason = fmt.Sprintf("The handshake error names the cause (State %d), but the connecting replica could not be matched to one in these logs.", k.state)
				if client != "" {
					f.ConfidenceReason = fmt.Sprintf("The handshake error names the cause (State %d), but the client %s could not be matched to a replica in these logs.", k.state, client)
				}
			default:
				f.Confidence = report.Possible
				f.ConfidenceReason = "The handshake State code is not documented."
			}
			f.Fix = handshakeFix(k.state, login, ep, epKnown, k.server, who)
			p.Report(f)
		}
	}
}

func handshakeFix(state int, login, ep string, epKnown bool, server, who string) report.Fix {
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
			"If the login does not exist on a replica, create it first: CREATE LOGIN " + words.QuoteIdent(l) + " FROM WINDOWS;",
		}
		if strings.HasSuffix(l, "$") {
			steps = append(steps, "The login ends in '$': the partner's service runs as a machine or virtual account. Prefer a domain service account (or certificate authentication) for the endpoint.")
		}
		return report.Fix{
			SQL:   []string{epNote + fmt.Sprintf("GRANT CONNECT ON ENDPOINT::%s TO %s;", words.QuoteIdent(ep), words.QuoteIdent(l)), check},
			Steps: steps,
		}
	case 85:
		return report.Fix{
			SQL: []string{epNote + "-- On " + server + ": a new certificate for the endpoint\nUSE master;\nCREATE CERTIFICATE [HADR_cert_new] WITH SUBJECT = 'AG endpoint certificate', EXPIRY_DATE = '20301231';\nALTER ENDPOINT " + words.QuoteIdent(ep) + " FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [HADR_cert_new]);\nBACKUP CERTIFICATE [HADR_cert_new] TO FILE = 'C:\\Temp\\HADR_cert_new.cer';",
				"-- Certificates and their expiry dates\nSELECT name, subject, start_date, expiry_date FROM master.sys.certificates ORDER BY expiry_date;"},
			Steps: []string{
				"Copy the public key to every partner and bind it to the login/user that represents " + server + " there (CREATE CERTIFICATE ... FROM FILE ... AUTHORIZATION <user>).",
				"Certificates for endpoints are only checked for validity dates: track their expiry dates.",
			},
		}
	case 58:
		return report.Fix{Steps: []string{
			"Re-issue the endpoint certificates signed with SHA-256 (not MD5/SHA1) and check the TLS 1.2 configuration of both servers (Schannel events 36871/36874 in the System log).",
		}, SQL: []string{"SELECT name, pvt_key_encryption_type_desc, start_date, expiry_date FROM master.sys.certificates;"}}
	case 21:
		return report.Fix{Steps: []string{
			"Give both endpoints a common authentication: AUTHENTICATION = WINDOWS NEGOTIATE between domain servers, or certificates between workgroup / non-domain servers.",
		}, SQL: []string{"SELECT name, connection_auth_desc, encryption_algorithm_desc FROM sys.database_mirroring_endpoints;"}}
	}
	return report.Fix{Steps: []string{"Read the inner handshake message in the evidence and check the endpoint configuration on both replicas."}, SQL: []string{check}}
}

// EndpointOwnershipRule finds attempts to drop the login that owns the endpoint.
var EndpointOwnershipRule = &rule.Rule{
	Name:     "endpoint-ownership",
	Category: report.CatEndpointOwnership,
	Rank:     50,
	Doc:      endpointOwnershipDoc,
	Run:      runEndpointOwnership,
}

const endpointOwnershipDoc = `Finds 15141 (the server principal owns an endpoint and cannot be dropped) and 15173 (the
principal granted permissions that must be revoked first): the endpoint is owned by a personal login
(often a departed employee's). Fix: ALTER AUTHORIZATION ON ENDPOINT to sa; that drops the CONNECT
permissions the old owner granted, so re-grant CONNECT to every replica's service account. Handshake
failures with State 84 that follow are linked to this cause.`

func runEndpointOwnership(p *rule.Pass) {
	ep, _ := endpointName(p)
	type key struct{ server, login string }
	groups := map[key][]*parsers.Event{}
	var keys []key
	for _, ev := range p.Filter(parsers.KindEndpointOwnership) {
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
		for _, sv := range p.Servers {
			if sv.ServiceAccount != "" && !slices.Contains(accounts, sv.ServiceAccount) {
				accounts = append(accounts, sv.ServiceAccount)
			}
		}
		sql := fmt.Sprintf("-- Make a system login own the endpoint (run on %s)\nALTER AUTHORIZATION ON ENDPOINT::%s TO [sa];\n-- This drops the CONNECT grants made by the old owner: grant them again\n", k.server, words.QuoteIdent(ep))
		if len(accounts) == 0 {
			accounts = []string{"DOMAIN\\service_account"}
		}
		for _, a := range accounts {
			sql += fmt.Sprintf("GRANT CONNECT ON ENDPOINT::%s TO %s;\n", words.QuoteIdent(ep), words.QuoteIdent(a))
		}
		p.Report(&rule.Finding{
			Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{k.server},
			Title:    "The endpoint on " + k.server + " is owned by " + login,
			Severity: 65, Key: strings.ToUpper(k.login),
			RootCause: fmt.Sprintf("%s owns the database mirroring endpoint on %s or granted its CONNECT permissions (%s), so it cannot be dropped; changing the owner drops the CONNECT grants it made.",
				words.UpperFirst(cmp.Or(inferred, login)), k.server, rule.ErrorNumbers(grp)),
			Summary:    fmt.Sprintf("Dropping %s on %s failed because it owns the AG endpoint or granted its permissions.", login, k.server),
			Chain:      []report.Step{rule.Step(fmt.Sprintf("DROP LOGIN %s failed on %s.", login, k.server), grp...)},
			Confidence: report.Certain, ConfidenceReason: fmt.Sprintf("SQL Server refused to drop the login (%s).", rule.ErrorNumbers(grp)),
			Fix: report.Fix{
				SQL: []string{sql, "SELECT e.name, SUSER_NAME(e.principal_id) AS owner FROM sys.endpoints AS e WHERE e.type = 4;"},
				Steps: []string{
					"Change the endpoint owner to sa (or another system login) on every replica whose endpoint the departed login owns, then re-grant CONNECT to each replica's service account, then drop the login.",
				},
			},
		})
	}
}

// droppedLogin returns the login that most often failed with "Could not find a
// login matching the name provided" on server within a day after t.
func droppedLogin(p *rule.Pass, server string, t time.Time) string {
	counts := map[string]int{}
	best := ""
	for _, ev := range p.Within(t, t.Add(24*time.Hour)) {
		if ev.Kind != parsers.KindLoginFailed || ev.Server != server || ev.Login == "" {
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
var DataMovementRule = &rule.Rule{
	Name:     "data-movement",
	Category: report.CatDataMovement,
	Rank:     90,
	Action:   true,
	Links:    dataMovementLinks(),
	Doc:      dataMovementDoc,
	Run:      runDataMovement,
}

// dataMovementLinks are the links of DataMovementRule.
func dataMovementLinks() []rule.Link {
	return append(linksFrom([]report.Category{report.CatClusterOutage, report.CatLeaseExpiry, report.CatHealthCheck, report.CatCrash, report.CatRestart},
		rule.Link{Effect: report.CatDataMovement, Before: time.Minute, After: 30 * time.Minute, Match: suspendedFromPartner}),
		// A forced failover suspends every secondary database (SUSPEND_FROM_PARTNER).
		rule.Link{Cause: report.CatFailover, Effect: report.CatDataMovement, After: 7 * 24 * time.Hour, Match: func(c, e *rule.Finding) bool {
			return c.Failover != nil && c.Failover.Mode == report.ModeForced && suspendedFromPartner(c, e)
		}})
}

const dataMovementDoc = `Finds databases whose data movement was suspended (35264, data_movement_suspend_resume) with
the suspend reason (SUSPEND_FROM_PARTNER after a forced failover, SUSPEND_FROM_REDO, SUSPEND_FROM_APPLY
...) until it was resumed (35265). Fix: remove the cause, then ALTER DATABASE ... SET HADR RESUME.`

func runDataMovement(p *rule.Pass) {
	type key struct{ server, db string }
	open := map[key]*rule.Finding{}
	for _, ev := range p.Filter(parsers.KindDataMovementSuspended, parsers.KindDataMovementResumed) {
		k := key{ev.Server, strings.ToUpper(ev.Database)}
		if ev.Kind == parsers.KindDataMovementResumed {
			if f := open[k]; f != nil {
				f.End = ev.Time
				f.Ongoing = false
				f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("Data movement of %s resumed after %s.", ev.Database, report.FormatDuration(ev.Time.Sub(f.Start))), ev))
				f.Summary = fmt.Sprintf("Data movement of %s on %s was suspended for %s.", ev.Database, ev.Server, report.FormatDuration(ev.Time.Sub(f.Start)))
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
		f := &rule.Finding{
			Start: ev.Time, End: p.EndOf(ev.Server), Ongoing: true, Servers: []string{ev.Server}, Key: strings.ToUpper(ev.Server + "|" + ev.Database),
			AGs: words.NonEmpty(ev.AG), Databases: words.NonEmpty(ev.Database),
			Title:    fmt.Sprintf("Data movement of %s suspended on %s", ev.Database, ev.Server),
			Severity: 55, Detail: suspendReason(strings.ToUpper(src + " " + reason)),
			RootCause:  fmt.Sprintf("Data movement of database %s on %s was suspended (%s).", ev.Database, ev.Server, reason),
			Summary:    fmt.Sprintf("Data movement of %s on %s was suspended at %s and not resumed in the logs.", ev.Database, ev.Server, words.HMS(ev.Time)),
			Chain:      []report.Step{rule.Step(fmt.Sprintf("Data movement of %s was suspended: %s.", ev.Database, reason), ev)},
			Confidence: report.Certain, ConfidenceReason: "SQL Server logged the suspension with its reason.",
			Fix: report.Fix{
				SQL: []string{fmt.Sprintf("-- On %s, once the cause is fixed\nALTER DATABASE %s SET HADR RESUME;", ev.Server, words.QuoteIdent(ev.Database)),
					"SELECT DB_NAME(database_id) AS database_name, is_suspended, suspend_reason_desc, synchronization_state_desc\nFROM sys.dm_hadr_database_replica_states WHERE is_local = 1;"},
				Steps: []string{"Resume data movement; if it suspends again, the secondary may have diverged (after a forced failover) and must be reseeded."},
			},
		}
		open[k] = f
		p.Report(f)
	}
}

// pairName names an unordered pair of servers.
func pairName(a, b string) string {
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	if b < a {
		a, b = b, a
	}
	return a + "|" + b
}

// suspendedFromPartner reports whether e is a suspension ordered by the
// partner (SUSPEND_FROM_PARTNER), which a failover or restart explains.
func suspendedFromPartner(_, e *rule.Finding) bool {
	r, _ := e.Detail.(suspendReason)
	return strings.Contains(string(r), "SUSPEND_FROM_PARTNER")
}
