package client_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeTrading is the client's test double: it answers every call with err
// when set, else with a canned response, and streams a report every 5ms.
// Its order calls are in account_test.go, its history calls in
// history_test.go.
type fakeTrading struct {
	tradingv1.UnimplementedTradingServiceServer
	err error

	mu         sync.Mutex
	last       proto.Message // the last request of StartTrading and the calls in account_test.go
	subs       int           // WatchOrders subscriptions so far
	watchAfter []uint64      // each WatchOrders subscription's after_sequence
}

func (f *fakeTrading) StartTrading(_ context.Context, req *tradingv1.StartTradingRequest) (*tradingv1.StartTradingResponse, error) {
	if err := f.record(req); err != nil {
		return nil, err
	}
	return &tradingv1.StartTradingResponse{Session: &tradingv1.Session{Id: "s1", Settings: req.GetSettings()}}, nil
}

func (f *fakeTrading) GetStatus(context.Context, *tradingv1.GetStatusRequest) (*tradingv1.GetStatusResponse, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &tradingv1.GetStatusResponse{Health: &tradingv1.HealthReport{Status: tradingv1.HealthStatus_HEALTH_STATUS_IDLE}}, nil
}

func (f *fakeTrading) WatchHealth(_ *tradingv1.WatchHealthRequest, stream grpc.ServerStreamingServer[tradingv1.WatchHealthResponse]) error {
	if f.err != nil {
		return f.err
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for seq := uint64(1); ; seq++ {
		if err := stream.Send(&tradingv1.WatchHealthResponse{Report: &tradingv1.HealthReport{Sequence: seq}}); err != nil {
			return err
		}
		select {
		case <-stream.Context().Done():
			return stream.Context().Err()
		case <-tick.C:
		}
	}
}

// daemon serves a fakeTrading over bufconn and can be stopped and restarted
// on a new listener; its dialer always reaches the current one.
type daemon struct {
	fake *fakeTrading
	mu   sync.Mutex
	lis  *bufconn.Listener
	srv  *grpc.Server
	auth map[string]string // method -> authorization header last seen
	want string            // the accepted token of control calls, when set
}

func startDaemon(t *testing.T, fake *fakeTrading) *daemon {
	d := &daemon{fake: fake, auth: map[string]string{}}
	d.start()
	t.Cleanup(d.stop)
	return d
}

func (d *daemon) start() {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := d.record(ctx, info.FullMethod); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := d.record(ss.Context(), info.FullMethod); err != nil {
				return err
			}
			return h(srv, ss)
		}))
	tradingv1.RegisterTradingServiceServer(srv, d.fake)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis) //nolint:errcheck // ends with Stop
	d.mu.Lock()
	d.lis, d.srv = lis, srv
	d.mu.Unlock()
}

func (d *daemon) stop() {
	d.mu.Lock()
	srv := d.srv
	d.mu.Unlock()
	srv.Stop()
}

// record notes the call's authorization and refuses a control call
// without the wanted token.
func (d *daemon) record(ctx context.Context, method string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	got := strings.Join(md.Get("authorization"), ",")
	d.auth[method] = got
	if d.want != "" && strings.HasPrefix(method, "/trading.v1.") && got != "Bearer "+d.want {
		return status.Error(codes.Unauthenticated, "invalid bearer token")
	}
	return nil
}

// accept makes token the only one control calls are accepted with.
func (d *daemon) accept(token string) {
	d.mu.Lock()
	d.want = token
	d.mu.Unlock()
}

func (d *daemon) authFor(method string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.auth[method]
}

func (d *daemon) dial(ctx context.Context, _ string) (net.Conn, error) {
	d.mu.Lock()
	lis := d.lis
	d.mu.Unlock()
	return lis.DialContext(ctx)
}

func (d *daemon) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	// The in-memory daemon serves plaintext at a name that is not
	// loopback, which New refuses unless told.
	opts = append([]client.Option{client.WithDialOptions(grpc.WithContextDialer(d.dial)), client.WithInsecure()}, opts...)
	c, err := client.New("passthrough:///bufnet", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTokenSentToControlCallsOnly(t *testing.T) {
	d := startDaemon(t, &fakeTrading{})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("  s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := d.client(t, client.WithTokenFile(file))
	ctx := t.Context()
	if _, err := c.GetStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Health(ctx, ""); err != nil || st != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Health = %v, %v", st, err)
	}
	if got := d.authFor("/trading.v1.TradingService/GetStatus"); got != "Bearer s3cret" {
		t.Errorf("GetStatus authorization = %q, want trimmed bearer token", got)
	}
	if got := d.authFor("/grpc.health.v1.Health/Check"); got != "" {
		t.Errorf("health check carried authorization %q", got)
	}
}

func TestTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	_, err := client.New(client.DefaultAddr, client.WithTokenFile(missing))
	if !errors.Is(err, client.ErrUnauthenticated) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing token file: %v, want ErrUnauthenticated and fs.ErrNotExist", err)
	}
	for _, want := range []string{missing, "tradingd writes its token", "--token-file", "TRADECTL_TOKEN_FILE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := client.New(client.DefaultAddr, client.WithTokenFile(empty)); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty token file: %v", err)
	}
	// A token file pointed at something huge (a wrong file, /dev/zero)
	// is refused after a few KiB, not read whole into memory.
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("x"), 8<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(client.DefaultAddr, client.WithTokenFile(huge)); !errors.Is(err, client.ErrUnauthenticated) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("8 MiB token file: %v, want it refused as larger than a token file", err)
	}
	if _, err := client.New(client.DefaultAddr, client.WithTokenFile(dir)); !errors.Is(err, client.ErrUnauthenticated) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory as token file: %v, want it refused as not a regular file", err)
	}
	// TLS files likewise: bounded (a CA bundle is a few hundred KiB).
	bundle := filepath.Join(dir, "bundle")
	if err := os.WriteFile(bundle, bytes.Repeat([]byte("x"), 5<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	var tlsErr *client.TLSFileError
	for _, c := range []client.TLSConfig{{CAFile: bundle}, {CertFile: bundle, KeyFile: bundle}} {
		if _, err := client.New(client.DefaultAddr, client.WithTokenFile(missing), client.WithTLSConfig(c)); !errors.As(err, &tlsErr) || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("a 5 MiB TLS file (%+v): %v, want a TLSFileError saying it is too large", c, err)
		}
	}
}

func TestDefaultPaths(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if f, _ := client.DefaultTokenFile(); f != "/state/tradectl/token" {
		t.Errorf("with XDG_STATE_HOME: %s", f)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	if d, _ := client.DefaultDataDir(); d != filepath.Join(home, ".local/state/tradectl") {
		t.Errorf("without XDG_STATE_HOME: %s", d)
	}
}

// A token rotated while a client lives (tradingd token rotate, then a
// restart) is read from the file again: a running watch reconnects with it
// rather than giving up as unauthenticated, and so does a one-shot call.
func TestRotatedTokenFileIsReadAgain(t *testing.T) {
	d := startDaemon(t, &fakeTrading{})
	d.accept("old")
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := d.client(t, client.WithTokenFile(file))
	oneShot := d.client(t, client.WithTokenFile(file))
	if _, err := oneShot.GetStatus(t.Context()); err != nil {
		t.Fatal(err)
	}
	reports := make(chan uint64, 1)
	back := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- c.WatchHealth(ctx,
			func(r *tradingv1.HealthReport) error { signal(reports, r.GetSequence()); return nil },
			client.OnReconnect(func() { signal(back, struct{}{}) }),
			client.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	}()
	wait(t, reports, "first report")
	d.stop()
	d.accept("new")
	if err := os.WriteFile(file, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.start()
	select {
	case <-back:
	case err := <-done:
		t.Fatalf("watch ended after the rotation: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no reconnect after the rotation")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchHealth = %v", err)
	}
	// A client that last used the old token picks the new one up too.
	if _, err := oneShot.GetStatus(t.Context()); err != nil {
		t.Fatalf("GetStatus after the rotation: %v", err)
	}
}
