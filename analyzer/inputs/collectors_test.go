package inputs

import (
	"io/fs"
	"math/rand/v2"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// classifyByRegexp is classifyFile without the literal prefilter.
func classifyByRegexp(name string) (*collectorRule, string) {
	slash := strings.ReplaceAll(name, "\\", "/")
	for i := range collectorRules {
		r := &collectorRules[i]
		subject := path.Base(slash)
		if r.path {
			subject = slash
		}
		if m := r.Pattern.FindStringSubmatch(subject); m != nil {
			server := ""
			if k := r.Pattern.SubexpIndex("s"); k > 0 {
				server = prefixServer(m[k])
			}
			return r, server
		}
	}
	return nil, ""
}

func checkClassify(t *testing.T, name string) {
	t.Helper()
	r1, s1 := classifyFile(name)
	r2, s2 := classifyByRegexp(name)
	if r1 != r2 || s1 != s2 {
		desc := func(r *collectorRule) string {
			if r == nil {
				return "none"
			}
			return r.Pattern.String()
		}
		t.Fatalf("%q: classified as %s (%q), the patterns alone say %s (%q)", name, desc(r1), s1, desc(r2), s2)
	}
}

// collectorTokens build names like the collectors', with case changes and
// the two non-ASCII letters that (?i) folds onto ASCII ones.
var collectorTokens = []string{"SQLAG01", "node2", "MSSQLSERVER", "INST1", "_", "_", "ERRORLOG", ".1", ".12",
	"_Head_and_Tail_Only", "SQLAGENT", ".OUT", ".out", "AlwaysOn_health", "system_health", "_0_133", "_1_2", ".xel",
	"cluster", ".log", "_EventLog_", "System", ".csv", "\u212A", "\u017F", "/", "sqlagent", "_evt_", "##SQLLOGSCOUT",
	"_ClusterInfo", "_XeLogs.zip", "_2019_", "SQLDIAG", "_20240312T0214", "tar", ".bz2", "host_instance_sql_logs",
	"msinfo32", ".txt", "\\", "Kk", "Ss", "ſ", "_os_", ".info"}

// TestClassifyPrefilter checks that the literal prefilter never changes
// what the patterns decide: every path under testdata and 50,000
// generated names.
func TestClassifyPrefilter(t *testing.T) {
	n := 0
	filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			checkClassify(t, p)
			n++
		}
		return nil
	})
	if n < 100 {
		t.Fatalf("only %d paths under testdata", n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for range 50000 {
		var b strings.Builder
		for k := rng.IntN(6) + 1; k > 0; k-- {
			tok := collectorTokens[rng.IntN(len(collectorTokens))]
			if rng.IntN(3) == 0 {
				tok = strings.ToUpper(tok)
			} else if rng.IntN(3) == 0 {
				tok = strings.ToLower(tok)
			}
			b.WriteString(tok)
		}
		checkClassify(t, b.String())
		if r, _ := classifyFile(b.String()); r != nil {
			matched++
		}
	}
	if matched < 500 {
		t.Errorf("only %d generated names matched a rule: the test does not reach the rules", matched)
	}
}

// FuzzClassifyPrefilter is TestClassifyPrefilter on any name.
func FuzzClassifyPrefilter(f *testing.F) {
	for _, tok := range collectorTokens {
		f.Add("node2_" + tok + "ERRORLOG.1")
	}
	f.Fuzz(func(t *testing.T, name string) { checkClassify(t, name) })
}

func TestRequiredLiterals(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{`(?i)^(?P<s>.+?)_ERRORLOG(\.\d+)?$`, []string{"_errorlog"}},
		{`(?i)(_errors\.out|_stdout.*|_stderr.*)$`, []string{"errors.out", "std"}}, // parsed as _(errors\.out|std(out.*|err.*))
		{`(^|_)`, nil},
		{`x(yz|)`, []string{"x"}},
		{`a*b?`, nil},
		{`(ab)+c`, []string{"ab"}},
		{`q(abc){2,}`, []string{"abc"}},
		{`q(abc){0,2}`, []string{"q"}},
		{`(?i)sqlſ`, []string{"sqls"}}, // the parser folds ſ to S; a name with ſ is not ASCII and skips the test
		{`é+x`, nil},
	} {
		if got := requiredLiterals(c.pattern); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.pattern, got, c.want)
		}
	}
}
