// Package mdreport writes a report.Report as Markdown (GitHub-flavored, and
// readable as plain text): the one-file report for a support ticket. It
// only reads the Report; every string from the logs is escaped or fenced,
// so that no log line can change the document's structure.
package mdreport
