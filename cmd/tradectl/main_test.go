package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testAddr is loopback to tradectl's plaintext check; the harness's dialer
// takes every connection to the in-memory daemon whatever the address.
const testAddr = "passthrough:///127.0.0.1:7443"

// harness runs a fakeDaemon over bufconn behind a bearer-token check like
// tradingd's, and runs tradectl against it in-process. stop and start move
// the daemon to a new listener, which only a fresh dial reaches.
type harness struct {
	t         *testing.T
	fake      *fakeDaemon
	tokenFile string
	mu        sync.Mutex
	lis       *bufconn.Listener
	srv       *grpc.Server
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, fake: &fakeDaemon{}, tokenFile: filepath.Join(t.TempDir(), "token")}
	if err := os.WriteFile(h.tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) start() {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
			if err := checkToken(ctx); err != nil {
				return nil, err
			}
			return next(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
			if err := checkToken(ss.Context()); err != nil {
				return err
			}
			return next(srv, ss)
		}))
	tradingv1.RegisterTradingServiceServer(srv, h.fake)
	go srv.Serve(lis) //nolint:errcheck // ends with Stop
	h.mu.Lock()
	h.lis, h.srv = lis, srv
	h.mu.Unlock()
}

func checkToken(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer tok" {
		return status.Error(codes.Unauthenticated, "missing or wrong bearer token")
	}
	return nil
}

func (h *harness) stop() {
	h.mu.Lock()
	srv := h.srv
	h.mu.Unlock()
	srv.Stop()
}

func (h *harness) dial(ctx context.Context, _ string) (net.Conn, error) {
	h.mu.Lock()
	lis := h.lis
	h.mu.Unlock()
	return lis.DialContext(ctx)
}

// exec runs tradectl with the harness's address and token file before args.
func (h *harness) exec(ctx context.Context, stdout, stderr *e2e.SyncBuffer, args ...string) int {
	args = append([]string{"--addr", testAddr, "--token-file", h.tokenFile}, args...)
	return run(ctx, args, stdout, stderr, []grpc.DialOption{grpc.WithContextDialer(h.dial)})
}

func (h *harness) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut e2e.SyncBuffer
	code = h.exec(h.t.Context(), &out, &errOut, args...)
	return code, out.String(), errOut.String()
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
