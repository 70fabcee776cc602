package backtest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/replay"
	"github.com/tradectl/tradectl/internal/settings"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const sample = "../../testdata/sample.csv"

func replaySource(t testing.TB) market.Source {
	t.Helper()
	f, err := os.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	src, err := replay.Open(f, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func simSource(t testing.TB, seed uint64, d time.Duration) market.Source {
	t.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	src, err := paper.NewSim(paper.SimConfig{Seed: seed, Symbols: []string{"BTC-USD", "ETH-USD"}, Start: start, End: start.Add(d)})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func render(t *testing.T, r *Result) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The same data and settings give byte-identical results.
func TestSameDataSameBytes(t *testing.T) {
	for _, strat := range []string{"sma", "grid"} {
		cfg := func() Config {
			return Config{Source: replaySource(t), Settings: settings.Settings{Strategy: strat, Params: map[string]string{}}}
		}
		a, err := Run(context.Background(), cfg())
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(context.Background(), cfg())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(render(t, a), render(t, b)) {
			t.Fatalf("%s: two runs over the same data differ", strat)
		}
		if a.Fills == 0 {
			t.Errorf("%s traded nothing over the sample", strat)
		}
		t.Logf("%s: %d events, %d orders, %d fills, net %s, fees %s, max drawdown %s, sharpe %s%s, %.0f events/s",
			strat, a.Events, a.Orders, a.Fills, a.NetPnL, a.Fees, a.MaxDrawdown, deref(a.Sharpe), a.SharpeNote,
			a.Performance.EventsPerSecond)
	}
	// And the simulator with the same seed.
	a, _ := Run(context.Background(), Config{Source: simSource(t, 7, 10*time.Minute), Settings: settings.Settings{Strategy: "sma"}})
	b, _ := Run(context.Background(), Config{Source: simSource(t, 7, 10*time.Minute), Settings: settings.Settings{Strategy: "sma"}})
	if !bytes.Equal(render(t, a), render(t, b)) {
		t.Fatal("two runs over the same seed differ")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The result's numbers reconcile exactly.
func TestResultReconciles(t *testing.T) {
	r, err := Run(context.Background(), Config{Source: replaySource(t), Settings: settings.Settings{Strategy: "sma"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.StartingEquity.Add(r.RealizedPnL).Add(r.UnrealizedPnL).Sub(r.Fees); got != r.FinalEquity {
		t.Fatalf("starting + realized + unrealized - fees = %s, final equity %s", got, r.FinalEquity)
	}
	var fees money.Decimal
	for _, tr := range r.Trades {
		fees = fees.Add(tr.Fee)
	}
	if fees != r.Fees || r.NetPnL != r.FinalEquity.Sub(r.StartingEquity) {
		t.Fatalf("fees %s vs trades' %s; net %s", r.Fees, fees, r.NetPnL)
	}
	if r.MaxDrawdown.IsNegative() || r.Events == 0 || r.FirstEvent.IsZero() || !r.LastEvent.After(r.FirstEvent) {
		t.Fatalf("result = %+v", r)
	}
}

func TestUnknownStrategyIsRefused(t *testing.T) {
	if _, err := Run(context.Background(), Config{Source: replaySource(t), Settings: settings.Settings{Strategy: "nope"}}); err == nil {
		t.Fatal("unknown strategy accepted")
	}
}

// Backtest throughput: events/s over the simulator (no parsing) and over
// the CSV replay, with the strategy that never trades (the loop's own cost)
// and with sma; and with the chart a report draws.
func BenchmarkBacktest(b *testing.B) {
	for _, bc := range []struct {
		name, strategy string
		replay, chart  bool
	}{
		{"sim/hold", "hold", false, false},
		{"sim/sma", "sma", false, false},
		{"replay/hold", "hold", true, false},
		{"replay/sma", "sma", true, false},
		// What a report's chart costs (tradectl backtest --report).
		{"sim/hold+chart", "hold", false, true},
		{"sim/sma+chart", "sma", false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var events uint64
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				src := simSource(b, 1, 2*time.Hour)
				if bc.replay {
					src = replaySource(b)
				}
				b.StartTimer()
				r, err := Run(context.Background(), Config{Source: src, Settings: settings.Settings{Strategy: bc.strategy}, Chart: bc.chart})
				if err != nil {
					b.Fatal(err)
				}
				events += r.Events
				elapsed += r.Performance.Elapsed
			}
			b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(events), "ns/event")
		})
	}
}

// Bounding the trades kept and the finished orders remembered changes no
// figure: the result counts every fill, keeps the first trades, and the
// book forgets only orders nothing reads again.
func TestBoundsChangeNoFigure(t *testing.T) {
	run := func(maxTrades, maxFinished int) *Result {
		src, err := NewSim(7, []string{"BTC-USD", "ETH-USD"}, 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Config{Source: src, Settings: settings.Settings{Strategy: "grid"},
			MaxTrades: maxTrades, MaxFinishedOrders: maxFinished})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	all, bounded := run(0, 0), run(10, 5)
	if all.Orders < 100 || all.Fills < 100 || len(all.Trades) != all.Fills {
		t.Fatalf("unbounded: %d orders, %d fills, %d trades kept; want enough to engage the bounds, every trade kept",
			all.Orders, all.Fills, len(all.Trades))
	}
	if len(bounded.Trades) != 10 || bounded.Trades[9] != all.Trades[9] {
		t.Fatalf("bounded: %d trades kept; want the first 10", len(bounded.Trades))
	}
	bounded.Trades, all.Trades = nil, nil
	a, _ := json.Marshal(all)
	b, _ := json.Marshal(bounded)
	if !bytes.Equal(a, b) {
		t.Fatalf("bounds changed the result:\n%s\n%s", a, b)
	}
}
