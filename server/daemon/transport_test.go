package daemon

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// check is a health Check on conn, failing fast rather than waiting for
// a connection the daemon refused.
func check(conn *grpc.ClientConn) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func TestConnectionsAreCappedPerPeerAndInTotal(t *testing.T) {
	_, addr := startTCP(t, Limits{MaxConns: 3, MaxConnsPerPeer: 2})
	for _, from := range []string{"127.0.0.2", "127.0.0.2"} {
		if err := check(dialFrom(t, addr, from)); err != nil {
			t.Fatalf("connection within the caps from %s: %v", from, err)
		}
	}
	if err := check(dialFrom(t, addr, "127.0.0.2")); status.Code(err) != codes.Unavailable {
		t.Fatalf("third connection from one peer: %v, want UNAVAILABLE (closed on accept)", err)
	}
	other := dialFrom(t, addr, "127.0.0.3")
	if err := check(other); err != nil {
		t.Fatalf("another peer within the total: %v", err)
	}
	if err := check(dialFrom(t, addr, "127.0.0.4")); status.Code(err) != codes.Unavailable {
		t.Fatalf("a connection past the total: %v, want UNAVAILABLE", err)
	}
	// A connection that goes gives its slot back.
	other.Close()
	eventually(t, "a freed slot", func() bool { return check(dialFrom(t, addr, "127.0.0.4")) == nil })
}

// held opens a StartTrading call on conn that sends its headers and never
// its request, as an attacker holding streams does, and returns how it
// ended.
func held(ctx context.Context, conn *grpc.ClientConn) <-chan error {
	out := make(chan error, 1)
	go func() {
		s, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true},
			tradingv1.TradingService_StartTrading_FullMethodName)
		if err == nil {
			err = s.RecvMsg(new(tradingv1.StartTradingResponse))
		}
		out <- err
	}()
	return out
}

func TestRequestThatNeverArrivesIsCut(t *testing.T) {
	_, addr := startTCP(t, Limits{RequestWait: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := <-held(ctx, dialFrom(t, addr, "127.0.0.1"))
	if err == nil || ctx.Err() != nil {
		t.Fatalf("a call whose request never came: %v (client context: %v), want the daemon to end it", err, ctx.Err())
	}
	// With the token too: the token spares a call the count, not the wait.
	err = <-held(authed(ctx), dialFrom(t, addr, "127.0.0.1"))
	if err == nil || ctx.Err() != nil {
		t.Fatalf("with the token: %v (client context: %v), want the daemon to end it", err, ctx.Err())
	}
	// A call whose request came lives on past the wait: a watch outlives it
	// five times over and ends only when its client gives up.
	wctx, wcancel := context.WithTimeout(authed(ctx), time.Second)
	defer wcancel()
	w, err := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1")).WatchHealth(wctx, &tradingv1.WatchHealthRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if err != nil {
		t.Fatalf("WatchHealth: %v", err)
	}
	// Its deadline ends it (DEADLINE_EXCEEDED, from either side: the
	// daemon keeps the client's grpc-timeout too), not the wait (CANCELLED).
	if _, err = w.Recv(); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("a watch past the request wait: %v, want it to last until its deadline", err)
	}
}

func TestWaitingCallsAreCappedPerPeer(t *testing.T) {
	_, addr := startTCP(t, Limits{MaxAwaiting: 3, MaxAwaitingPerPeer: 2, RequestWait: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attacker := dialFrom(t, addr, "127.0.0.2")
	if err := check(attacker); err != nil { // connected before the race below
		t.Fatal(err)
	}
	for range 2 {
		held(ctx, attacker)
	}
	// The first two may still be on their way, and then a third is let
	// in: each try gives up after a while (its client hangs up, which frees
	// its slot) and the next is made, ten at most.
	var err error
	for range 10 {
		try, cancelTry := context.WithTimeout(ctx, 5*time.Second)
		err = <-held(try, attacker)
		cancelTry()
		if status.Code(err) == codes.ResourceExhausted {
			break
		}
	}
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "waiting for their request") {
		t.Fatalf("a third waiting call from one peer: %v, want RESOURCE_EXHAUSTED saying why", err)
	}
	// Another peer still gets in, and the operator always.
	if err := check(dialFrom(t, addr, "127.0.0.3")); err != nil {
		t.Fatalf("another peer: %v", err)
	}
	for range 3 {
		held(ctx, dialFrom(t, addr, "127.0.0.4"))
	}
	c := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.4"))
	cctx, ccancel := context.WithTimeout(authed(context.Background()), 5*time.Second)
	defer ccancel()
	if _, err := c.GetStatus(cctx, &tradingv1.GetStatusRequest{}); err != nil {
		t.Fatalf("the operator with every slot taken: %v", err)
	}
}

func TestPublicStreamsAreCapped(t *testing.T) {
	_, addr := startTCP(t, Limits{MaxPublicStreams: 2})
	conn := dialFrom(t, addr, "127.0.0.1")
	h := healthpb.NewHealthClient(conn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		w, err := h.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		if err != nil {
			t.Fatalf("a health watcher within the cap: %v", err)
		}
	}
	w, err := h.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "at most 2 ") {
		t.Fatalf("third health watcher: %v, want RESOURCE_EXHAUSTED naming the cap", err)
	}
	// The operator's watchers are counted apart.
	ws, err := tradingv1.NewTradingServiceClient(conn).WatchHealth(authed(ctx), &tradingv1.WatchHealthRequest{})
	if err == nil {
		_, err = ws.Recv()
	}
	if err != nil {
		t.Fatalf("WatchHealth with the token: %v", err)
	}
}

func TestHeaderListSize(t *testing.T) {
	_, addr := startTCP(t, Limits{})
	c := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	call := func(pad int) error {
		ctx, cancel := context.WithTimeout(authed(context.Background()), 5*time.Second)
		defer cancel()
		ctx = metadata.AppendToOutgoingContext(ctx, "x-pad", strings.Repeat("a", pad))
		_, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
		return err
	}
	// Room for a proxy's headers on top of ours.
	if err := call(4 << 10); err != nil {
		t.Fatalf("4 KiB of extra headers: %v", err)
	}
	if err := call(64 << 10); err == nil {
		t.Fatal("64 KiB of headers accepted")
	}
}

// A remote strategy carries the token: anonymous health watchers holding
// every public slot must not keep it from attaching (it was counted as a
// public stream and refused with "too many watchers").
func TestPublicStreamsAtTheirCapDoNotKeepAStrategyOut(t *testing.T) {
	_, addr := startTCP(t, Limits{MaxPublicStreams: 1})
	conn := dialFrom(t, addr, "127.0.0.1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if err != nil {
		t.Fatalf("a health watcher within the cap: %v", err)
	}
	rs, err := tradingv1.NewStrategyServiceClient(conn).RunStrategy(authed(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{
		Hello: &tradingv1.StrategyHello{Name: "nobody"}}}); err != nil {
		t.Fatal(err)
	}
	_, err = rs.Recv()
	if r := reasonOf(err); r != "STRATEGY_NOT_EXPECTED" {
		t.Fatalf("RunStrategy with the public slots taken: %v (reason %v), want STRATEGY_NOT_EXPECTED", err, r)
	}
}
