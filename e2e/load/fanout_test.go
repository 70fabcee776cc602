package load

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// BenchmarkWatchFanout measures WatchHealth delivery to many watchers of a
// real tradingd (a separate process, so its memory is its own) with a 1 s
// health interval: lag from a report's creation in the daemon to its
// receipt (p50, p99), and the daemon's memory per watcher (RSS and Go heap
// deltas). The stuck variants add watchers that never read, whose
// flow-control windows are filled before measuring, so the daemon's sends
// to them are truly blocked.
func BenchmarkWatchFanout(b *testing.B) {
	for _, sc := range []struct {
		name            string
		watchers, conns int
		stuckPct        int
	}{
		{"mux-1k", 1000, 4, 0},
		{"mux-10k", 10000, 10, 0},
		{"conn-each-1k", 1000, 1000, 0},
		{"mux-10k-stuck-10pct", 10000, 10, 10},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				fanout(b, sc.watchers, sc.conns, sc.stuckPct)
			}
		})
	}
}

func fanout(b *testing.B, watchers, nconns, stuckPct int) {
	// One client process stands for many: its connections all come from
	// 127.0.0.1, one peer to the daemon's per-peer cap.
	d := harness.StartDaemon(b, built.Get(b), harness.Options{Metrics: true,
		Args: []string{"--max-conns-per-peer", fmt.Sprint(nconns + 16)}})
	defer d.Terminate(b)
	tok, err := os.ReadFile(d.TokenFile())
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(context.Background(),
		"authorization", "Bearer "+strings.TrimSpace(string(tok))))
	defer cancel()
	conns := make([]*grpc.ClientConn, nconns)
	for i := range conns {
		// Fixed 64 KiB windows (no BDP growth), so that watchers that
		// never read really fill theirs.
		c, err := grpc.NewClient(d.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(1<<20))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	ctl := tradingv1.NewTradingServiceClient(conns[0])
	// Baseline: connections up, no watchers.
	for _, c := range conns {
		c.Connect()
	}
	time.Sleep(500 * time.Millisecond)
	rss0, heap0 := memory(b, d)

	stuck := watchers * stuckPct / 100
	var lag latencies
	var measuring sync.WaitGroup
	var stuckStream tradingv1.TradingService_WatchHealthClient
	var since time.Time
	var sinceMu sync.RWMutex
	for i := range watchers {
		c := tradingv1.NewTradingServiceClient(conns[i%nconns])
		stream, err := c.WatchHealth(ctx, &tradingv1.WatchHealthRequest{})
		if err != nil {
			b.Fatal(err)
		}
		if i < stuck {
			stuckStream = stream // never reads, until the end
			continue
		}
		measuring.Add(1)
		go func() {
			defer measuring.Done()
			var ds []time.Duration
			defer func() { lag.add(ds) }()
			for {
				msg, err := stream.Recv()
				now := time.Now()
				if err != nil {
					return
				}
				sinceMu.RLock()
				s := since
				sinceMu.RUnlock()
				if t := msg.GetReport().GetTime().AsTime(); !s.IsZero() && t.After(s) {
					ds = append(ds, now.Sub(t))
				}
			}
		}()
	}
	harness.Eventually(b, 120*time.Second, "every watcher subscribed", func() bool {
		n, err := d.Metric("tradectl_session_health_watchers")
		return err == nil && int(n) == watchers
	})
	if stuck > 0 {
		// Fill the stuck watchers' windows: each start/stop publishes
		// several reports of a few hundred bytes, so 64 KiB fills in
		// about 40 cycles. The skipped-report count below proves it.
		for range 60 {
			if _, err := ctl.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER}}); err != nil {
				b.Fatal(err)
			}
			if _, err := ctl.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := ctl.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Symbols: []string{"BTC-USD", "ETH-USD"},
		HealthInterval: durationpb.New(time.Second), TickInterval: durationpb.New(100 * time.Millisecond)}}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // let the start's burst pass
	sinceMu.Lock()
	since = time.Now()
	sinceMu.Unlock()
	time.Sleep(6 * time.Second) // six heartbeats
	rss1, heap1 := memory(b, d)
	if stuckStream != nil {
		b.ReportMetric(float64(skipped(b, stuckStream)), "stuck-skipped-reports")
	}
	cancel()
	measuring.Wait()

	got := len(lag.ds)
	b.ReportMetric(harness.Ms(harness.Pct(lag.ds, 0.50)), "lag-p50-ms")
	b.ReportMetric(harness.Ms(harness.Pct(lag.ds, 0.99)), "lag-p99-ms")
	b.ReportMetric(float64(got)/float64(watchers-stuck), "reports/watcher")
	b.ReportMetric(float64(rss1-rss0)/float64(watchers)/1024, "rss-KiB/watcher")
	b.ReportMetric(float64(heap1-heap0)/float64(watchers)/1024, "heap-KiB/watcher")
	if got == 0 {
		b.Fatal("no report was received while measuring")
	}
}

func memory(b *testing.B, d *harness.Daemon) (rss, heap int64) {
	r, err := d.RSS()
	if err != nil {
		b.Fatal(err)
	}
	h, err := d.Metric("go_memstats_heap_inuse_bytes")
	if err != nil {
		b.Fatal(fmt.Errorf("heap: %w", err))
	}
	return r, int64(h)
}

// skipped drains what a stuck watcher's window holds and counts the
// reports it never got: a gap in the sequence numbers is the daemon
// dropping stale reports for it (latest wins) instead of queueing them.
func skipped(b *testing.B, s tradingv1.TradingService_WatchHealthClient) uint64 {
	var last, gaps uint64
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		msg, err := s.Recv()
		if err != nil {
			b.Fatal(err)
		}
		seq := msg.GetReport().GetSequence()
		if last != 0 && seq > last+1 {
			gaps += seq - last - 1
			return gaps // past the window: the first gap says it all
		}
		last = seq
	}
	return gaps
}
