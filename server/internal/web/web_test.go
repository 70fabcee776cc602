package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "s3cret-token-0123456789abcdef"

// fakeTrading answers GetStatus, and WatchHealth with a report and then one per value
// sent on reports, so a test sees a stream deliver live.
type fakeTrading struct {
	tradingv1.UnimplementedTradingServiceServer
	reports chan string
	ended   chan error // each WatchHealth's return, if there is room
}

func (f *fakeTrading) GetStatus(context.Context, *tradingv1.GetStatusRequest) (*tradingv1.GetStatusResponse, error) {
	return &tradingv1.GetStatusResponse{Health: &tradingv1.HealthReport{Reason: "all quiet", Time: timestamppb.Now()}}, nil
}

func (f *fakeTrading) WatchHealth(req *tradingv1.WatchHealthRequest, s tradingv1.TradingService_WatchHealthServer) error {
	err := f.watchHealth(req, s)
	select {
	case f.ended <- err:
	default:
	}
	return err
}

func (f *fakeTrading) watchHealth(_ *tradingv1.WatchHealthRequest, s tradingv1.TradingService_WatchHealthServer) error {
	// Like the daemon's, the latest report at once: the answer's headers
	// go with the first message.
	if err := s.Send(&tradingv1.WatchHealthResponse{Report: &tradingv1.HealthReport{Reason: "initial"}}); err != nil {
		return err
	}
	for {
		select {
		case <-s.Context().Done():
			return nil
		case reason, ok := <-f.reports:
			if !ok {
				return nil
			}
			if err := s.Send(&tradingv1.WatchHealthResponse{Report: &tradingv1.HealthReport{Reason: reason}}); err != nil {
				return err
			}
		}
	}
}

// WatchOrders sends its headers at once, as the daemon's does, and then
// nothing: a session that does not trade.
func (f *fakeTrading) WatchOrders(_ *tradingv1.WatchOrdersRequest, s tradingv1.TradingService_WatchOrdersServer) error {
	if err := s.SendHeader(nil); err != nil {
		return err
	}
	<-s.Context().Done()
	return nil
}

// env is the handler in front of a grpc.Server with the daemon's token
// check (security.AuthFunc) and an interceptor that keeps the metadata
// each call arrived with.
type env struct {
	srv     *httptest.Server
	h       *Handler
	log     *bytes.Buffer
	reports chan string
	ended   chan error
	mu      sync.Mutex
	md      []metadata.MD
}

func newEnv(t *testing.T, opts ...func(*Config)) *env {
	t.Helper()
	return startEnv(t, false, opts...)
}

// startEnv is newEnv, over TLS with HTTP/2 when h2.
func startEnv(t *testing.T, h2 bool, opts ...func(*Config)) *env {
	t.Helper()
	e := &env{log: &bytes.Buffer{}, reports: make(chan string), ended: make(chan error, 16)}
	authFn := security.AuthFunc(security.NewToken(testToken))
	keep := func(ctx context.Context) {
		md, _ := metadata.FromIncomingContext(ctx)
		e.mu.Lock()
		e.md = append(e.md, md)
		e.mu.Unlock()
	}
	g := grpc.NewServer(
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			keep(ctx)
			return h(ctx, req)
		}, auth.UnaryServerInterceptor(authFn)),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			keep(ss.Context())
			return h(srv, ss)
		}, auth.StreamServerInterceptor(authFn)),
	)
	tradingv1.RegisterTradingServiceServer(g, &fakeTrading{reports: e.reports, ended: e.ended})
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logMu, e.log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv = httptest.NewUnstartedServer(nil)
	if h2 {
		e.srv.EnableHTTP2 = true
		e.srv.StartTLS()
	} else {
		e.srv.Start()
	}
	cfg := Config{GRPC: g, Hosts: Hosts(e.srv.Listener.Addr()), TLS: h2, Log: log}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	e.srv.Config.Handler = h
	e.srv.Config.ErrorLog = NewServer(h, log).ErrorLog
	t.Cleanup(func() {
		e.srv.CloseClientConnections()
		g.Stop()
		e.srv.Close()
	})
	return e
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// client is a browser's view: a cookie jar, same-origin requests.
func (e *env) client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := e.srv.Client()
	c.Jar = jar
	return c
}

func (e *env) login(t *testing.T, c *http.Client, token string) *http.Response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"token": token})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+LoginPath, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.srv.URL) // what a browser sends on a same-origin POST
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// unary is a Connect JSON unary call, as connect-web makes it.
func (e *env) unary(t *testing.T, c *http.Client, method string, mod func(*http.Request)) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+RPCPrefix+method, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	if mod != nil {
		mod(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLoginSetsAnHttpOnlyCookieThatAuthorizesCalls(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if code, body := e.unary(t, c, "GetStatus", nil); code != http.StatusUnauthorized || !strings.Contains(body, "TOKEN_MISSING") {
		t.Fatalf("before login: %d %s, want 401 TOKEN_MISSING", code, body)
	}
	resp := e.login(t, c, testToken)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d, want 204", resp.StatusCode)
	}
	ck := resp.Cookies()
	if len(ck) != 1 || ck[0].Name != CookieName || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Path != "/" {
		t.Fatalf("cookie %+v: want one HttpOnly SameSite=Strict %s on /", ck, CookieName)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("login answer Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	code, body := e.unary(t, c, "GetStatus", nil)
	if code != http.StatusOK || !strings.Contains(body, "all quiet") {
		t.Fatalf("GetStatus with the cookie: %d %s", code, body)
	}
	// The handler saw the token as a bearer token, and no cookie.
	e.mu.Lock()
	last := e.md[len(e.md)-1]
	e.mu.Unlock()
	if got := last.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+testToken {
		t.Errorf("authorization metadata %q", got)
	}
	if got := last.Get("cookie"); len(got) != 0 {
		t.Errorf("the Cookie header reached gRPC as metadata: %q", got)
	}

	// Logout forgets it.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+LogoutPath, nil)
	req.Header.Set("Origin", e.srv.URL)
	lr, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lr.Body.Close()
	if code, _ := e.unary(t, c, "GetStatus", nil); code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d, want 401", code)
	}
}

func TestLoginRefusals(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, token, reason string
		code                int
	}{
		{"wrong", "not-the-token", "TOKEN_INVALID", http.StatusUnauthorized},
		{"missing", "", "TOKEN_MISSING", http.StatusUnauthorized},
		{"not a cookie value", "a;b", "invalid_argument", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t)
			resp := e.login(t, c, tc.token)
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.reason) {
				t.Fatalf("login: %d %s, want %d with %s", resp.StatusCode, b, tc.code, tc.reason)
			}
			if len(resp.Cookies()) != 0 {
				t.Fatalf("a refused login set %v", resp.Cookies())
			}
			if code, _ := e.unary(t, c, "GetStatus", nil); code != http.StatusUnauthorized {
				t.Fatalf("after a refused login GetStatus answered %d", code)
			}
		})
	}
}

// readFrame reads one Connect stream envelope: flags, length, message.
func readFrame(t *testing.T, r *bufio.Reader) (byte, string) {
	t.Helper()
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	msg := make([]byte, binary.BigEndian.Uint32(hdr[1:]))
	if _, err := io.ReadFull(r, msg); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	return hdr[0], string(msg)
}

func TestWatchHealthStreamsLiveWithTheCookie(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if resp := e.login(t, c, testToken); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+RPCPrefix+"WatchHealth",
		bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("WatchHealth: %d", resp.StatusCode)
	}
	// Each report is sent only after the previous one was read: the
	// stream delivers as it goes, not at its end.
	br := bufio.NewReader(resp.Body)
	if _, msg := readFrame(t, br); !strings.Contains(msg, "initial") {
		t.Fatalf("first frame %s", msg)
	}
	for _, reason := range []string{"first", "second"} {
		e.reports <- reason
		if flags, msg := readFrame(t, br); flags != 0 || !strings.Contains(msg, reason) {
			t.Fatalf("frame %x %s, want a message with %q", flags, msg, reason)
		}
	}
	close(e.reports)
	if flags, msg := readFrame(t, br); flags != 2 || strings.Contains(msg, "error") {
		t.Fatalf("end of stream %x %s, want a clean end", flags, msg)
	}
}

// A stream's headers reach the browser when the daemon sends them, not
// with its first message: the Orders view reads its snapshot once
// WatchOrders has answered, and a session that does not trade sends no
// event for as long as it likes.
func TestQuietStreamAnswersAtOnce(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if resp := e.login(t, c, testToken); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+RPCPrefix+"WatchOrders",
		bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("WatchOrders sent its headers and nothing else; the browser got: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/connect+json" {
		t.Fatalf("WatchOrders: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestCrossSiteAndForeignHostRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if resp := e.login(t, c, testToken); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name string
		mod  func(*http.Request)
		want int
	}{
		{"same origin", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }, http.StatusOK},
		{"cross-site fetch", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, http.StatusForbidden},
		// Another web app on loopback is same-site, not same-origin.
		{"same-site other port", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }, http.StatusForbidden},
		{"foreign Origin", func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, http.StatusForbidden},
		// DNS rebinding: evil.example resolves to 127.0.0.1.
		{"foreign Host", func(r *http.Request) { r.Host = "evil.example" }, http.StatusMisdirectedRequest},
		{"no Connect header", func(r *http.Request) { r.Header.Del("Connect-Protocol-Version") }, http.StatusUnsupportedMediaType},
		{"form post", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, http.StatusUnsupportedMediaType},
		{"GET", func(r *http.Request) { r.Method = http.MethodGet }, http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.unary(t, c, "GetStatus", tc.mod)
			if code != tc.want {
				t.Fatalf("%d %s, want %d", code, body, tc.want)
			}
		})
	}
	// A foreign Host cannot log in either, nor read the page.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/", nil)
	req.Host = "evil.example:80"
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("GET / with a foreign Host: %d", resp.StatusCode)
	}
}

func TestPageAndHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	resp, err := c.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "<html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, b)
	}
	h := resp.Header
	if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Referrer-Policy") != "no-referrer" || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("headers %v", h)
	}
	// The ETag lets a reload skip an unchanged page.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/", nil)
	req.Header.Set("If-None-Match", h.Get("ETag"))
	r2, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d, want 304", r2.StatusCode)
	}
	for _, p := range []string{"/assets/nothing.js", "/grpc.health.v1.Health/Check", "/trading.v1.StrategyService/Connect"} {
		r, err := c.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.StatusCode)
		}
	}
}

func TestTokenInNoLog(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	e.login(t, c, testToken+"x")
	e.login(t, c, testToken)
	e.unary(t, c, "GetStatus", nil)
	e.unary(t, c, "GetStatus", func(r *http.Request) { r.Host = "evil.example" })
	e.srv.CloseClientConnections()
	out := e.log.String()
	if !strings.Contains(out, "dashboard login refused") || !strings.Contains(out, "dashboard login ") {
		t.Fatalf("the log lacks the logins:\n%s", out)
	}
	if strings.Contains(out, testToken) {
		t.Fatalf("the token is in the log:\n%s", out)
	}
}

// A token is taken from a POST body only: a login by URL, which would put
// it in history, logs and Referer, is refused.
func TestLoginNotByURL(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	resp, err := c.Get(e.srv.URL + LoginPath + "?token=" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || len(resp.Cookies()) != 0 {
		t.Fatalf("GET login: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	if code, _ := e.unary(t, c, "GetStatus", nil); code != http.StatusUnauthorized {
		t.Fatalf("after a login by URL GetStatus answered %d", code)
	}
}

// A request body past the limit is refused, not read into memory.
func TestRequestBodyLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxRequestBytes = 64 })
	c := e.client(t)
	e.login(t, c, testToken)
	body := "{" + strings.Repeat(" ", 200) + "}" // valid, only long
	send := func(length int64) int {
		code, _ := e.unary(t, c, "GetStatus", func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(body))
			r.ContentLength = length
		})
		return code
	}
	if code := send(int64(len(body))); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a declared body past MaxRequestBytes: %d, want 413", code)
	}
	if code := send(-1); code == http.StatusOK { // chunked: found while reading
		t.Fatal("a chunked body past MaxRequestBytes was served")
	}
	if code, _ := e.unary(t, c, "GetStatus", nil); code != http.StatusOK {
		t.Fatalf("a small body: %d", code)
	}
}
