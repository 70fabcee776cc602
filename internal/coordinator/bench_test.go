package coordinator

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

// The hot path allocates nothing per market event when no order is placed.
func TestOnEventAllocatesNothing(t *testing.T) {
	r := newRig(t, nil, nil, risk.DefaultLimits())
	r.c.cfg.Strategy = strategy.Hold{}
	r.c.reporter = nil
	evs := []market.Event{book(0, 100), book(1, 101), book(2, 99)}
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		r.c.ev = evs[i%3]
		i++
		r.c.OnEvent(&r.c.ev)
	}); n != 0 {
		t.Fatalf("OnEvent allocates %v times per event", n)
	}
}

// everyEvent places one market order per event, alternating sides so the
// position stays flat.
type everyEvent struct{ n int }

func (e *everyEvent) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	e.n++
	side := venue.Buy
	if e.n%2 == 0 {
		side = venue.Sell
	}
	spec := buy("0.01")
	spec.Side = side
	return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: spec})
}

// BenchmarkOrderRoundTrip is one market event carrying one market order
// through the whole loop: matching of the event, mark, kill-switch check,
// strategy, risk check, order book, venue (walk and fill), portfolio,
// order events.
func BenchmarkOrderRoundTrip(b *testing.B) {
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 0
	r := newRig(b, nil, nil, limits)
	r.c.cfg.Strategy = &everyEvent{}
	r.c.reporter = nil
	r.c.cfg.Publish = nil
	evs := []market.Event{book(0, 100), book(0, 101)}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		r.c.ev = evs[i&1]
		// A millisecond of market time per event: the intent budget
		// (1,000 a second with no orders-a-second limit) refills one
		// intent per event, so every event's order is sent, not dropped.
		r.c.ev.Time = t0.Add(time.Duration(i) * time.Millisecond)
		i++
		r.c.OnEvent(&r.c.ev)
	}
	st := r.c.Stats()
	if st.Dropped != 0 || st.Orders < uint64(i) {
		b.Fatalf("%d events sent %d orders and dropped %d intents: the benchmark no longer measures orders", i, st.Orders, st.Dropped)
	}
	if st.Fills < st.Orders/2 {
		b.Fatalf("only %d of %d orders filled", st.Fills, st.Orders)
	}
}

// BenchmarkDroppedIntent is what a strategy that hammers the intent budget
// costs the loop per intent beyond it: counted and summarized, not sent.
func BenchmarkDroppedIntent(b *testing.B) {
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 0
	r := newRig(b, nil, nil, limits)
	r.c.cfg.Strategy = &everyEvent{}
	r.c.reporter = nil
	r.c.cfg.Publish = nil
	evs := []market.Event{book(0, 100), book(0, 101)}
	for i := 0; i < 1000; i++ { // spend the budget: one market second
		r.c.ev = evs[i&1]
		r.c.OnEvent(&r.c.ev)
	}
	before := r.c.Stats().Dropped
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		r.c.ev = evs[i&1]
		i++
		r.c.OnEvent(&r.c.ev)
	}
	if d := r.c.Stats().Dropped - before; d < uint64(i) {
		b.Fatalf("%d events dropped %d intents", i, d)
	}
}
