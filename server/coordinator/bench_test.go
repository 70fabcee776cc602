package coordinator

import (
	"testing"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/risk"
	"github.com/tradectl/tradectl/server/strategy"
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
	side := broker.Buy
	if e.n%2 == 0 {
		side = broker.Sell
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
		i++
		r.c.OnEvent(&r.c.ev)
	}
	if st := r.c.Stats(); st.Fills < st.Orders/2 {
		b.Fatalf("only %d of %d orders filled", st.Fills, st.Orders)
	}
}
