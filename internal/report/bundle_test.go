package report

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// TestBundleSize holds the report's embedded script and style to the
// dashboard's budget, 300 KB gzipped (level 9, as `gzip -9`): a report
// is one file people mail and open, and the charting library is most of it.
func TestBundleSize(t *testing.T) {
	const budget = 300 << 10
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{script, style} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("report bundle: %d bytes (script %d, style %d), %d gzipped (budget %d)",
		len(script)+len(style), len(script), len(style), buf.Len(), budget)
	if buf.Len() > budget {
		t.Fatalf("the report's script and style are %d bytes gzipped, over the %d budget", buf.Len(), budget)
	}
}
