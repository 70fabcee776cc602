package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"testing"
)

// bundleBudget is the goal for what a first visit downloads:
// under 300 KB gzipped, so the page loads fast on a slow link too.
const bundleBudget = 300 << 10

// TestBundleSize gzips (level 9, as `gzip -9` does) what a first visit to
// the dashboard fetches: the page, its script and its style. A library
// added to the dashboard that pushes it past the budget fails here.
func TestBundleSize(t *testing.T) {
	var raw, gz int
	for _, name := range []string{"index.html", "dashboard.js", "dashboard.css"} {
		b, err := fs.ReadFile(assetsFS, "assets/"+name)
		if err != nil {
			t.Fatal(err)
		}
		n := gzipLen(t, b)
		t.Logf("%-14s %7d bytes, %6d gzipped", name, len(b), n)
		raw += len(b)
		gz += n
	}
	t.Logf("dashboard bundle: %d bytes, %d gzipped (budget %d)", raw, gz, bundleBudget)
	if gz > bundleBudget {
		t.Fatalf("the dashboard's bundle is %d bytes gzipped, over the %d budget", gz, bundleBudget)
	}
}

func gzipLen(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}
