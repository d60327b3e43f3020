package eventtext

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/evtexport"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/eventxml"
)

// benchRecords are n events of the generated log, one second apart.
func benchRecords(b *testing.B, n int) []evtexport.Record {
	native := nativeEvents(b, generated())
	recs := make([]evtexport.Record, 0, n)
	for i := 0; len(recs) < n; i++ {
		r := evtexport.FromEvent(native[i%len(native)])
		r.Time = r.Time.Add(time.Duration(i) * time.Second)
		r.RecordID = fmt.Sprint(i + 1)
		recs = append(recs, r)
	}
	return recs
}

// eventViewerXML writes the records as Event Viewer's XML export (with
// RenderingInfo/Message): the baseline, read by parsers/eventxml.
func eventViewerXML(recs []evtexport.Record) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8" standalone="yes"?>` + "\r\n<Events>")
	for _, r := range recs {
		fmt.Fprintf(&b, "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='%s'/><EventID>%s</EventID><Level>2</Level><TimeCreated SystemTime='%s'/><EventRecordID>%s</EventRecordID><Channel>System</Channel><Computer>%s</Computer></System><EventData/><RenderingInfo Culture='en-US'><Message>%s</Message><Level>%s</Level></RenderingInfo></Event>",
			r.Provider, r.ID, r.Time.Format("2006-01-02T15:04:05.0000000Z"), r.RecordID, r.Computer, xmlEscape(r.Message), r.Level)
	}
	b.WriteString("</Events>")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func drain(b *testing.B, r parsers.Reader) int {
	n := 0
	for ev, err := range r.Events() {
		if err == nil && ev != nil {
			n++
		}
	}
	return n
}

// BenchmarkReaders reads the same 20,000 events as each CSV form and, as
// the baseline in the same run, as Event Viewer XML.
func BenchmarkReaders(b *testing.B) {
	recs := benchRecords(b, 20000)
	inputs := []struct {
		name string
		data []byte
		new  func(io.Reader) parsers.Reader
	}{{"xml-baseline", eventViewerXML(recs), func(r io.Reader) parsers.Reader { return eventxml.NewReader(r, "x.xml") }}}
	for _, form := range evtexport.Forms {
		inputs = append(inputs, struct {
			name string
			data []byte
			new  func(io.Reader) parsers.Reader
		}{form.Name, form.Write(recs, -5*time.Hour), func(r io.Reader) parsers.Reader { return NewReader(r, "x.csv") }})
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if n := drain(b, in.new(bytes.NewReader(in.data))); n != len(recs) {
					b.Fatalf("%d events, want %d", n, len(recs))
				}
			}
		})
	}
}
