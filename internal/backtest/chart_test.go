package backtest

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/settings"
)

// A long run keeps at most MaxChartPoints per series (plus its last
// event), in time order, and ends on the last event.
func TestChartBounded(t *testing.T) {
	rec := newChartRecorder(chartStart)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	peak := money.FromInt(100)
	const n = 200_000
	var last time.Time
	for i := range n {
		last = start.Add(time.Duration(i) * 1500 * time.Millisecond)
		for _, sym := range []string{"A-USD", "B-USD"} {
			rec.onMarket(&market.Event{Kind: market.EventBook, Symbol: sym, Time: last,
				Bid: money.FromInt(int64(10 + i%7)), Ask: money.FromInt(int64(12 + i%7))})
		}
		rec.onEquity(last, money.FromInt(int64(90+i%11)), peak)
	}
	ch := rec.chart()
	if len(ch.Equity) > MaxChartPoints+1 || len(ch.Equity) < MaxChartPoints/2 {
		t.Errorf("%d equity points, want at most %d and not far fewer", len(ch.Equity), MaxChartPoints+1)
	}
	if len(ch.Prices) != 2 || ch.Prices[0].Symbol != "A-USD" {
		t.Fatalf("prices %v", ch.Prices)
	}
	for _, s := range ch.Prices {
		if len(s.Points) > MaxChartPoints+1 {
			t.Errorf("%s: %d points", s.Symbol, len(s.Points))
		}
		for i := 1; i < len(s.Points); i++ {
			if !s.Points[i].Time.After(s.Points[i-1].Time) {
				t.Fatalf("%s: point %d not after the one before", s.Symbol, i)
			}
		}
		if !s.Points[len(s.Points)-1].Time.Equal(last) {
			t.Errorf("%s ends at %s, want the last event %s", s.Symbol, s.Points[len(s.Points)-1].Time, last)
		}
	}
	if e := ch.Equity[len(ch.Equity)-1]; !e.Time.Equal(last) || e.Drawdown != peak.Sub(e.Equity) {
		t.Errorf("last equity point %+v", e)
	}
	if ch.Every*MaxChartPoints < last.Sub(start) {
		t.Errorf("period %s cannot cover %s in %d points", ch.Every, last.Sub(start), MaxChartPoints)
	}
}

// The drawn curve ends on the result's final equity, and the prices cover
// every symbol traded.
func TestChartEndsOnFinalEquity(t *testing.T) {
	// The sample's last event fills an order of its own after it was
	// observed: the curve must still end on the final equity.
	r, err := Run(t.Context(), Config{Source: replaySource(t), Settings: settings.Settings{Strategy: "sma",
		Params: map[string]string{"fast": "10", "slow": "30"}}, Chart: true})
	if err != nil {
		t.Fatal(err)
	}
	eq := r.Chart.Equity
	if len(eq) < 2 || eq[len(eq)-1].Equity != r.FinalEquity || !eq[len(eq)-1].Time.Equal(r.LastEvent) {
		t.Fatalf("curve ends on %+v, the result on %s at %s", eq[len(eq)-1], r.FinalEquity, r.LastEvent)
	}
	for i := 1; i < len(eq); i++ {
		if !eq[i].Time.After(eq[i-1].Time) {
			t.Fatalf("equity point %d not after the one before", i)
		}
	}
	// The page draws these next to the summary: no drawn drawdown may pass
	// the max drawdown it reports (the final equity's included).
	for _, p := range eq {
		if p.Drawdown.Cmp(r.MaxDrawdown) > 0 {
			t.Fatalf("drawn drawdown %s at %s beyond the max drawdown %s", p.Drawdown, p.Time, r.MaxDrawdown)
		}
	}
	symbols := map[string]bool{}
	for _, s := range r.Chart.Prices {
		symbols[s.Symbol] = true
	}
	for _, tr := range r.Trades {
		if !symbols[tr.Symbol] {
			t.Fatalf("traded %s has no price series", tr.Symbol)
		}
	}
	if plain, err := Run(t.Context(), Config{Source: simSource(t, 3, time.Hour), Settings: settings.Settings{Strategy: "sma"}}); err != nil || plain.Chart.Every != 0 {
		t.Errorf("a run without Config.Chart drew one (%v)", err)
	}
}
