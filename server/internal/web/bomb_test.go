package web

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"net/http"
	"runtime"
	"testing"

	// grpc-go learns gzip from any package that imports this one (tradingd
	// has none today): then vanguard hands it compressed requests to
	// transcode, and decompresses them itself.
	_ "google.golang.org/grpc/encoding/gzip"
)

// A gzip bomb, in each way the protocols served here name compression, is
// refused before anything decompresses it: with or without a token.
func TestCompressedRequestsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	e.login(t, c, testToken)
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	// A gzip stream may hold many members: 256 MiB of zeros in 256 KiB.
	bomb := bytes.Repeat(b.Bytes(), 256)
	env := append([]byte{1, 0, 0, 0, 0}, bomb...)
	binary.BigEndian.PutUint32(env[1:], uint32(len(bomb)))
	for _, tc := range []struct {
		name, ctype, method, header, proto string
		body                               []byte
	}{
		{"connect unary", "application/json", "GetStatus", "Content-Encoding", "Connect-Protocol-Version", bomb},
		{"connect stream", "application/connect+json", "WatchHealth", "Connect-Content-Encoding", "Connect-Protocol-Version", env},
		{"grpc-web", "application/grpc-web+proto", "GetStatus", "Grpc-Encoding", "X-Grpc-Web", env},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+RPCPrefix+tc.method, bytes.NewReader(tc.body))
		req.Header.Set("Content-Type", tc.ctype)
		req.Header.Set(tc.proto, "1")
		req.Header.Set(tc.header, "gzip")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		runtime.ReadMemStats(&after)
		alloc := (after.TotalAlloc - before.TotalAlloc) >> 20
		if resp.StatusCode != http.StatusUnsupportedMediaType || alloc > 64 {
			t.Errorf("%s with %s: gzip: %d and %d MiB allocated, want 415 and nothing decompressed", tc.name, tc.header, resp.StatusCode, alloc)
		}
	}
	// identity is no compression.
	if code, _ := e.unary(t, c, "GetStatus", func(r *http.Request) { r.Header.Set("Content-Encoding", "identity") }); code != http.StatusOK {
		t.Fatalf("Content-Encoding: identity: %d", code)
	}
}
