package remote

import (
	"context"
	"math"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// loopback serves a strategy in mode over TCP on 127.0.0.1 and attaches a
// Go client that answers every event at once with no decision.
func loopback(b *testing.B, mode Mode) *Strategy {
	s, err := New(Config{Name: "bench", Mode: mode, Symbols: syms})
	if err != nil {
		b.Fatal(err)
	}
	reg := NewRegistry()
	_ = reg.Register(s)
	svc := NewService(reg)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer()
	tradingv1.RegisterStrategyServiceServer(srv, svc)
	go func() { _ = srv.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := tradingv1.NewStrategyServiceClient(conn).RunStrategy(ctx)
	if err != nil {
		b.Fatal(err)
	}
	_ = stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{
		Hello: &tradingv1.StrategyHello{Name: "bench"}}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			resp, err := stream.Recv()
			if err != nil {
				return
			}
			if ev := resp.GetEvent(); ev.NeedsAnswer {
				_ = stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Answer{
					Answer: &tradingv1.StrategyAnswer{EventSequence: ev.Sequence}}})
			}
		}
	}()
	b.Cleanup(func() {
		s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "bench over")
		<-done
		cancel()
		_ = conn.Close()
		srv.Stop()
		svc.Wait()
	})
	if !s.WaitAttached(done) {
		b.Fatal("no attach")
	}
	return s
}

// BenchmarkRoundTrip is event to decision: from OnEvent queuing a book
// event to its answer reaching the loop's inbox, over loopback TCP.
func BenchmarkRoundTrip(b *testing.B) {
	s := loopback(b, Live)
	ev := bookEv("BTC-USD", 1, "100", "101")
	var dst []strategy.Action
	dst = s.OnEvent(&ev, account{}, dst[:0]) // the snapshot
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := s.answers.Load() + 1
		start := time.Now()
		dst = s.OnEvent(&ev, account{}, dst[:0])
		for s.answers.Load() < want {
			<-s.wake // signalled by every answer delivered, as a Lockstep loop waits
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkLockstep is a backtest's pace: every event waits for its
// answer from a Go client over loopback TCP.
func BenchmarkLockstep(b *testing.B) {
	s := loopback(b, Lockstep)
	ev := bookEv("BTC-USD", 1, "100", "101")
	var dst []strategy.Action
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		dst = s.OnEvent(&ev, account{}, dst[:0])
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if !s.Stats().Attached {
		b.Fatal("detached during the run")
	}
}

// BenchmarkLoop is the trading loop's cost per book event (matching,
// portfolio, risk, strategy) with a remote strategy attached over loopback
// TCP, answering at once, against the built-in sma and hold. The events
// come in ticks of loopTick, as a live loop takes them; between ticks (off
// the clock) the remote strategy catches up, as one that keeps up with the
// market does: a loop outrunning its client for good would measure a
// detached strategy, which the benchmark refuses.
func BenchmarkLoop(b *testing.B) {
	const loopTick = 16
	run := func(b *testing.B, strat strategy.Strategy, caughtUp func() bool) {
		venue, _ := matching.New(matching.DefaultConfig())
		cash := money.FromInt(100_000)
		c, err := coordinator.New(coordinator.Config{OrderPrefix: "b", Source: &sliceSource{}, Venue: venue,
			Strategy: strat, Portfolio: portfolio.New("USD", cash), Risk: risk.New(risk.DefaultLimits(), cash),
			Orders: orders.NewBook("b", math.MaxInt)})
		if err != nil {
			b.Fatal(err)
		}
		evs := walk(1024)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ev := evs[i%len(evs)]
			ev.Time = t0.Add(time.Duration(i) * time.Millisecond)
			c.OnEvent(&ev)
			if caughtUp != nil && i%loopTick == loopTick-1 {
				b.StopTimer()
				for n := 0; !caughtUp(); n++ {
					if n > 50000 {
						b.Fatal("the strategy never caught up")
					}
					time.Sleep(20 * time.Microsecond)
				}
				b.StartTimer()
			}
		}
	}
	b.Run("remote", func(b *testing.B) {
		s := loopback(b, Live)
		run(b, s, func() bool {
			st := s.Stats()
			if !st.Attached {
				b.Fatalf("detached after %d events sent, %d answers: %s", st.Events, st.Answers, st.Detach)
			}
			return st.InWindow == 0
		})
		st := s.Stats()
		if !st.Attached {
			b.Fatal("the strategy was detached, so this measured a loop without it: ", st.Detach)
		}
		b.ReportMetric(float64(st.Coalesced)/float64(b.N), "coalesced/op")
	})
	for _, name := range []string{"sma", "hold"} {
		b.Run(name, func(b *testing.B) {
			strat, err := strategy.New(name, nil)
			if err != nil {
				b.Fatal(err)
			}
			run(b, strat, nil)
		})
	}
}

var _ market.Event
