package inputs

import (
	"io"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/clusterlog"
	"github.com/agtriage/agtriage/parsers/errorlog"
	"github.com/agtriage/agtriage/parsers/errorlogexport"
	"github.com/agtriage/agtriage/parsers/eventtext"
	"github.com/agtriage/agtriage/parsers/eventxml"
	"github.com/agtriage/agtriage/parsers/evtx"
	"github.com/agtriage/agtriage/parsers/xel"
	"github.com/agtriage/agtriage/parsers/xevent"
)

func init() {
	readers[parsers.FormatErrorlog] = func(r io.Reader, file string) parsers.Reader {
		el := errorlog.NewReader(r, file)
		el.Reuse = true // readFile copies what it keeps
		return el
	}
	for _, f := range []parsers.Format{parsers.FormatSSMSExport, parsers.FormatXPReadErrorlog, parsers.FormatDbatoolsCSV} {
		readers[f] = func(r io.Reader, file string) parsers.Reader {
			return errorlogexport.NewReader(r, file)
		}
	}
	readers[parsers.FormatClusterlog] = func(r io.Reader, file string) parsers.Reader {
		return clusterlog.NewReader(r, file)
	}
	readers[parsers.FormatXEL] = func(r io.Reader, file string) parsers.Reader {
		return xel.NewReader(r, file)
	}
	readers[parsers.FormatXEventXML] = func(r io.Reader, file string) parsers.Reader {
		return xevent.NewReader(r, file)
	}
	readers[parsers.FormatEVTX] = func(r io.Reader, file string) parsers.Reader {
		return evtx.NewReader(r, file)
	}
	readers[parsers.FormatEventXML] = func(r io.Reader, file string) parsers.Reader {
		return eventxml.NewReader(r, file)
	}
	readers[parsers.FormatEventText] = func(r io.Reader, file string) parsers.Reader {
		return eventtext.NewReader(r, file)
	}
	readers[parsers.FormatEventCSV] = func(r io.Reader, file string) parsers.Reader {
		return eventtext.NewReader(r, file)
	}
}

// newReaderAt returns the reader of a large regular file that reads it on
// every core (errorlog.NewReaderAt), or nil when src cannot be read at
// offsets or the format has no such reader.
func newReaderAt(format parsers.Format, src io.Reader, size int64, file string) parsers.Reader {
	ra, ok := src.(io.ReaderAt)
	if !ok || format != parsers.FormatErrorlog || size < errorlog.ParallelMinBytes {
		return nil
	}
	el := errorlog.NewReaderAt(ra, size, file)
	el.Reuse = true // readFile copies what it keeps
	return el
}
