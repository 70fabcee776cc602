package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
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

// TestAssetsServedGzipped: a browser (every one sends Accept-Encoding:
// gzip) downloads the gzipped bytes the budget counts, not the raw ones;
// a client that does not accept gzip gets the file as it is.
func TestAssetsServedGzipped(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	get := func(path, acceptEncoding, ifNoneMatch string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		// Set explicitly, so that net/http leaves the body as sent.
		req.Header.Set("Accept-Encoding", acceptEncoding)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for path, file := range map[string]string{"/": "index.html", "/assets/dashboard.js": "dashboard.js", "/assets/dashboard.css": "dashboard.css"} {
		want, err := fs.ReadFile(assetsFS, "assets/"+file)
		if err != nil {
			t.Fatal(err)
		}
		resp := get(path, "gzip, deflate, br, zstd", "")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" ||
			!strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("GET %s accepting gzip: %d, headers %v", path, resp.StatusCode, resp.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, want) {
			t.Fatalf("GET %s: the gzipped body is not the file (%v)", path, err)
		}
		if len(body) >= len(want) {
			t.Fatalf("GET %s: %d bytes gzipped for a %d-byte file", path, len(body), len(want))
		}
		// A reload revalidates the encoding it holds.
		if r := get(path, "gzip", resp.Header.Get("ETag")); r.StatusCode != http.StatusNotModified {
			t.Fatalf("GET %s revalidating the gzipped copy: %d, want 304", path, r.StatusCode)
		}
		for _, ae := range []string{"identity", "gzip;q=0", "br"} {
			r := get(path, ae, "")
			raw, _ := io.ReadAll(r.Body)
			if r.Header.Get("Content-Encoding") != "" || !bytes.Equal(raw, want) {
				t.Fatalf("GET %s with Accept-Encoding %q: encoded %q, %d bytes, want the file as it is",
					path, ae, r.Header.Get("Content-Encoding"), len(raw))
			}
			if r.Header.Get("ETag") == resp.Header.Get("ETag") {
				t.Fatalf("GET %s: one ETag for both encodings, so a cache could mix them up", path)
			}
		}
	}
}
