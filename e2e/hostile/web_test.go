//go:build hostile

package hostile

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/testpki"
)

// The dashboard's routes (server/internal/web).
const (
	rpcPrefix = "/trading.v1.TradingService/"
	loginPath = "/auth/login"
)

// webTarget is the dashboard's port under attack.
type webTarget struct {
	addr string
	tls  *tls.Config // nil: plaintext (HTTP/1.1 only)
}

// webFlood is flood for the dashboard's port (--http-listen), with TLS
// when useTLS (so HTTP/2). A paper session runs at a 10 ms tick
// throughout. For hold it checks every 200 ms that the operator's GetStatus
// over the dashboard, on a fresh connection, answers within maxLatency,
// sampling RSS and goroutines; then that RSS grew by less than maxGrowth
// and the session's tick rate did not fall below half its rate before.
func webFlood(t *testing.T, useTLS bool, hold time.Duration, attack func(ctx context.Context, t *testing.T, tg webTarget, wg *sync.WaitGroup)) {
	opts := harness.Options{Metrics: true, HTTP: "127.0.0.1:0"}
	var tc *tls.Config
	if useTLS {
		dir := t.TempDir()
		ca, err := testpki.NewCA("hostile web CA")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := ca.Server()
		if err != nil {
			t.Fatal(err)
		}
		cert, key, err := srv.Write(dir, "server")
		if err != nil {
			t.Fatal(err)
		}
		caFile, err := ca.WriteCA(dir, "ca")
		if err != nil {
			t.Fatal(err)
		}
		pem, _ := os.ReadFile(caFile)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tc = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", NextProtos: []string{"h2", "http/1.1"}}
		opts.Args = []string{"--tls-cert", cert, "--tls-key", key}
	}
	d := harness.StartDaemon(t, bins, opts)
	token = d.TokenFile()
	tok, err := os.ReadFile(d.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	op := operator{tg: webTarget{addr: d.HTTPAddr, tls: tc}, token: strings.TrimSpace(string(tok))}
	if code, body, err := op.call("StartTrading", `{"settings":{"mode":"MODE_PAPER","symbols":["BTC-USD"],"tickInterval":"0.010s"}}`); err != nil || code != http.StatusOK {
		t.Fatalf("StartTrading over the dashboard: %d %s %v", code, body, err)
	}
	rate := func(over time.Duration) float64 {
		a, _ := d.Metric("tradectl_session_ticks_total")
		time.Sleep(over)
		b, _ := d.Metric("tradectl_session_ticks_total")
		return (b - a) / over.Seconds()
	}
	baseRate := rate(time.Second)
	base, err := d.RSS()
	if err != nil {
		t.Fatal(err)
	}
	baseG, _ := d.Metric("go_goroutines")

	ctx, cancel := context.WithTimeout(context.Background(), hold+2*time.Minute)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	began := time.Now()
	attack(ctx, t, op.tg, &wg)
	t.Logf("flood in place after %s", time.Since(began).Round(time.Millisecond))

	var peak int64
	var peakG float64
	var calls int
	var slowest time.Duration
	ticks0, _ := d.Metric("tradectl_session_ticks_total")
	held := time.Now()
	for end := time.Now().Add(hold); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if rss, err := d.RSS(); err == nil && rss > peak {
			peak = rss
		}
		if g, err := d.Metric("go_goroutines"); err == nil && g > peakG {
			peakG = g
		}
		start := time.Now()
		code, body, err := op.call("GetStatus", "{}")
		if err != nil || code != http.StatusOK {
			t.Fatalf("the operator's GetStatus over the dashboard during the flood (call %d): %d %s %v", calls+1, code, body, err)
		}
		calls++
		slowest = max(slowest, time.Since(start))
	}
	ticks1, _ := d.Metric("tradectl_session_ticks_total")
	floodRate := (ticks1 - ticks0) / time.Since(held).Seconds()
	cancel()
	wg.Wait()
	time.Sleep(time.Second)
	afterG, _ := d.Metric("go_goroutines")
	after, _ := d.RSS()
	t.Logf("RSS %d MiB before, peak %d MiB (growth %d MiB), %d MiB after; goroutines %.0f before, peak %.0f, %.0f after; "+
		"%d operator calls, slowest %s; ticks %.0f/s before, %.0f/s during",
		base>>20, peak>>20, (peak-base)>>20, after>>20, baseG, peakG, afterG, calls, slowest.Round(time.Millisecond), baseRate, floodRate)
	if peak-base >= maxGrowth {
		t.Errorf("RSS grew by %d MiB under the flood, want < %d MiB", (peak-base)>>20, maxGrowth>>20)
	}
	if slowest > maxLatency {
		t.Errorf("the operator's slowest call took %s, want < %s", slowest, maxLatency)
	}
	if floodRate < baseRate/2 {
		t.Errorf("the session ticked %.0f/s under the flood, %.0f/s before", floodRate, baseRate)
	}
}

// operator is the logged-in browser: each call on a fresh connection from
// 127.0.0.1, with the token (the cookie becomes this header).
type operator struct {
	tg    webTarget
	token string
}

func (o operator) call(method, body string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := webClient(o.tg, "127.0.0.1")
	defer c.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.tg.url()+rpcPrefix+method, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	req.Header.Set("Authorization", "Bearer "+o.token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (tg webTarget) url() string {
	if tg.tls != nil {
		return "https://" + tg.addr
	}
	return "http://" + tg.addr
}

// webClient is an HTTP client from the given address (HTTP/2 under TLS).
func webClient(tg webTarget, from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, TLSClientConfig: tg.tls, ForceAttemptHTTP2: true}}
}

// dialWeb connects from an attacker's address, with TLS and ALPN h2 when
// the target has TLS, and discards what the server sends until ctx ends.
func dialWeb(ctx context.Context, wg *sync.WaitGroup, tg webTarget, from string) net.Conn {
	c, err := dialerFrom(from)(ctx, tg.addr)
	if err != nil {
		return nil
	}
	if tg.tls != nil {
		tc := tg.tls.Clone()
		tc.NextProtos = []string{"h2"}
		tl := tls.Client(c, tc)
		if tl.HandshakeContext(ctx) != nil {
			c.Close()
			return nil
		}
		c = tl
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	wg.Go(func() {
		defer stop()
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
	})
	return c
}

// webPeers is how many attacker addresses the floods use: 7 of them
// hold 224 of the port's 256 connections (32 each), leaving the operator
// room; the eighth would take the rest (see SECURITY.md).
const webPeers = 7

// Held bodies over HTTP/2: every attacker connection opens as many streams
// as the server allows (250), each sending a call's or a login's headers
// and never its body. Before the dashboard counted waiting bodies, 256
// connections of these took the heap to 2.2 GiB.
func TestWebHeldBodies(t *testing.T) {
	webFlood(t, true, hold(), func(ctx context.Context, t *testing.T, tg webTarget, wg *sync.WaitGroup) {
		opened := 0
		for p := range webPeers {
			for range 32 {
				c := dialWeb(ctx, wg, tg, fmt.Sprintf("127.0.4.%d", p+1))
				if c == nil {
					continue
				}
				if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
					continue
				}
				fr := http2.NewFramer(c, nil)
				_ = fr.WriteSettings()
				for i := range 250 {
					path := rpcPrefix + "GetStatus"
					if i%2 == 1 {
						path = loginPath
					}
					if fr.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: webHeaders(tg.addr, path),
						EndHeaders: true}) != nil {
						break
					}
					opened++
				}
			}
		}
		t.Logf("%d streams opened from %d peers", opened, webPeers)
	})
}

func webHeaders(addr, path string, extra ...hpack.HeaderField) []byte {
	ctype := "application/json"
	if strings.HasPrefix(path, rpcPrefix+"Watch") {
		ctype = "application/connect+json"
	}
	var b bytes.Buffer
	enc := hpack.NewEncoder(&b)
	for _, f := range append([]hpack.HeaderField{{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "https"},
		{Name: ":path", Value: path}, {Name: ":authority", Value: addr},
		{Name: "content-type", Value: ctype}, {Name: "connect-protocol-version", Value: "1"}}, extra...) {
		_ = enc.WriteField(f)
	}
	return b.Bytes()
}

// Slowloris over HTTP/1.1: connections that send a request's headers a
// byte at a time, and bodies that never finish; every connection the
// server closes is dialled again.
func TestWebSlowloris(t *testing.T) {
	webFlood(t, false, hold(), func(ctx context.Context, t *testing.T, tg webTarget, wg *sync.WaitGroup) {
		req := "POST " + rpcPrefix + "GetStatus HTTP/1.1\r\nHost: " + tg.addr +
			"\r\nContent-Type: application/json\r\nConnect-Protocol-Version: 1\r\nContent-Length: 100000\r\n\r\n{"
		for p := range webPeers {
			for i := range 32 {
				wg.Go(func() {
					for ctx.Err() == nil {
						c := dialWeb(ctx, wg, tg, fmt.Sprintf("127.0.5.%d", p+1))
						if c == nil {
							time.Sleep(100 * time.Millisecond)
							continue
						}
						trickle(ctx, c, req, i%2 == 0)
						c.Close()
					}
				})
			}
		}
	})
}

// trickle writes req a byte every 100 ms (headers), or the headers at once
// and then the body a space a second (a body that never ends), until the
// server hangs up.
func trickle(ctx context.Context, c net.Conn, req string, headers bool) {
	if !headers {
		if _, err := io.WriteString(c, req); err != nil {
			return
		}
		req = strings.Repeat(" ", 1000)
	}
	pause := 100 * time.Millisecond
	if !headers {
		pause = time.Second
	}
	for i := 0; i < len(req) && ctx.Err() == nil; i++ {
		if _, err := c.Write([]byte{req[i]}); err != nil {
			return
		}
		time.Sleep(pause)
	}
}

// token is the token file of the daemon webFlood started: the stalled
// watchers are the operator's (a tab left open on a laptop that sleeps, or
// a buggy script with the token); anonymous streams end at the token check.
var token string

// Stalled watchers: 32 HTTP/2 connections x 100 streams (WatchHealth and
// WatchOrders in turn) with the token, whose client never reads nor grants
// flow control. Each write then blocks; WriteStall (30 s) releases them.
// The port serves at most 512 streams at once (the rest are refused), so
// they cost at most ~45 MiB; the operator's unary calls still pass.
func TestWebStalledWatchers(t *testing.T) {
	conns, per := size(32, 16), 100
	webFlood(t, true, hold(), func(ctx context.Context, t *testing.T, tg webTarget, wg *sync.WaitGroup) {
		tok, err := os.ReadFile(token)
		if err != nil {
			t.Fatal(err)
		}
		auth := "Bearer " + strings.TrimSpace(string(tok))
		opened := 0
		for range conns {
			c := dialWeb(ctx, wg, tg, "127.0.6.1")
			if c == nil {
				continue
			}
			if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
				continue
			}
			fr := http2.NewFramer(c, nil)
			_ = fr.WriteSettings()
			for i := range per {
				method := "WatchHealth"
				if i%2 == 1 {
					method = "WatchOrders"
				}
				block := webHeaders(tg.addr, rpcPrefix+method, hpack.HeaderField{Name: "authorization", Value: auth})
				id := uint32(2*i + 1)
				if fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block, EndHeaders: true}) != nil ||
					fr.WriteData(id, true, []byte{0, 0, 0, 0, 2, '{', '}'}) != nil {
					break
				}
				opened++
			}
		}
		t.Logf("%d watch streams opened, never read", opened)
	})
}
