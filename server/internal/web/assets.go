package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// asset is one embedded file, with its validator computed once.
type asset struct {
	data  []byte
	etag  string
	ctype string
	gz    *gzipped
}

// gzipped is an asset's gzip encoding, made on its first request rather
// than at start (gzip -9 of the script takes about 5 ms, a quarter of the
// daemon's cold start, and a daemon without a browser never needs it). The budget the bundle is held to (300 KB) is
// gzipped bytes: this is what makes it the bytes a browser downloads.
type gzipped struct {
	once sync.Once
	data []byte // nil when gzip does not make it smaller
	etag string
}

func (g *gzipped) get(a asset) ([]byte, string) {
	g.once.Do(func() {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level: no error
		_, _ = w.Write(a.data)                                // a bytes.Buffer does not fail
		_ = w.Close()
		if b.Len() < len(a.data) {
			// Its own validator: a cache keeps the two encodings apart.
			g.data, g.etag = b.Bytes(), strings.TrimSuffix(a.etag, `"`)+`-gzip"`
		}
	})
	return g.data, g.etag
}

// acceptsGzip is whether the request's Accept-Encoding lists gzip (or *)
// without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "*" {
				continue
			}
			if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err != nil || f == 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// assetSet serves the embedded assets/ directory. The files change only
// with the binary, so an ETag of their content lets a reload skip them
// while a new tradingd's are fetched at once (no-cache: always revalidate).
type assetSet map[string]asset

func loadAssets(fsys fs.FS) (assetSet, error) {
	set := assetSet{}
	err := fs.WalkDir(fsys, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		set[path.Base(p)] = asset{data: b, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, ctype: ct, gz: &gzipped{}}
		return nil
	})
	if _, ok := set["index.html"]; err == nil && !ok {
		err = fs.ErrNotExist
	}
	return set, err
}

// ServeHTTP serves /assets/{name}.
func (s assetSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.file(r.PathValue("name")).ServeHTTP(w, r)
}

func (s assetSet) file(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, etag := a.data, a.etag
		h := w.Header()
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			if gz, gzEtag := a.gz.get(a); gz != nil {
				body, etag = gz, gzEtag
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}
