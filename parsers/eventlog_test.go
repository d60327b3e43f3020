package parsers

import "testing"

func TestDetectEVTX(t *testing.T) {
	head := append([]byte("ElfFile\x00"), make([]byte, 120)...)
	if f := Detect(head); f != FormatEVTX {
		t.Fatalf("Detect = %q", f)
	}
	if f := Detect([]byte("ElfFil")); f == FormatEVTX {
		t.Fatal("a prefix of the signature is not an .evtx file")
	}
}
