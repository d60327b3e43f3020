package xel

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The decoded stream of every input the package can find is pinned by a
// digest in testdata/xel/streams.golden: every event (all its fields, as
// printed by %+v), every warning and error, in order, and the final stats.
// The digests were written by the reader as it was before its speed work,
// so any change to what the reader emits (an event, a field, a warning, an
// offset, a count) fails this test; a deliberate change is recorded with
// go test -update after checking the new stream.

// streamGolden holds one line per input: name, digest, events, warnings.
var streamGolden = filepath.Join(fixtures, "streams.golden")

// streamInput is one input of the digest test.
type streamInput struct {
	name   string
	data   []byte
	corpus bool // from the real corpus: skipped when the corpus is absent
}

// streamInputs lists the inputs: the synthetic files, every .xel file of the
// repository's testdata, the real corpus files, all corpus files
// concatenated, and damaged copies of each (cut, bytes flipped, a range
// zeroed) at positions fixed by a simple generator, so that warnings and
// resynchronisation are pinned too.
func streamInputs(tb testing.TB) []streamInput {
	tb.Helper()
	base := []streamInput{
		{name: "synthetic/sample", data: sampleFile()},
		{name: "synthetic/moretypes", data: moreTypesFile()},
		{name: "synthetic/sqldiag", data: sqldiagFile()},
		{name: "synthetic/actions", data: actionsFile()},
		{name: "synthetic/concatenated", data: append(sampleFile(), file(
			buffer(bufMetadata, 0xFFFFFFFF, testMetadata(testClockBase+36_000_000_000), 0),
			buffer(bufEvents, 1, errorReported(10_000_000, 1480, 10, 1, 4, "x"), 0))...)},
	}
	root := filepath.Join("..", "..", "testdata")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xel") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		base = append(base, streamInput{name: "testdata/" + filepath.ToSlash(rel), data: data})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	files, _ := globXEL()
	slices.Sort(files)
	var all []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, data...)
		base = append(base, streamInput{name: "corpus/" + filepath.Base(f), data: data, corpus: true})
	}
	if len(all) > 0 {
		base = append(base, streamInput{name: "corpus/all-concatenated", data: all, corpus: true})
	}
	out := slices.Clone(base)
	for _, in := range base {
		n := len(in.data)
		seed := uint32(n)
		next := func() int {
			seed = seed*1664525 + 1013904223
			return int(seed>>8) % n
		}
		out = append(out, streamInput{name: in.name + "#cut", data: in.data[:n*2/3], corpus: in.corpus})
		for k := range 6 {
			d := bytes.Clone(in.data)
			for range 1 + k {
				d[next()] ^= byte(1 << (k % 8))
			}
			out = append(out, streamInput{name: fmt.Sprintf("%s#flip%d", in.name, k), data: d, corpus: in.corpus})
		}
		d := bytes.Clone(in.data)
		at := next()
		clear(d[at:min(n, at+700)])
		out = append(out, streamInput{name: in.name + "#zero", data: d, corpus: in.corpus})
	}
	return out
}

// actionsFile holds an event with an action value, one with the action bit
// set and no actions, and a plain one (as in TestActions).
func actionsFile() []byte {
	withActions := errorReported(1, 1480, 10, 1, 4, "x")
	withActions[7] |= 0x80
	var w bin
	w.u32(actSQLText)
	w.u32(6)
	w.raw(utf16le("abc"))
	w.u32(0)
	w.u32(0)
	withActions = append(withActions, w.b...)
	garbageBit := errorReported(2, 1480, 10, 1, 4, "y")
	garbageBit[7] |= 0x80
	data := append(append(withActions, garbageBit...), errorReported(3, 1480, 10, 1, 4, "z")...)
	return file(metaBuffer(), buffer(bufEvents, 1, data, 0))
}

// streamDigest reads data and digests everything the reader yields.
func streamDigest(data []byte) (digest string, events, warnings int) {
	h := sha256.New()
	r := NewReader(bytes.NewReader(data), "t.xel")
	for ev, err := range r.Events() {
		if err != nil {
			warnings++
			fmt.Fprintf(h, "E %T %v\n", err, err)
			continue
		}
		events++
		fmt.Fprintf(h, "V %+v\n", *ev)
	}
	fmt.Fprintf(h, "S %+v\n", *r.Stats())
	return hex.EncodeToString(h.Sum(nil)), events, warnings
}

// TestStreamDigests compares the decoded stream of every input with the
// digest recorded in testdata/xel/streams.golden.
func TestStreamDigests(t *testing.T) {
	inputs := streamInputs(t)
	if *update {
		var b strings.Builder
		b.WriteString("# go test ./parsers/xel -run TestStreamDigests -update: input, sha256 of the decoded stream, events, warnings\n")
		for _, in := range inputs {
			d, ev, w := streamDigest(in.data)
			fmt.Fprintf(&b, "%s %s %d %d\n", in.name, d, ev, w)
		}
		if err := os.WriteFile(streamGolden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readGolden(t)
	checked, corpus := 0, 0
	for _, in := range inputs {
		line, ok := want[in.name]
		if !ok {
			t.Errorf("%s: no digest in %s (run go test -update)", in.name, streamGolden)
			continue
		}
		d, ev, w := streamDigest(in.data)
		if got := fmt.Sprintf("%s %d %d", d, ev, w); got != line {
			t.Errorf("%s: stream %s, want %s", in.name, got, line)
		}
		checked++
		if in.corpus {
			corpus++
		}
	}
	if corpus == 0 {
		t.Logf("no corpus in %s: only the %d repository inputs checked", corpusDir, checked)
	}
	if checked < 20 {
		t.Errorf("only %d inputs checked", checked)
	}
}

// readGolden reads streams.golden into input name → "digest events warnings".
func readGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(streamGolden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		want[name] = rest
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return want
}
