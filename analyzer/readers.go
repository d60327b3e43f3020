package analyzer

import (
	"io"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/errorlog"
	"github.com/agtriage/agtriage/parsers/xevent"
)

func init() {
	readers[parsers.FormatErrorlog] = func(r io.Reader, file string) parsers.Reader {
		return errorlog.NewReader(r, file)
	}
	readers[parsers.FormatXEventXML] = func(r io.Reader, file string) parsers.Reader {
		return xevent.NewReader(r, file)
	}
}
