// Package parsers holds what every agtriage input reader shares: the
// normalized Event that each reader emits, the per-file statistics
// (FileStats) that account for every input byte, the Emitter that runs a
// reader as a Go iterator, the table of SQL Server message templates that
// turns a message text into structured fields (ClassifyMessage), text
// decoding (UTF-16, UTF-8, Windows-1252) and the detection of an input's
// format from its first bytes (Detect).
//
// It takes bytes and gives events. The readers live in sub-packages, one
// per input format, each with a NewReader(io.Reader, file) whose Events
// method yields *Event values and *Warning values:
//
//   - parsers/errorlog: SQL Server error logs (ERRORLOG, ERRORLOG.1 ...);
//   - parsers/errorlogexport: error logs exported by SSMS, xp_readerrorlog or dbatools;
//   - parsers/xevent: Extended Events exported as XML;
//   - parsers/xel: binary Extended Events files (.xel);
//   - parsers/clusterlog: WSFC cluster logs (cluster.log);
//   - parsers/evtx: Windows event logs (.evtx);
//   - parsers/eventxml: Windows event logs exported as XML;
//   - parsers/eventtext: Windows event logs exported as text or CSV.
//
// What an event means lives apart from the readers, so that every reader of
// the same kind of data gives the same Event: parsers/xe for Extended Events,
// parsers/winevent for Windows event-log records, the message table of this
// package for SQL Server messages, and parsers/health for the payloads of
// sp_server_diagnostics results.
//
// A new input format goes into a new sub-package: a Reader that decodes the
// format (with TextReader and LineReader for text), hands what it finds to
// an Emitter, and leaves the meaning to ClassifyMessage, xe.Interpret or
// winevent's Record.Fill; Detect learns to recognize its first bytes.
package parsers
