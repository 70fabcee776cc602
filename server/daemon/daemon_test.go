package daemon

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/session"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "test-token-0123456789abcdef"

type harness struct {
	d      *Daemon
	conn   *grpc.ClientConn
	cancel context.CancelFunc
	runErr chan error
	lis    *bufconn.Listener
}

// start runs a daemon over bufconn and returns a connection to it.
func start(t testing.TB, opts session.Options) *harness {
	t.Helper()
	// Benchmarks call far past any rate; limits_test.go tests it.
	return startWith(t, Config{session: opts, Limits: Limits{ControlRate: Rate{Off: true}}})
}

// startWith is start with more of the configuration: the listener, token
// and shutdown timeout are the harness's.
func startWith(t testing.TB, cfg Config) *harness {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	if cfg.HealthInterval == 0 && cfg.session.HealthInterval == 0 {
		cfg.HealthInterval = 300 * time.Second
	}
	cfg.Listener, cfg.Token, cfg.ShutdownTimeout = lis, security.NewToken(testToken), 2*time.Second
	d := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{d: d, cancel: cancel, runErr: make(chan error, 1), lis: lis}
	go func() { h.runErr <- d.Run(ctx) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	h.conn = conn
	t.Cleanup(func() { h.stop(t) })
	return h
}

func (h *harness) stop(t testing.TB) {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.runErr:
		if err != nil {
			t.Errorf("daemon run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("daemon did not shut down")
	}
	h.conn.Close()
}

func authed(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+testToken)
}

func paperReq(tick time.Duration, symbols ...string) *tradingv1.StartTradingRequest {
	return &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Symbols: symbols, TickInterval: durationpb.New(tick),
	}}
}

func TestControlNeedsTheToken(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := context.Background()
	if _, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("no token: %v", err)
	}
	bad := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer wrong")
	if _, err := c.StartTrading(bad, paperReq(time.Second)); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("wrong token: %v", err)
	}
	short := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer")
	if _, err := c.GetStatus(short, &tradingv1.GetStatusRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("empty bearer: %v", err)
	}
	if snap, _, _ := h.d.Manager.Status(); snap.ID != "" {
		t.Fatal("an unauthenticated call started a session")
	}
	// Health stays open.
	resp, err := healthpb.NewHealthClient(h.conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health without token: %v %v", resp, err)
	}
}

func TestStartStopOverGRPC(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	hc := healthpb.NewHealthClient(h.conn)

	resp, err := c.StartTrading(ctx, paperReq(10*time.Millisecond, "BTC-USD", "ETH-USD"))
	if err != nil {
		t.Fatal(err)
	}
	s := resp.GetSession()
	if s.GetState() != tradingv1.SessionState_SESSION_STATE_RUNNING || len(s.GetSettings().GetSymbols()) != 2 ||
		s.GetSettings().GetHealthInterval().AsDuration() != 300*time.Second || s.GetStartTime() == nil {
		t.Fatalf("start response: %v", resp)
	}
	eventually(t, "trading health SERVING", func() bool {
		r, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: TradingHealthService})
		return err == nil && r.Status == healthpb.HealthCheckResponse_SERVING
	})

	again, err := c.StartTrading(ctx, paperReq(10*time.Millisecond, "BTC-USD", "ETH-USD"))
	if err != nil || !again.GetAlreadyRunning() || again.GetSession().GetId() != s.GetId() {
		t.Fatalf("idempotent start: %v %v", again, err)
	}
	// The effective settings are compared: symbols in another order and
	// defaults given explicitly ask for the same session.
	same := paperReq(10*time.Millisecond, "ETH-USD", "BTC-USD")
	same.Settings.Params = map[string]string{"fast": "5"}
	same.Settings.Risk = &tradingv1.RiskLimits{MaxDrawdown: "0.2"}
	if again, err := c.StartTrading(ctx, same); err != nil || !again.GetAlreadyRunning() {
		t.Fatalf("start with the defaults spelled out: %v %v", again, err)
	}
	_, err = c.StartTrading(ctx, paperReq(10*time.Millisecond, "SOL-USD"))
	st := status.Convert(err)
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("conflicting start: %v", err)
	}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info == nil || info.Reason != "TRADING_ALREADY_RUNNING" || info.Metadata["session_id"] != s.GetId() ||
		info.Metadata["different_settings"] != "symbols" || !strings.Contains(st.Message(), "symbols (running BTC-USD,ETH-USD, asked SOL-USD)") {
		t.Fatalf("conflict: %q, ErrorInfo = %v", st.Message(), info)
	}

	stop, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(5 * time.Second)})
	if err != nil || !stop.GetWasRunning() || stop.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("stop: %v %v", stop, err)
	}
	if stop.GetSession().GetSummary().GetEquity() == "" || stop.GetSession().GetSummary().GetTicks() == 0 {
		t.Fatalf("summary: %v", stop.GetSession().GetSummary())
	}
	r, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: TradingHealthService})
	if err != nil || r.Status != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("trading health after stop: %v %v", r, err)
	}
	got, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
	if err != nil || got.GetSession().GetId() != s.GetId() || got.GetHealth().GetStatus() != tradingv1.HealthStatus_HEALTH_STATUS_IDLE {
		t.Fatalf("status after stop: %v %v", got, err)
	}
}

// Every invalid argument has one shape, whether the request's shape checks
// or the domain found it: INVALID_ARGUMENT with ErrorInfo and BadRequest
// naming the field.
func TestInvalidRequestsNameTheField(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	cases := map[string]*tradingv1.StartTradingRequest{
		"settings.symbols[0]": paperReq(time.Second, "btc"),
		"settings.symbols[1]": paperReq(time.Second, "BTC-USD", "BTC-USD"),
		"settings.symbols":    paperReq(time.Second, "NOPE-USD"),
		"settings.mode":       {Settings: &tradingv1.SessionSettings{Mode: 7}},
		// Zero is not "unset": the default of 100000 must not stand in.
		"settings.starting_cash": {Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, StartingCash: "0"}},
		"settings.tick_interval": {Settings: &tradingv1.SessionSettings{
			Mode: tradingv1.Mode_MODE_PAPER, TickInterval: durationpb.New(-time.Second)}},
		"settings.health_interval": {Settings: &tradingv1.SessionSettings{
			Mode: tradingv1.Mode_MODE_PAPER, HealthInterval: durationpb.New(time.Nanosecond)}},
	}
	check := func(field string, err error) {
		t.Helper()
		st := status.Convert(err)
		var info *errdetails.ErrorInfo
		var bad *errdetails.BadRequest
		for _, d := range st.Details() {
			switch d := d.(type) {
			case *errdetails.ErrorInfo:
				info = d
			case *errdetails.BadRequest:
				bad = d
			}
		}
		if st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), field) || info == nil ||
			bad == nil || len(bad.GetFieldViolations()) != 1 || bad.GetFieldViolations()[0].GetField() != field {
			t.Errorf("%s: %v, ErrorInfo %v, BadRequest %v", field, err, info, bad)
		}
	}
	for field, req := range cases {
		_, err := c.StartTrading(ctx, req)
		check(field, err)
	}
	_, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(time.Hour)})
	check("deadline", err)
	// Zero given is not unset: the dashboard's "0" must not become 10s.
	_, err = c.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(0)})
	check("deadline", err)
	_, err = c.Backup(ctx, &tradingv1.BackupRequest{Path: "/tmp/copy.db"})
	check("path", err)
	_, err = c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_LIVE}})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "live trading is not available") {
		t.Errorf("live: %v", err)
	}
}

// A watcher that never reads must not slow the others: they keep getting
// fresh reports while it sits on a full flow-control window.
func TestStuckWatcherDoesNotSlowOthers(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx, cancel := context.WithCancel(authed(context.Background()))
	defer cancel()
	if _, err := c.WatchHealth(ctx, &tradingv1.WatchHealthRequest{}); err != nil { // never read
		t.Fatal(err)
	}
	live, err := c.WatchHealth(ctx, &tradingv1.WatchHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	req := paperReq(10 * time.Millisecond)
	req.Settings.HealthInterval = durationpb.New(100 * time.Millisecond)
	if _, err := c.StartTrading(ctx, req); err != nil {
		t.Fatal(err)
	}
	var lastSeq uint64
	fresh := 0
	for fresh < 20 {
		msg, err := live.Recv()
		if err != nil {
			t.Fatal(err)
		}
		r := msg.GetReport()
		if r.GetSequence() <= lastSeq {
			t.Fatalf("sequence went from %d to %d", lastSeq, r.GetSequence())
		}
		lastSeq = r.GetSequence()
		if r.GetSessionState() == tradingv1.SessionState_SESSION_STATE_RUNNING {
			fresh++
		}
	}
}

// Shutdown with watchers attached ends their streams and returns promptly:
// open streams must never hold the daemon.
func TestShutdownEndsWatchStreams(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.StartTrading(ctx, paperReq(10*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		s, err := c.WatchHealth(ctx, &tradingv1.WatchHealthRequest{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := s.Recv(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	eventually(t, "five watchers", func() bool { return h.d.Manager.Watchers() == 5 })
	h.stop(t)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err == io.EOF || status.Code(err) == codes.Unavailable || status.Code(err) == codes.Canceled {
			continue
		}
		t.Errorf("watch ended with %v", err)
	}
	snap, _, _ := h.d.Manager.Status()
	if snap.State != session.StateStopped || snap.Reason != "daemon shutting down" {
		t.Fatalf("session after shutdown: %v %q", snap.State, snap.Reason)
	}
}

func TestReflectionListsTheServices(t *testing.T) {
	h := start(t, session.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := reflectionpb.NewServerReflectionClient(h.conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	got := strings.Join(names, ",")
	for _, want := range []string{"trading.v1.TradingService", "grpc.health.v1.Health"} {
		if !strings.Contains(got, want) {
			t.Errorf("reflection lists %s, missing %s", got, want)
		}
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
