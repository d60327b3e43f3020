package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf16"

	"github.com/agtriage/agtriage/internal/evtxwrite"
)

// Expected is a scenario's expected.json: what the analyzer must report.
type Expected struct {
	Description string            `json:"description"`
	Incidents   []Incident        `json:"incidents"`
	Failovers   []Failover        `json:"failovers"`
	Clocks      map[string]string `json:"clocks"`
	// Covered gives, per server, the UTC range its logs cover (RFC 3339).
	Covered map[string][2]string `json:"covered,omitempty"`
	// Background counts, by kind, the events the timeline leaves out.
	Background map[string]int `json:"background,omitempty"`
	// GapsContain are texts the coverage gaps must contain.
	GapsContain []string `json:"gaps_contain,omitempty"`
}

// Incident is one incident the analyzer must find.
type Incident struct {
	Category          string   `json:"category"`
	Server            string   `json:"server,omitempty"`
	AG                string   `json:"ag,omitempty"`
	RootCauseContains []string `json:"root_cause_contains,omitempty"`
	Confidence        string   `json:"confidence,omitempty"`
	FixContains       []string `json:"fix_contains,omitempty"`
	// Ongoing says whether the incident was still going on when the logs end.
	Ongoing bool `json:"ongoing,omitempty"`
	// ChainContains are texts the causal chain must contain.
	ChainContains []string `json:"chain_contains,omitempty"`
}

// Failover is one role change of the primary; At is when the new primary
// reached PRIMARY_NORMAL (UTC, RFC 3339).
type Failover struct {
	AG   string `json:"ag"`
	From string `json:"from"`
	To   string `json:"to"`
	Mode string `json:"mode"`
	At   string `json:"at"`
}

// Bundle is a scenario: its replicas and expectations.
type Bundle struct {
	Name     string
	Replicas []*Replica
	Expected Expected
	// Extra holds more files by relative path (exports made by hand).
	Extra map[string][]byte
}

// Files renders the bundle as relative path -> content.
func (b *Bundle) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, r := range b.Replicas {
		n := len(r.logs)
		for i := range r.logs {
			name := "ERRORLOG"
			if r.Linux {
				name = "errorlog"
			}
			if gen := n - 1 - i; gen > 0 {
				name = fmt.Sprintf("%s.%d", name, gen)
			}
			if !r.Linux {
				out[filepath.Join(r.Host, name)] = utf16File(r.errorlogText(i))
				continue
			}
			data, err := cp1252File(r.errorlogText(i))
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", r.Host, name, err)
			}
			out[filepath.Join(r.Host, name)] = data
		}
		if r.XEL {
			data, err := r.xelFile()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name, err)
			}
			out[filepath.Join(r.Host, r.xelName())] = data
		} else {
			var xml bytes.Buffer
			for _, line := range r.XeText() {
				xml.WriteString(line)
				xml.WriteByte('\n')
			}
			out[filepath.Join(r.Host, "AlwaysOn_health.xml")] = xml.Bytes()
		}
		if r.cluster != nil {
			out[filepath.Join(r.Host, "cluster.log")] = utf16File(r.clusterText())
		}
		if len(r.system) > 0 {
			if r.SystemCSV {
				data, err := logScoutCSV(r.system, r.Offset)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", b.Name, err)
				}
				out[filepath.Join(r.Host, r.Host+"_20250602T1900001234_EventLog_System.csv")] = data
			} else if r.SystemXML {
				out[filepath.Join(r.Host, r.Host+"_System.xml")] = SystemXML(r.system)
			} else {
				w := &evtxwrite.Writer{}
				for _, ev := range r.system {
					w.Add(ev)
				}
				out[filepath.Join(r.Host, "System.evtx")] = w.Bytes()
			}
		}
		if len(r.sqldiag) > 0 {
			data, err := r.SqldiagFile()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name, err)
			}
			out[filepath.Join(r.Host, r.SqldiagName())] = data
		}
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b.Expected); err != nil {
		return nil, fmt.Errorf("%s: expected.json: %w", b.Name, err)
	}
	out["expected.json"] = js.Bytes()
	for name, data := range b.Extra {
		out[name] = data
	}
	return out, nil
}

// utf16File encodes lines as a Windows ERRORLOG (or a Get-ClusterLog
// cluster.log): UTF-16LE, BOM FF FE, CRLF.
func utf16File(lines []string) []byte {
	var buf bytes.Buffer
	buf.Write([]byte{0xFF, 0xFE})
	for _, l := range lines {
		for _, u := range utf16.Encode([]rune(l + "\r\n")) {
			buf.WriteByte(byte(u))
			buf.WriteByte(byte(u >> 8))
		}
	}
	return buf.Bytes()
}

// Write replaces dir with the bundle's files.
func (b *Bundle) Write(dir string) error {
	files, err := b.Files()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for rel, data := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
