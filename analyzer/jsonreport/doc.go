// Package jsonreport writes a report.Report as JSON, streaming, with the
// field names documented in the README.
package jsonreport
