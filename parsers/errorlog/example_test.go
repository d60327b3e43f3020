package errorlog_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/agtriage/agtriage/parsers/errorlog"
)

func Example() {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "errorlog", "copy.utf8bom.log"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	r := errorlog.NewReader(f, "ERRORLOG")
	for ev, err := range r.Events() {
		if err != nil {
			fmt.Println("warning:", err)
			continue
		}
		if ev.Error != 0 {
			fmt.Println(ev.Position(), ev.Time.Format("15:04:05.00Z"), ev.Kind, ev.Error, ev.AG)
		}
	}
	s := r.Stats()
	fmt.Println(s.Server, s.Encoding, s.UTCOffset, s.Records, "records,", s.Continuations, "continuations")
	// Output:
	// ERRORLOG:8 10:30:00.45Z role_transition 41075 AG2
	// ERRORLOG:9 10:30:00.46Z lease_stopped 19420 AG2
	// WIN-AG3 UTF-8 (BOM) 1h0m0s 5 records, 4 continuations
}
