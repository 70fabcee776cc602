// Package webbench holds the dashboard's benchmarks against the real
// tradingd: time to first render in headless Chromium, the trading loop's
// cost with 100 dashboards open against none, and GetStatus through the
// dashboard's port (Connect, transcoded by vanguard) against native gRPC.
// They are benchmarks only (make bench); BENCHMARKS.md records them.
package webbench

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/e2e/harness"
)

// The dashboard's routes and cookie (server/internal/web, which only the
// server may import).
const (
	loginPath  = "/auth/login"
	rpcPrefix  = "/trading.v1.TradingService/"
	cookieName = "tradectl_token" // "__Host-" + it under TLS
)

var built harness.LazyBinaries

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		built.Remove()
		os.Exit(code)
	}))
}

func token(b *testing.B, d *harness.Daemon) string {
	b.Helper()
	tok, err := os.ReadFile(d.TokenFile())
	if err != nil {
		b.Fatal(err)
	}
	return strings.TrimSpace(string(tok))
}

// login posts the token to the dashboard's login, as the page's form does,
// and returns the cookie it sets.
func login(b *testing.B, c *http.Client, base, tok string) *http.Cookie {
	b.Helper()
	body, _ := json.Marshal(map[string]string{"token": tok})
	resp, err := c.Post(base+loginPath, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, ck := range resp.Cookies() {
		if strings.HasSuffix(ck.Name, cookieName) {
			if resp.StatusCode != http.StatusNoContent {
				break
			}
			return ck
		}
	}
	b.Fatalf("login: %s, no cookie", resp.Status)
	return nil
}

// envelope is one Connect stream message: flags, big-endian length, data.
func envelope(msg []byte) []byte {
	out := make([]byte, 5+len(msg))
	binary.BigEndian.PutUint32(out[1:], uint32(len(msg)))
	copy(out[5:], msg)
	return out
}

// readFrame reads one Connect stream envelope; end is its end-of-stream
// flag (the frame then holds the stream's status as JSON).
func readFrame(r io.Reader, buf []byte) (msg []byte, end bool, err error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, false, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > 16<<20 {
		return nil, false, fmt.Errorf("a %d-byte frame", n)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, false, err
	}
	return buf, hdr[0]&2 != 0, nil
}

// median of xs (sorting it); 0 when empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}
