package xel

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// minPackageRecord is the size of a package record up to its name.
const minPackageRecord = 58

// metadata merges the package records of a metadata buffer into the catalog.
func (r *Reader) metadata(data []byte, dataStart int64) {
	if p := r.par; p != nil && r.cat != nil && (p.catShared || p.batch != nil && len(p.batch.segs) > 0 && p.batch.cat == r.cat) {
		r.drain() // queued buffers use the catalog this merges into
	}
	if r.cat == nil {
		r.cat = newCatalog(r.prevCat)
	}
	for p := 0; p < len(data) && !r.stop; {
		if len(data)-p < 6 {
			r.warn(dataStart+int64(p), fmt.Sprintf("%d stray bytes at the end of the metadata", len(data)-p))
			r.skipped(int64(len(data) - p))
			return
		}
		l := int(binary.LittleEndian.Uint32(data[p+2:]))
		if l < minPackageRecord || l > len(data)-p {
			r.warn(dataStart+int64(p), fmt.Sprintf("package record length %d outside 58..%d: rest of the metadata buffer skipped", l, len(data)-p))
			r.skipped(int64(len(data) - p))
			return
		}
		rec, err := r.parsePackage(data[p : p+l])
		if err == nil {
			err = r.cat.merge(rec)
		}
		if err != nil {
			r.warn(dataStart+int64(p), "package record skipped: "+err.Error())
			r.skipped(int64(l))
		}
		p += l
	}
}

// pkgBody is the offset in a package record from which its bytes describe
// the package's objects: before it come the record version and length, the
// stream GUID and the clock, which differ from file to file.
const pkgBody = 48

// Bounds of the package records a reader remembers.
const (
	maxKnownPackages = 64
	maxKnownBytes    = 4 << 20
)

// parsePackage parses a package record, or takes the objects of a record
// whose bytes from pkgBody on it has already parsed: the files of a session
// (read concatenated) repeat the same records with another clock.
func (r *Reader) parsePackage(rec []byte) (*pkgRecord, error) {
	if known, ok := r.known[string(rec[pkgBody:])]; ok {
		if v := binary.LittleEndian.Uint16(rec); v != 10 {
			return nil, fmt.Errorf("package record version %d, want 10", v)
		}
		p := *known
		p.pkg.clockBase = binary.LittleEndian.Uint64(rec[32:])
		p.pkg.freq = binary.LittleEndian.Uint64(rec[40:])
		if p.pkg.freq == 0 {
			return nil, errors.New("tick frequency 0")
		}
		return &p, nil
	}
	p, err := parsePackage(rec)
	if err == nil && len(r.known) < maxKnownPackages && r.knownBytes+len(rec) <= maxKnownBytes {
		if r.known == nil {
			r.known = make(map[string]*pkgRecord)
		}
		r.known[string(rec[pkgBody:])] = p
		r.knownBytes += len(rec)
	}
	return p, err
}
