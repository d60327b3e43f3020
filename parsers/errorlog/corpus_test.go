package errorlog

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/agtriage/agtriage/parsers"
)

// corpusDir holds real third-party logs (see its PROVENANCE.md). It lives
// outside the repository; the tests skip when it is missing.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

func corpusFiles(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	var files []string
	for _, pat := range []string{"*ERRORLOG*", "elastic-*", "grafana-alloy*", "*ErrorLog_TestCase_2*"} {
		m, err := filepath.Glob(filepath.Join(corpusDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no ERRORLOG files in the corpus")
	}
	return files
}

var (
	timestamped = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? +\S+`)
	headerRe    = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? +\S+ +Error: (\d+), Severity: \d+, State: \d+\.`)
)

// TestCorpus reads the real ERRORLOGs and checks the reader against counts
// taken independently from the text decoded by x/text.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			evs, warns, r := readAll(t, data, name, 0)
			s := r.Stats()
			for _, w := range warns {
				t.Errorf("warning: %v", w)
			}

			// Independent decoding: x/text honours the BOM (UTF-16LE/BE, UTF-8).
			text, _, err := transform.Bytes(unicode.BOMOverride(unicode.UTF8.NewDecoder()), data)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
			if len(lines) != s.Lines {
				t.Errorf("Lines = %d, decoded text has %d", s.Lines, len(lines))
			}
			records, stateChanges := 0, 0
			byLine := byLine(evs)
			for i, ln := range lines {
				if timestamped.MatchString(ln) {
					records++
				}
				stateChanges += strings.Count(ln, "The state of the local availability replica")
				if m := headerRe.FindStringSubmatch(ln); m != nil {
					num, _ := strconv.Atoi(m[2])
					ev := byLine[i+1]
					if ev == nil || ev.Error != num {
						t.Errorf("line %d: header of error %d became %+v", i+1, num, ev)
					}
				}
			}
			if records != s.Records {
				t.Errorf("Records = %d, timestamped lines = %d", s.Records, records)
			}
			if s.Unrecognized != 0 || s.SkippedBytes != 0 {
				t.Errorf("Unrecognized %d, SkippedBytes %d", s.Unrecognized, s.SkippedBytes)
			}
			if got := s.ByKind[parsers.KindReplicaStateChange]; got != stateChanges {
				t.Errorf("%d replica_state_change events, %d state-change lines", got, stateChanges)
			}

			if strings.HasPrefix(name, "failoverdetector_ze-") {
				if !s.HasUTCOffset || s.UTCOffset != -7*time.Hour {
					t.Errorf("UTC offset %v (%v), want -7h", s.UTCOffset, s.HasUTCOffset)
				}
				for _, ev := range evs {
					if ev.Clock != parsers.ClockUTC || !ev.Time.Equal(ev.Local.Add(7*time.Hour)) {
						t.Fatalf("line %d: Time %v Local %v clock %v", ev.Line, ev.Time, ev.Local, ev.Clock)
					}
				}
				if !strings.HasPrefix(s.Server, "ZE-2016-V") {
					t.Errorf("Server %q", s.Server)
				}
			}
		})
	}
}

// TestCorpusDetect checks that parsers.Detect calls every corpus ERRORLOG an
// errorlog.
func TestCorpusDetect(t *testing.T) {
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if f := parsers.Detect(data[:min(len(data), parsers.SniffLen)]); f != parsers.FormatErrorlog {
			t.Errorf("%s: Detect = %q", filepath.Base(path), f)
		}
	}
}
