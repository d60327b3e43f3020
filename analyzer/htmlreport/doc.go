// Package htmlreport writes an report.Report as one self-contained HTML
// page: the report a DBA attaches to a ticket or a mail and that opens
// anywhere, offline. It reads nothing but the Report.
//
// The page has the content of the Markdown report (summary, incidents with
// their causal chain, evidence as file:line with the quoted lines in
// collapsible blocks, the fix with its T-SQL, failovers, connection windows,
// the merged event list, clocks and coverage, skipped and ignored inputs,
// warnings and the background counts) and, instead of the Mermaid chart, an
// inline SVG timeline:
//
//   - one lane per replica (per availability group and replica when the
//     report has several AGs; a replica seen only in its partners' messages
//     gets a lane in italics), with its role spans coloured by role and its
//     log coverage as a faint line;
//   - incidents as numbered bands across the lanes, linked to their section;
//   - failovers as arrows from the old to the new primary's lane, coloured and
//     labelled by mode (a dashed stub when one side is unknown);
//   - connection windows as thin bars under the lane of the replica that lost
//     its partner, WSFC cluster outages (from a "cluster unavailable" or
//     "quorum lost" entry of the timeline to the same server's "node is
//     online", or its last "online" entry) hatched over the lane, and the events of incidents as
//     ticks above it;
//   - an axis in UTC, with a second row in Options.TZ when given.
//
// Every mark has an SVG <title>, which browsers show on hover: its time and
// message.
//
// # The time axis
//
// The axis is piecewise linear. The times where something changes (a role,
// an incident, a failover, a connection window or an outage starts or ends)
// get up to two minutes of room either side; stretches without any change
// that are longer than five minutes or 1/40 of the whole range are
// compressed into narrow breaks labelled with their length ("5h51m"), and
// the busy stretches share the width in proportion to their length, none
// narrower than 60 units, at most 12 of them (closer ones are merged). Ten
// minutes of logs are drawn linearly; a night with two incidents shows both
// in detail with the quiet hours between them folded; three weeks of five
// replicas show each burst of failovers with its seconds readable. A
// compressed axis was preferred to zooming: it needs no script, prints, and
// shows the whole story in one picture.
//
// # Safety and self-containment
//
// The page is rendered with html/template, so every string of the Report
// (all of which may come from log lines) is escaped for its context: text,
// attribute, URL, or inside SVG text and titles. The page loads nothing:
// the style sheet and the one small script are inline, there are no fonts,
// images or links out of the page, and a Content-Security-Policy
// (default-src 'none', the style sheet and script allowed by their hash)
// forbids any other script, style or request, should anything ever slip
// through. The script only adds conveniences: a filter of the event list by
// server, kind and text (a server also dims the other lanes), buttons to
// expand all evidence and to copy the T-SQL, and opening the collapsed
// blocks for printing. Without it the page reads the same.
//
// The page follows the reader's colour scheme (prefers-color-scheme) and
// prints on A4 or Letter: tables wrap instead of scrolling, collapsed
// evidence is printed open, the picture scales to the page width.
package htmlreport
