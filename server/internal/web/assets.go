package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// asset is one embedded file, with its validator computed once.
type asset struct {
	data  []byte
	etag  string
	ctype string
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
		set[path.Base(p)] = asset{data: b, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, ctype: ct}
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
		w.Header().Set("Content-Type", a.ctype)
		w.Header().Set("ETag", a.etag)
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.data))
	})
}
