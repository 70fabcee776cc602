package load

import (
	"context"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// BenchmarkOrderWatchFanout measures WatchOrders watchers of a real
// tradingd while a grid trades at a 100 ms tick: the daemon's memory per
// watcher (RSS and Go heap deltas) with the watchers connected and
// waiting, and while trading, with the start's burst of events in flight
// (queued in gRPC's per-stream buffers, bounded by flow control); and
// whether every watcher got every event (events/watcher equals the events
// the daemon published, gaps counts any watcher's missing sequence
// numbers: 0).
func BenchmarkOrderWatchFanout(b *testing.B) {
	for _, sc := range []struct {
		name            string
		watchers, conns int
	}{
		{"mux-1k", 1000, 4},
		{"mux-10k", 10000, 10},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				orderFanout(b, sc.watchers, sc.conns)
			}
		})
	}
}

func orderFanout(b *testing.B, watchers, nconns int) {
	d := harness.StartDaemon(b, built.Get(b), harness.Options{Metrics: true})
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
		c, err := grpc.NewClient(d.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		c.Connect()
		conns[i] = c
	}
	ctl := tradingv1.NewTradingServiceClient(conns[0])
	time.Sleep(500 * time.Millisecond)
	rss0, heap0 := memory(b, d)

	var events, gaps atomic.Int64
	var last sync.Map // watcher -> last sequence, read at the end
	var reading sync.WaitGroup
	for i := range watchers {
		c := tradingv1.NewTradingServiceClient(conns[i%nconns])
		stream, err := c.WatchOrders(ctx, &tradingv1.WatchOrdersRequest{})
		if err != nil {
			b.Fatal(err)
		}
		// The header comes once the daemon subscribed the watcher.
		if _, err := stream.Header(); err != nil {
			b.Fatal(err)
		}
		reading.Add(1)
		go func() {
			defer reading.Done()
			var prev uint64
			for {
				msg, err := stream.Recv()
				if err != nil {
					last.Store(i, prev)
					return
				}
				seq := msg.GetEvent().GetSequence()
				if prev != 0 && seq != prev+1 {
					gaps.Add(1)
				}
				prev = seq
				events.Add(1)
			}
		}()
	}
	// Watchers connected and waiting: what each one costs to keep.
	time.Sleep(time.Second)
	rssIdle, heapIdle := memory(b, d)
	if _, err := ctl.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Symbols: []string{"BTC-USD", "ETH-USD"},
		TickInterval: durationpb.New(100 * time.Millisecond)}}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	rss1, heap1 := memory(b, d)
	if _, err := ctl.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		b.Fatal(err)
	}
	// Until every event reached every watcher (the benchmark's own
	// decoding of a million messages on a small machine lags the daemon).
	for n, still := events.Load(), 0; still < 6; {
		time.Sleep(500 * time.Millisecond)
		if m := events.Load(); m == n {
			still++
		} else {
			n, still = m, 0
		}
	}
	cancel()
	reading.Wait()

	var newest uint64
	last.Range(func(_, v any) bool { newest = max(newest, v.(uint64)); return true })
	b.ReportMetric(float64(rss1-rss0)/float64(watchers)/1024, "trading-rss-KiB/watcher")
	b.ReportMetric(float64(heap1-heap0)/float64(watchers)/1024, "trading-heap-KiB/watcher")
	b.ReportMetric(float64(rssIdle-rss0)/float64(watchers)/1024, "rss-KiB/watcher")
	b.ReportMetric(float64(heapIdle-heap0)/float64(watchers)/1024, "heap-KiB/watcher")
	b.ReportMetric(float64(events.Load())/float64(watchers), "events/watcher")
	b.ReportMetric(float64(newest), "events-published")
	b.ReportMetric(float64(gaps.Load()), "gaps")
	if events.Load() == 0 || gaps.Load() != 0 {
		b.Fatalf("%d events received, %d gaps", events.Load(), gaps.Load())
	}
}
