package daemon

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
)

// startTCP runs a daemon with lim on loopback TCP, so that peers have IP
// addresses.
func startTCP(t *testing.T, lim Limits) (*Daemon, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := New(Config{Listener: lis, Token: security.NewToken(testToken), ShutdownTimeout: 2 * time.Second,
		HealthInterval: 300 * time.Second, Limits: lim})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon run: %v", err)
		}
	})
	return d, lis.Addr().String()
}

// dialFrom connects to addr from the local IP address from.
func dialFrom(t *testing.T, addr, from string) *grpc.ClientConn {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) { return dialer.DialContext(ctx, "tcp", a) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestOversizedRequestIsRefused(t *testing.T) {
	_, addr := startTCP(t, Limits{})
	c := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	req := paperReq(time.Second)
	for range 2048 {
		req.Settings.Symbols = append(req.Settings.Symbols, strings.Repeat("X", 1024))
	}
	_, err := c.StartTrading(authed(context.Background()), req)
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("2 MiB request: %v, want RESOURCE_EXHAUSTED", err)
	}
}

// WatchHealth and WatchOrders have a cap each: health watchers at their cap
// do not keep an order watcher out, and the reverse.
func TestWatcherCapsAreSeparate(t *testing.T) {
	d, addr := startTCP(t, Limits{MaxWatchers: 2, MaxOrderWatchers: 1})
	c := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	ctx := authed(context.Background())

	cancels := make([]context.CancelFunc, 2)
	for i := range cancels {
		wctx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		defer cancel()
		if _, err := c.WatchHealth(wctx, &tradingv1.WatchHealthRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "two watchers", func() bool { return d.Manager.Watchers() == 2 })
	health, cancelHealth := context.WithTimeout(ctx, 5*time.Second)
	defer cancelHealth()
	hs, err := c.WatchHealth(health, &tradingv1.WatchHealthRequest{})
	if err == nil {
		_, err = hs.Recv()
	}
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "at most 2 WatchHealth streams") {
		t.Fatalf("third health watcher: %v, want RESOURCE_EXHAUSTED naming the cap", err)
	}

	// The order watcher's slot is its own: taken while health is full.
	held, cancelHeld := context.WithCancel(ctx)
	defer cancelHeld()
	first, err := c.WatchOrders(held, &tradingv1.WatchOrdersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Header(); err != nil {
		t.Fatalf("first order watcher refused while only health was full: %v", err)
	}

	// watchOrders reports how a WatchOrders stream fares for a moment: an
	// admitted one outlives its short deadline.
	watchOrders := func() error {
		wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		s, err := c.WatchOrders(wctx, &tradingv1.WatchOrdersRequest{})
		if err == nil {
			_, err = s.Recv()
		}
		return err
	}
	err = watchOrders()
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "at most 1 WatchOrders streams") ||
		!strings.Contains(err.Error(), "--max-order-watchers") {
		t.Fatalf("second order watcher: %v, want RESOURCE_EXHAUSTED naming the cap", err)
	}

	cancelHeld()
	eventually(t, "a freed slot", func() bool { return status.Code(watchOrders()) == codes.DeadlineExceeded })
}

func TestControlRateIsPerPeer(t *testing.T) {
	_, addr := startTCP(t, Limits{ControlRate: Rate{N: 2, Per: time.Second, Burst: 5}})
	connA := dialFrom(t, addr, "127.0.0.1")
	a := tradingv1.NewTradingServiceClient(connA)
	ctx := authed(context.Background())
	getStatus := func(c tradingv1.TradingServiceClient, ctx context.Context) error {
		_, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
		return err
	}

	var err error
	for calls := 0; err == nil; calls++ {
		if calls > 20 {
			t.Fatal("20 calls past a burst of 5 were all let through")
		}
		err = getStatus(a, ctx)
	}
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "rate limit: 2 calls/s per peer; retry in ") {
		t.Fatalf("flood: %v, want RESOURCE_EXHAUSTED naming the rate", err)
	}
	// Refused before auth: a flood of bad tokens is limited too.
	if err := getStatus(a, context.Background()); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("flood without a token: %v, want RESOURCE_EXHAUSTED", err)
	}
	// Health checks are never limited.
	hc := healthpb.NewHealthClient(connA)
	for range 20 {
		if _, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatalf("health check during the flood: %v", err)
		}
	}
	// Another loopback address is the same peer: this machine.
	if ln, lerr := net.Listen("tcp", "127.0.0.2:0"); lerr != nil {
		t.Logf("no 127.0.0.2 here (%v); skipping the second address", lerr)
	} else {
		ln.Close()
		b := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.2"))
		if err := getStatus(b, ctx); status.Code(err) != codes.ResourceExhausted {
			t.Fatalf("127.0.0.2 after 127.0.0.1's flood: %v, want RESOURCE_EXHAUSTED (one peer)", err)
		}
	}

	// The bucket refills by the time RetryInfo says.
	err = getStatus(a, ctx)
	var delay time.Duration
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if delay <= 0 || delay > 501*time.Millisecond {
		t.Fatalf("retry delay %v from %v, want (0, 501ms]", delay, err)
	}
	time.Sleep(delay)
	if err := getStatus(a, ctx); err != nil {
		t.Fatalf("after the retry delay: %v", err)
	}
}

// The rate limit sits before authentication, so a flood without the token
// spends its peer's budget and everyone's: the operator's calls, which
// carry the token, have budgets of their own and still answer. Here
// another local user floods on loopback (one peer, whatever address);
// security's TestATokenOutlastsAFloodFromManyPeers has many addresses spend
// the global budget.
func TestAFloodWithoutTheTokenDoesNotLockOutTheOperator(t *testing.T) {
	_, addr := startTCP(t, Limits{ControlRate: Rate{N: 2, Per: time.Second, Burst: 5}})
	stop := func(c tradingv1.TradingServiceClient, ctx context.Context) error {
		_, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{})
		return err
	}
	attacker := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	var err error
	for calls := 0; status.Code(err) != codes.ResourceExhausted; calls++ {
		if calls > 20 {
			t.Fatal("20 calls past a burst of 5 were all let through")
		}
		err = stop(attacker, context.Background())
	}
	operator := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	if err := stop(operator, authed(context.Background())); status.Code(err) == codes.ResourceExhausted {
		t.Fatalf("the operator's StopTrading after another local user's flood without the token: %v", err)
	}
	if err := stop(attacker, context.Background()); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("the flood goes on: %v, want RESOURCE_EXHAUSTED", err)
	}
}
