package replay

import (
	"errors"
	"io"
	"os"
	"testing"
)

// The README's examples replay testdata/sample.csv: it must read to the end.
func TestSampleFileReplays(t *testing.T) {
	f, err := os.Open("../../testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Open(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := all(t, s)
	if !errors.Is(err, io.EOF) || len(evs) < 20_000 {
		t.Fatalf("%d events, then %v", len(evs), err)
	}
}
