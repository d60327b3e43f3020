// Package report is the model of an analysis' result: a Report holds the
// servers and inputs, the incidents (root cause, causal chain with
// evidence, fix, confidence), the failovers, role spans, connection windows,
// the AG-relevant timeline and the coverage gaps. The engine fills it;
// writers (packages mdreport, jsonreport, htmlreport) and redaction only
// read it. JSON field names are stable and documented in the README.
package report
