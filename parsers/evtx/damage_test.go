package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/internal/evtxwrite"
	"github.com/agtriage/agtriage/parsers"
)

// sample is the synthetic log with the offsets of its records.
type sample struct {
	data    []byte
	offsets []int64
}

func newSample() sample {
	w := &evtxwrite.Writer{}
	for _, ev := range sampleEvents() {
		w.Add(ev)
	}
	for i := 0; i < 400; i++ {
		w.Add(classic(0, "Service Control Manager", 7036, 16384, 4, "System", "Service number "+strings.Repeat("x", i%40), "running"))
	}
	return sample{data: w.Bytes(), offsets: w.RecordOffsets}
}

func (s sample) size(i int) int64 { return int64(binary.LittleEndian.Uint32(s.data[s.offsets[i]+4:])) }

// chunkOf returns the file offset of the chunk holding record i.
func (s sample) chunkOf(i int) int64 {
	return FileHeaderSize + (s.offsets[i]-FileHeaderSize)/ChunkSize*ChunkSize
}

// fixCRC recomputes the checksums of the chunk at off after a change.
func fixCRC(data []byte, off int64) {
	b := data[off : off+ChunkSize]
	le := binary.LittleEndian
	free := min(le.Uint32(b[48:]), ChunkSize)
	le.PutUint32(b[52:], crc32.ChecksumIEEE(b[512:free]))
	le.PutUint32(b[124:], crc32.Update(crc32.ChecksumIEEE(b[:120]), crc32.IEEETable, b[128:512]))
}

func hasWarning(ws []*parsers.Warning, sub string, off int64) bool {
	for _, w := range ws {
		if strings.Contains(w.Msg, sub) && (off < 0 || w.Offset == off) {
			return true
		}
	}
	return false
}

func TestNotEVTX(t *testing.T) {
	r := NewReader(strings.NewReader("2024-03-14 07:17:20.12 Server      Microsoft SQL Server"), "ERRORLOG")
	n := 0
	for ev, err := range r.Events() {
		n++
		if ev != nil || !errors.Is(err, ErrNotEVTX) {
			t.Fatalf("%v %v", ev, err)
		}
	}
	if n != 1 {
		t.Fatalf("%d items", n)
	}
}

// TestCut cuts the file at several places: the events of the records before
// the cut are read, the cut is reported with its offset.
func TestCut(t *testing.T) {
	s := newSample()
	total := len(s.offsets)
	mid := total / 2
	cuts := []int64{
		100,                              // inside the file header
		FileHeaderSize,                   // no chunk at all
		FileHeaderSize + 300,             // inside the first chunk header
		s.offsets[mid] + s.size(mid)/2,   // inside a record
		s.offsets[mid] + s.size(mid),     // right after a record
		int64(len(s.data)) - ChunkSize/2, // inside the last chunk
	}
	for _, cut := range cuts {
		evs, ws, r := read(t, s.data[:cut])
		want := 0
		for i, off := range s.offsets {
			if off+s.size(i) <= cut {
				want++
			}
		}
		if len(evs) != want {
			t.Errorf("cut at %d: %d events, want %d", cut, len(evs), want)
		}
		if cut > FileHeaderSize && !hasWarning(ws, "truncated", -1) || cut < FileHeaderSize && !hasWarning(ws, "truncated", 0) {
			t.Errorf("cut at %d: warnings %v", cut, ws)
		}
		if st := r.Stats(); st.Bytes != cut || st.Events != len(evs) {
			t.Errorf("cut at %d: stats %+v", cut, st)
		}
	}
}

// TestDamagedChunk damages chunk headers: every record is still read, and
// the damage is reported at its offset.
func TestDamagedChunk(t *testing.T) {
	s := newSample()
	total := len(s.offsets)
	second := s.chunkOf(total - 1)
	if second == FileHeaderSize {
		t.Fatal("the sample must span several chunks")
	}
	cases := []struct {
		name   string
		damage func(b []byte)
		warn   string
		at     int64
	}{
		{"bad chunk magic", func(b []byte) { b[second] = 'X' }, "no chunk signature", second},
		{"bad header checksum", func(b []byte) { b[second+60] ^= 0xFF }, "chunk header checksum", second + 124},
		{"bad records checksum", func(b []byte) { b[s.offsets[total-1]+20] ^= 0x01 }, "chunk records checksum", second + 52},
		{"giant free-space offset", func(b []byte) {
			binary.LittleEndian.PutUint32(b[second+48:], 0xFFFFFFF0)
			fixCRC(b, second)
		}, "free-space offset 4294967280 out of range", second + 48},
		{"bad file header checksum", func(b []byte) { b[50] ^= 0xFF }, "file header checksum", 124},
		{"stale file header", func(b []byte) {
			binary.LittleEndian.PutUint16(b[42:], 1) // one chunk
			binary.LittleEndian.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
		}, "", -1},
	}
	for _, c := range cases {
		data := bytes.Clone(s.data)
		c.damage(data)
		evs, ws, _ := read(t, data)
		if len(evs) != total {
			t.Errorf("%s: %d events, want %d", c.name, len(evs), total)
		}
		if c.warn == "" && len(ws) > 0 || c.warn != "" && !hasWarning(ws, c.warn, c.at) {
			t.Errorf("%s: warnings %v", c.name, ws)
		}
	}
}

// TestDamagedRecord damages one record: it alone is lost, with its offset,
// and the records after it in the chunk are read.
func TestDamagedRecord(t *testing.T) {
	s := newSample()
	total := len(s.offsets)
	i := total - 3 // a 7036 filler record: its template was defined earlier in the chunk
	off := s.offsets[i]
	cases := []struct {
		name   string
		damage func(b []byte)
		warn   string
	}{
		{"giant size", func(b []byte) { binary.LittleEndian.PutUint32(b[off+4:], 0xFFFFFF00) }, "bytes skipped"},
		{"size copy", func(b []byte) { b[off+s.size(i)-4] ^= 0x10 }, "bytes skipped"},
		{"signature", func(b []byte) { b[off] = 0 }, "no record signature"},
		{"bad token", func(b []byte) { b[off+24] = 0xFF }, "unexpected token"},
		{"giant value count", func(b []byte) {
			// fragment header (4), template instance token and fields (10)
			binary.LittleEndian.PutUint32(b[off+24+4+10:], 0x7FFFFFFF)
		}, "ends early"},
		{"template offset outside", func(b []byte) { binary.LittleEndian.PutUint32(b[off+24+4+6:], 0xFFFFFF) }, "outside the chunk"},
	}
	for _, c := range cases {
		data := bytes.Clone(s.data)
		c.damage(data)
		evs, ws, r := read(t, data)
		if len(evs) != total-1 {
			t.Errorf("%s: %d events, want %d", c.name, len(evs), total-1)
		}
		if !hasWarning(ws, c.warn, off) {
			t.Errorf("%s: warnings %v", c.name, ws)
		}
		for _, ev := range evs {
			if ev.Offset == off {
				t.Errorf("%s: the damaged record was read", c.name)
			}
		}
		if st := r.Stats(); st.SkippedBytes <= 0 {
			t.Errorf("%s: nothing counted as skipped", c.name)
		}
		// The last records, after the damaged one, are there.
		if evs[len(evs)-1].Offset != s.offsets[total-1] {
			t.Errorf("%s: the chunk's last record was not read", c.name)
		}
	}
}

// TestGiantTemplate damages a template definition stored inline in a
// record: the records that use the template are skipped with a warning, the
// others are read, nothing panics or allocates the claimed size.
func TestGiantTemplate(t *testing.T) {
	s := newSample()
	off := s.offsets[0]
	data := bytes.Clone(s.data)
	// Record 0 defines its template inline: the definition's size is at
	// token (1) + version (1) + id (4) + offset (4) + next (4) + GUID (16).
	binary.LittleEndian.PutUint32(data[off+24+4+30:], 0x7FFFFFF0)
	evs, ws, _ := read(t, data)
	if len(evs) == 0 || len(evs) >= len(s.offsets) || !hasWarning(ws, "ends early", off) {
		t.Fatalf("%d events of %d, warnings %v", len(evs), len(s.offsets), ws)
	}
}

// TestDirtyChunk is a dirty file's last chunk: its header was last updated
// before the final records were written (the free-space offset and the last
// record fields are stale, the checksum covers the older extent). The
// records after the stale extent continue the ids and are read; older
// copies of records in the free space are not.
func TestDirtyChunk(t *testing.T) {
	s := newSample()
	total := len(s.offsets)
	last := s.chunkOf(total - 1)
	data := bytes.Clone(s.data)
	le := binary.LittleEndian
	b := data[last : last+ChunkSize]
	// The header says the chunk ends before the last two records.
	stale := uint32(s.offsets[total-2] - last)
	end := uint32(s.offsets[total-1]-last) + uint32(s.size(total-1))
	le.PutUint32(b[48:], stale)
	le.PutUint32(b[120:], le.Uint32(b[120:])) // flags unchanged
	fixCRC(data, last)
	// An old copy of the chunk's first record after the real ones.
	first := s.offsets[0]
	for i := total - 1; i >= 0; i-- {
		if s.chunkOf(i) == last {
			first = s.offsets[i]
		}
	}
	n := uint32(le.Uint32(data[first+4:]))
	copy(b[end:], data[first:first+int64(n)])
	le.PutUint32(data[16:], 0) // file header "last chunk" stale too
	data[120] |= flagDirty
	le.PutUint32(data[124:], crc32.ChecksumIEEE(data[:120]))
	evs, ws, r := read(t, data)
	if len(evs) != total || !r.Dirty {
		t.Fatalf("%d events of %d (dirty %v), warnings %v", len(evs), total, r.Dirty, ws)
	}
	if len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
}

// TestNoCRC reads a file whose header and chunks say they carry no
// checksums (Windows 10 2004 and later): no warning.
func TestNoCRC(t *testing.T) {
	w := &evtxwrite.Writer{NoCRC: true}
	for _, ev := range sampleEvents() {
		w.Add(ev)
	}
	evs, ws, r := read(t, w.Bytes())
	if len(evs) != len(sampleEvents()) || len(ws) != 0 || r.Version != "3.2" {
		t.Fatalf("%d events, version %s, warnings %v", len(evs), r.Version, ws)
	}
}

// TestNestedWithoutDependencyID reads UserData whose element starts carry no
// dependency id, as some writers store nested Binary XML.
func TestNestedWithoutDependencyID(t *testing.T) {
	w := &evtxwrite.Writer{NestedNoDependencyID: true}
	for _, ev := range sampleEvents() {
		w.Add(ev)
	}
	evs, ws, _ := read(t, w.Bytes())
	if len(ws) != 0 {
		t.Fatalf("warnings %v", ws)
	}
	user := byID(evs, "Microsoft-Windows-Eventlog", "104")
	if user == nil || user.Field("SubjectUserName") != "dba1" || user.Field("Channel") != "System" {
		t.Fatalf("UserData: %v", user)
	}
}
