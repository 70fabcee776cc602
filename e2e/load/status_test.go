package load

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/daemon"
)

const (
	statusConns   = 4
	statusWorkers = 64
	statusPhase   = 3 * time.Second
)

// BenchmarkGetStatusVsFloor drives GetStatus on tradingd (every
// interceptor, auth, a session running) and grpc.health.v1 Check on a bare
// grpc-go server with no interceptors (the floor) with the same load over
// loopback TCP, alternating floor and daemon twice, and reports both
// throughputs, their ratio and p99 latencies.
func BenchmarkGetStatusVsFloor(b *testing.B) {
	floorAddr, stopFloor := bareHealthServer(b)
	defer stopFloor()
	tok := "load-benchmark-token-0123456789"
	tokFile := b.TempDir() + "/token"
	if err := writeToken(tokFile, tok); err != nil {
		b.Fatal(err)
	}
	token, err := daemon.LoadOrCreateToken(tokFile)
	if err != nil {
		b.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	// Unlimited: the benchmark measures the daemon, not its rate limit.
	d := daemon.New(daemon.Config{Listener: lis, Token: token, HealthInterval: time.Second,
		Limits: daemon.Limits{ControlRate: daemon.Rate{Off: true}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	authed := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
	conns := dialN(b, lis.Addr().String(), statusConns)
	if _, err := tradingv1.NewTradingServiceClient(conns[0]).StartTrading(authed, &tradingv1.StartTradingRequest{
		Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD"},
			TickInterval: durationpb.New(100 * time.Millisecond)}}); err != nil {
		b.Fatal(err)
	}
	floorConns := dialN(b, floorAddr, statusConns)

	floorCall := func(c *grpc.ClientConn) error {
		_, err := healthpb.NewHealthClient(c).Check(context.Background(), &healthpb.HealthCheckRequest{})
		return err
	}
	statusCall := func(c *grpc.ClientConn) error {
		_, err := tradingv1.NewTradingServiceClient(c).GetStatus(authed, &tradingv1.GetStatusRequest{})
		return err
	}
	var floor, status harness.Phase
	for b.Loop() {
		for range 2 {
			floor.Add(drive(b, floorConns, floorCall))
			status.Add(drive(b, conns, statusCall))
		}
	}
	b.ReportMetric(floor.RPS(), "floor-calls/s")
	b.ReportMetric(status.RPS(), "status-calls/s")
	b.ReportMetric(status.RPS()/floor.RPS(), "ratio")
	b.ReportMetric(harness.Ms(harness.Pct(floor.Lat, 0.99)), "floor-p99-ms")
	b.ReportMetric(harness.Ms(harness.Pct(status.Lat, 0.99)), "status-p99-ms")
}

// drive runs statusWorkers goroutines, spread over conns, calling call for
// statusPhase.
func drive(b *testing.B, conns []*grpc.ClientConn, call func(*grpc.ClientConn) error) harness.Phase {
	return harness.Drive(b, statusWorkers, statusPhase, func(w int) error { return call(conns[w%len(conns)]) })
}

func dialN(b testing.TB, addr string, n int) []*grpc.ClientConn {
	conns := make([]*grpc.ClientConn, n)
	for i := range conns {
		c, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	return conns
}

// bareHealthServer is the floor: grpc-go serving only grpc.health.v1, no
// interceptors, no options.
func bareHealthServer(b *testing.B) (string, func()) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := grpc.NewServer()
	healthpb.RegisterHealthServer(s, health.NewServer())
	go func() { _ = s.Serve(lis) }()
	return lis.Addr().String(), s.Stop
}
