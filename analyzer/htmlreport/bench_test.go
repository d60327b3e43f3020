package htmlreport

import (
	"bytes"
	"io"
	"testing"

	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/report"
)

// BenchmarkWrite renders the demo report and three weeks of five replicas;
// the Markdown writer on the same reports is the baseline.
//
//	go test ./analyzer/htmlreport -run XXX -bench Write -benchtime 20x
func BenchmarkWrite(b *testing.B) {
	for _, tc := range []struct {
		name string
		rep  *report.Report
	}{
		{"demo", analyzeDir(b, scenarioDir("demo"))},
		{"weeks", longReport()},
	} {
		var out bytes.Buffer
		if err := Write(&out, tc.rep, Options{}); err != nil {
			b.Fatal(err)
		}
		b.Run("html-"+tc.name, func(b *testing.B) {
			b.SetBytes(int64(out.Len()))
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, tc.rep, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		var md bytes.Buffer
		if err := mdreport.Write(&md, tc.rep, mdreport.Options{}); err != nil {
			b.Fatal(err)
		}
		b.Run("markdown-"+tc.name, func(b *testing.B) {
			b.SetBytes(int64(md.Len()))
			b.ReportAllocs()
			for b.Loop() {
				if err := mdreport.Write(io.Discard, tc.rep, mdreport.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
