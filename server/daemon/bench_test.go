package daemon

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
)

// reportPercentiles adds p50 and p99 of ds to the benchmark's output.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	pct := func(p float64) float64 { return float64(ds[int(float64(len(ds)-1)*p)].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// StartTrading over gRPC with a 300 s health interval: the freeze
// condition of the original bug. Each iteration starts a session (timed)
// and stops it (not timed).
func BenchmarkStartTrading(b *testing.B) {
	h := start(b, session.Options{HealthInterval: 300 * time.Second})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	req := paperReq(time.Second, "BTC-USD", "ETH-USD", "SOL-USD")
	var ds []time.Duration
	for b.Loop() {
		began := time.Now()
		if _, err := c.StartTrading(ctx, req); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(began))
		b.StopTimer()
		if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	reportPercentiles(b, ds)
}

// StopTrading while the coordinator waits out an hour-long tick and the
// monitor a 300 s interval: what a stop costs when every goroutine is asleep.
func BenchmarkStopTrading(b *testing.B) {
	h := start(b, session.Options{HealthInterval: 300 * time.Second})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	req := paperReq(time.Hour, "BTC-USD")
	stop := &tradingv1.StopTradingRequest{Deadline: durationpb.New(10 * time.Second)}
	var ds []time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := c.StartTrading(ctx, req); err != nil {
			b.Fatal(err)
		}
		// Let the first tick pass so the loop is mid-wait.
		for {
			if snap, _, _ := h.d.Manager.Status(); snap.Summary.Ticks > 0 {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		b.StartTimer()
		began := time.Now()
		resp, err := c.StopTrading(ctx, stop)
		if err != nil || resp.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED {
			b.Fatalf("stop: %v %v", resp, err)
		}
		ds = append(ds, time.Since(began))
	}
	reportPercentiles(b, ds)
}

// GetStatus throughput from parallel clients over one connection, with a
// session running.
func BenchmarkGetStatus(b *testing.B) {
	h := start(b, session.Options{HealthInterval: time.Second})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.StartTrading(ctx, paperReq(100*time.Millisecond, "BTC-USD", "ETH-USD")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
