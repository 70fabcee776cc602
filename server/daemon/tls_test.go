package daemon

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/testpki"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
)

type testPKI struct {
	dir                     string
	ca, other               *testpki.CA
	caFile                  string
	certFile, keyFile       string
	goodCert, goodKey       string
	otherCert, otherKey     string
	expiredCert, expiredKey string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	var err error
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	p.ca, err = testpki.NewCA("tradectl test CA")
	must(err)
	p.other, err = testpki.NewCA("someone else's CA")
	must(err)
	p.caFile, err = p.ca.WriteCA(p.dir, "ca")
	must(err)
	srv, err := p.ca.Server()
	must(err)
	p.certFile, p.keyFile, err = srv.Write(p.dir, "server")
	must(err)
	good, err := p.ca.Client("ops-laptop")
	must(err)
	p.goodCert, p.goodKey, err = good.Write(p.dir, "good")
	must(err)
	other, err := p.other.Client("ops-laptop")
	must(err)
	p.otherCert, p.otherKey, err = other.Write(p.dir, "other")
	must(err)
	expired, err := p.ca.ExpiredClient("ops-laptop")
	must(err)
	p.expiredCert, p.expiredKey, err = expired.Write(p.dir, "expired")
	must(err)
	return p
}

// clientTLS is a TLS client config trusting the test CA, with the given
// client certificate ("" for none).
func (p *testPKI) clientTLS(t *testing.T, cert, key string) *tls.Config {
	t.Helper()
	b, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b)
	c := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if cert != "" {
		kp, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{kp}
	}
	return c
}

type securedDaemon struct {
	addr string
	log  *e2e.SyncBuffer
}

// startSecured runs a daemon on a real loopback port, stopped when the test ends.
func startSecured(t *testing.T, cfg Config) *securedDaemon {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	buf := &e2e.SyncBuffer{}
	cfg.Listener = lis
	cfg.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.ShutdownTimeout = 2 * time.Second
	cfg.HealthInterval = 300 * time.Second
	if cfg.Token == (Token{}) {
		cfg.Token = security.NewToken(testToken)
	}
	d := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("daemon run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("daemon did not shut down")
		}
	})
	return &securedDaemon{addr: lis.Addr().String(), log: buf}
}

func dialSecured(t *testing.T, addr string, creds credentials.TransportCredentials) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func healthOver(conn *grpc.ClientConn) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func mutualTLS(t *testing.T, p *testPKI) *TLS {
	t.Helper()
	tl, err := LoadTLS(TLSFiles{CertFile: p.certFile, KeyFile: p.keyFile, ClientCAFile: p.caFile})
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func TestMutualTLSAdmitsOnlyTheCA(t *testing.T) {
	p := newTestPKI(t)
	d := startSecured(t, Config{TLS: mutualTLS(t, p)})

	good := dialSecured(t, d.addr, credentials.NewTLS(p.clientTLS(t, p.goodCert, p.goodKey)))
	if err := healthOver(good); err != nil {
		t.Fatalf("client with the CA's certificate: %v", err)
	}
	// An audited call records the certificate as the caller, and no token.
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+testToken)
	_, err := tradingv1.NewTradingServiceClient(good).StopTrading(ctx, &tradingv1.StopTradingRequest{})
	if code := status.Code(err); code == codes.Unauthenticated || code == codes.Unavailable {
		t.Fatalf("stop over mutual TLS: %v", err)
	}
	if log := d.log.String(); !strings.Contains(log, `identity="cert:CN=ops-laptop"`) || strings.Contains(log, testToken) {
		t.Fatalf("audit should name the certificate and never the token:\n%s", log)
	}

	for name, c := range map[string]credentials.TransportCredentials{
		"no client certificate":    credentials.NewTLS(p.clientTLS(t, "", "")),
		"another CA's certificate": credentials.NewTLS(p.clientTLS(t, p.otherCert, p.otherKey)),
		"an expired certificate":   credentials.NewTLS(p.clientTLS(t, p.expiredCert, p.expiredKey)),
		"plaintext":                insecure.NewCredentials(),
	} {
		if err := healthOver(dialSecured(t, d.addr, c)); status.Code(err) != codes.Unavailable {
			t.Errorf("%s: want UNAVAILABLE (refused in the handshake), got %v", name, err)
		}
	}
	// The failed handshakes are recorded, summed: one line for the first.
	waitUntil(t, func() bool { return strings.Count(d.log.String(), "method="+security.HandshakeMethod) == 1 })
}

func TestTLSNeedsVersion12(t *testing.T) {
	p := newTestPKI(t)
	d := startSecured(t, Config{TLS: mutualTLS(t, p)})
	c := p.clientTLS(t, p.goodCert, p.goodKey)
	c.MaxVersion = tls.VersionTLS11
	if conn, err := tls.Dial("tcp", d.addr, c); err == nil {
		conn.Close()
		t.Fatal("a TLS 1.1 handshake succeeded")
	}
	c.MaxVersion = 0
	conn, err := tls.Dial("tcp", d.addr, c)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if v := conn.ConnectionState().Version; v != tls.VersionTLS13 {
		t.Fatalf("negotiated %s, want TLS 1.3", tls.VersionName(v))
	}
}

// servedSerial is the serial of the certificate a new handshake presents.
func servedSerial(t *testing.T, addr string, c *tls.Config) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, c)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func TestTLSReloadsChangedFiles(t *testing.T) {
	p := newTestPKI(t)
	tl := mutualTLS(t, p)
	d := startSecured(t, Config{TLS: tl, ReloadInterval: 50 * time.Millisecond})
	c := p.clientTLS(t, p.goodCert, p.goodKey)
	old := servedSerial(t, d.addr, c)

	// A broken file keeps the old certificate and says why.
	if err := os.WriteFile(p.certFile, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(d.log.String(), "TLS reload failed") })
	if got := servedSerial(t, d.addr, c); got != old {
		t.Fatalf("a broken file replaced the certificate: serial %s, was %s", got, old)
	}

	next, err := p.ca.Server()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := next.Write(p.dir, "server"); err != nil {
		t.Fatal(err)
	}
	want := next.Cert.SerialNumber.String()
	waitUntil(t, func() bool { return servedSerial(t, d.addr, c) == want })
}

func TestTLSReloadsOnSignal(t *testing.T) {
	p := newTestPKI(t)
	hup := make(chan os.Signal, 1)
	d := startSecured(t, Config{TLS: mutualTLS(t, p), Reload: hup, ReloadInterval: time.Hour})
	c := p.clientTLS(t, p.goodCert, p.goodKey)
	next, err := p.ca.Server()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := next.Write(p.dir, "server"); err != nil {
		t.Fatal(err)
	}
	hup <- os.Interrupt // any signal value: the channel is the trigger
	want := next.Cert.SerialNumber.String()
	waitUntil(t, func() bool { return servedSerial(t, d.addr, c) == want })
}

func TestRotatedTokenReplacesTheOld(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	tok, err := LoadOrCreateToken(file)
	if err != nil {
		t.Fatal(err)
	}
	oldRaw := tokenIn(t, file)
	d := startSecured(t, Config{Token: tok, TokenFile: file, ReloadInterval: 50 * time.Millisecond})
	conn := dialSecured(t, d.addr, insecure.NewCredentials())
	codeWith := func(tok string) codes.Code {
		ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
		_, err := tradingv1.NewTradingServiceClient(conn).GetStatus(ctx, &tradingv1.GetStatusRequest{})
		return status.Code(err)
	}
	if c := codeWith(oldRaw); c != codes.OK {
		t.Fatalf("token before rotation: %v", c)
	}
	if err := RotateToken(file); err != nil {
		t.Fatal(err)
	}
	newRaw := tokenIn(t, file)
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 || newRaw == oldRaw {
		t.Fatalf("rotated file: %v %v", fi.Mode(), err)
	}
	waitUntil(t, func() bool { return codeWith(oldRaw) == codes.Unauthenticated })
	if c := codeWith(newRaw); c != codes.OK {
		t.Fatalf("new token: %v", c)
	}
	// A broken token file keeps the token in force.
	if err := os.WriteFile(file, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(d.log.String(), "token reload failed") })
	if c := codeWith(newRaw); c != codes.OK {
		t.Fatalf("token after a broken rewrite: %v", c)
	}
	if log := d.log.String(); strings.Contains(log, oldRaw) || strings.Contains(log, newRaw) {
		t.Fatalf("a token reached the log:\n%s", log)
	}
}

func tokenIn(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
