package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTermIndexMatchesScan compares termIndex with a scan of every term by
// strings.EqualFold, on random terms and texts that share long prefixes
// (paths) and hold the letters case folding treats specially.
func TestTermIndexMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"/tmp/case/", "bundle.zip/", "SQLAG01", "sqlag01", "ERRORLOG", ".1", ".12", "/", "K", "k", "\u212a",
		"s", "S", "\u017f", "é", "É", "node-b", "_", " ", "CONTOSO\\", "sql"}
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for round := range 200 {
		terms := map[string]string{}
		for range 1 + rng.IntN(60) {
			terms[strings.ToLower(gen(1+rng.IntN(4)))] = "X"
		}
		x := newTermIndex(terms)
		for range 20 {
			s := gen(1 + rng.IntN(8))
			for i := 0; i < len(s); i++ {
				var got []string
				x.each(s, i, func(end int, term string) bool {
					if !strings.EqualFold(s[i:end], term) {
						t.Fatalf("round %d: %q at %d..%d is not term %q", round, s, i, end, term)
					}
					got = append(got, term)
					return true
				})
				// Spellings that fold alike ("s", "ſ") are one term.
				folds := map[string]bool{}
				for term := range terms {
					for end := i + 1; end <= len(s); end++ {
						if strings.EqualFold(s[i:end], term) {
							folds[foldString(term)] = true
							break
						}
					}
				}
				n := len(folds)
				if len(got) != n {
					t.Fatalf("round %d: %q at %d: index finds %q, a scan %d terms (of %q)", round, s, i, got, n, keys(terms))
				}
			}
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
