package daemon

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/web"
)

// startDashboard runs a daemon with the dashboard on a loopback port and
// returns its base URL and the daemon's log.
func startDashboard(t *testing.T, cfg Config, scheme string) (string, *securedDaemon) {
	t.Helper()
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTPListener = hl
	return scheme + "://" + hl.Addr().String(), startSecured(t, cfg)
}

func browser(t *testing.T, tc *tls.Config) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Jar: jar, Transport: tr}
}

func post(t *testing.T, c *http.Client, url, ctype, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The browser's path reaches the daemon's own chain: the real token check
// refuses a wrong token, and the right one, once logged in, reads status.
func TestDashboardUsesTheDaemonsChain(t *testing.T) {
	base, d := startDashboard(t, Config{}, "http")
	c := browser(t, nil)
	if resp, body := post(t, c, base+web.LoginPath, "application/json", `{"token":"wrong"}`); resp.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(body, "TOKEN_INVALID") {
		t.Fatalf("wrong token: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, c, base+web.LoginPath, "application/json", `{"token":"`+testToken+`"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, c, base+web.RPCPrefix+"GetStatus", "application/json", "{}"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, `"health"`) {
		t.Fatalf("GetStatus: %d %s", resp.StatusCode, body)
	}
	// Remote strategies' service is not for browsers.
	if resp, _ := post(t, c, base+"/trading.v1.StrategyService/Connect", "application/connect+proto", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("StrategyService over HTTP: %d, want 404", resp.StatusCode)
	}
	log := d.log.String()
	if !strings.Contains(log, "http_addr="+strings.TrimPrefix(base, "http://")) {
		t.Errorf("the serving line lacks http_addr:\n%s", log)
	}
	if strings.Contains(log, testToken) {
		t.Errorf("the token is in the log:\n%s", log)
	}
}

// Under mutual TLS the dashboard asks for the client certificate as gRPC
// does, the audit log names it, and a browser gets HTTP/2 (no
// six-connection limit for streams).
func TestDashboardTLS(t *testing.T) {
	p := newTestPKI(t)
	base, d := startDashboard(t, Config{TLS: mutualTLS(t, p)}, "https")
	c := browser(t, p.clientTLS(t, p.goodCert, p.goodKey))
	resp, body := post(t, c, base+web.LoginPath, "application/json", `{"token":"`+testToken+`"}`)
	if resp.StatusCode != http.StatusNoContent || resp.ProtoMajor != 2 {
		t.Fatalf("login: %d %s over HTTP/%d, want 204 over HTTP/2", resp.StatusCode, body, resp.ProtoMajor)
	}
	if ck := resp.Cookies(); len(ck) != 1 || ck[0].Name != "__Host-"+web.CookieName || !ck[0].Secure {
		t.Fatalf("cookie %+v, want a Secure __Host- cookie", ck)
	}
	if resp, body := post(t, c, base+web.RPCPrefix+"GetStatus", "application/json", "{}"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GetStatus: %d %s", resp.StatusCode, body)
	}
	// A state-changing call is audited with the certificate as the caller,
	// as over gRPC (ServeHTTP hands the handshake's state to the chain).
	if resp, body := post(t, c, base+web.RPCPrefix+"StopTrading", "application/json", "{}"); resp.StatusCode == http.StatusUnauthorized {
		t.Fatalf("StopTrading: %d %s", resp.StatusCode, body)
	}
	if log := d.log.String(); !strings.Contains(log, `identity="cert:CN=ops-laptop"`) || strings.Contains(log, testToken) {
		t.Fatalf("audit should name the certificate and never the token:\n%s", log)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	if _, err := browser(t, p.clientTLS(t, "", "")).Do(req); err == nil {
		t.Fatal("a client without a certificate got an answer")
	}
}

// A browser's open stream does not hold the daemon at shutdown: it ends,
// saying why, and Run returns.
func TestDashboardStreamEndsAtShutdown(t *testing.T) {
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + hl.Addr().String()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &e2e.SyncBuffer{}
	d := New(Config{Listener: lis, HTTPListener: hl, Token: security.NewToken(testToken), ShutdownTimeout: 2 * time.Second,
		HealthInterval: 300 * time.Second, Logger: slog.New(slog.NewTextHandler(logBuf, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()

	c := browser(t, nil)
	if resp, body := post(t, c, base+web.LoginPath, "application/json", `{"token":"`+testToken+`"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodPost, base+web.RPCPrefix+"WatchHealth", bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var hdr [5]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil || hdr[0] != 0 {
		t.Fatalf("first report: %v %x", err, hdr)
	}
	if _, err := io.CopyN(io.Discard, br, int64(binary.BigEndian.Uint32(hdr[1:]))); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the daemon did not stop with a dashboard stream open")
	}
	// GracefulStop ended the stream itself; it was not cut at the deadline.
	if log := logBuf.String(); strings.Contains(log, "graceful stop timed out") {
		t.Fatalf("the stream held the shutdown until its deadline:\n%s", log)
	}
	// The stream's last frame is Connect's end-of-stream (flag 2) with the
	// reason: GracefulStop closing ServeHTTP's transport before the
	// handler's status was written gave "missing trailer" instead.
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("reading the stream's end: %v", err)
	}
	for len(rest) >= 5 && rest[0]&2 == 0 {
		rest = rest[5+int(binary.BigEndian.Uint32(rest[1:5])):]
	}
	if len(rest) < 5 || !strings.Contains(string(rest[5:]), `"reason":"SHUTTING_DOWN"`) {
		t.Fatalf("the stream ended without SHUTTING_DOWN: %q", rest)
	}
}

// Guessing the token through the login form is held to the control rate,
// as it is over gRPC: the login is the same call through the same chain.
func TestDashboardLoginIsRateLimited(t *testing.T) {
	base, _ := startDashboard(t, Config{Limits: Limits{ControlRate: Rate{N: 1, Per: time.Hour, Burst: 3}}}, "http")
	c := browser(t, nil)
	for i := 0; ; i++ {
		resp, body := post(t, c, base+web.LoginPath, "application/json", `{"token":"guess"}`)
		if resp.StatusCode == http.StatusTooManyRequests {
			if !strings.Contains(body, "RATE_LIMITED") {
				t.Fatalf("429 without the reason: %s", body)
			}
			break
		}
		if resp.StatusCode != http.StatusUnauthorized || i >= 10 {
			t.Fatalf("guess %d: %d %s, want 401 until the limit, then 429", i, resp.StatusCode, body)
		}
	}
}

// The dashboard counts requests whose body has not arrived with the gRPC
// port's limits, and spares the operator's: a held body fills the peer's
// one slot, an anonymous call is refused, the logged-in browser is served.
func TestDashboardSparesTheOperatorFromHeldBodies(t *testing.T) {
	base, _ := startDashboard(t, Config{Limits: Limits{MaxAwaitingPerPeer: 1}}, "http")
	addr := strings.TrimPrefix(base, "http://")
	op := browser(t, nil)
	if resp, body := post(t, op, base+web.LoginPath, "application/json", `{"token":"`+testToken+`"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	held, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, _ = io.WriteString(held, "POST "+web.RPCPrefix+"GetStatus HTTP/1.1\r\nHost: "+addr+
		"\r\nContent-Type: application/json\r\nConnect-Protocol-Version: 1\r\nContent-Length: 2\r\n\r\n")
	anon := browser(t, nil)
	var resp *http.Response
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if resp, _ = post(t, anon, base+web.RPCPrefix+"GetStatus", "application/json", "{}"); resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("anonymous call with the peer's slot held: %d, want 429", resp.StatusCode)
	}
	if resp, body := post(t, op, base+web.RPCPrefix+"GetStatus", "application/json", "{}"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the operator's call: %d %s", resp.StatusCode, body)
	}
	// Only the token spares a call: a login cookie that holds anything
	// else is counted like no cookie, or anyone could skip the count.
	req, err := http.NewRequest(http.MethodPost, base+web.RPCPrefix+"GetStatus", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: "not-the-token"})
	bogus, err := anon.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	bogus.Body.Close()
	if bogus.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a call with a bogus login cookie, the peer's slot held: %d, want 429", bogus.StatusCode)
	}
}

// The watcher cap is an interceptor, so it holds over the dashboard's port
// too: past it a browser's WatchHealth ends at once with the reason.
func TestDashboardWatcherCap(t *testing.T) {
	base, _ := startDashboard(t, Config{Limits: Limits{MaxWatchers: 1}}, "http")
	c := browser(t, nil)
	if resp, body := post(t, c, base+web.LoginPath, "application/json", `{"token":"`+testToken+`"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	watch := func() *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+web.RPCPrefix+"WatchHealth", bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
		req.Header.Set("Content-Type", "application/connect+json")
		req.Header.Set("Connect-Protocol-Version", "1")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	first := watch()
	var hdr [5]byte
	if _, err := io.ReadFull(first.Body, hdr[:]); err != nil || hdr[0] != 0 {
		t.Fatalf("first watcher's report: %v %x", err, hdr)
	}
	rest, err := io.ReadAll(watch().Body)
	if err != nil || len(rest) < 5 || rest[0] != 2 || !strings.Contains(string(rest), "TOO_MANY_WATCHERS") {
		t.Fatalf("second watcher: %q %v, want an end of stream with TOO_MANY_WATCHERS", rest, err)
	}
}
