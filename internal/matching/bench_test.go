package matching

import (
	"strconv"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
)

// idPool hands out client ids made in advance, cycling through more ids
// than the engine remembers, so that a benchmark never formats one.
type idPool struct {
	ids []string
	i   int
}

func newIDPool(n int) *idPool {
	p := &idPool{ids: make([]string, n)}
	for i := range p.ids {
		p.ids[i] = "bench-" + strconv.Itoa(i)
	}
	return p
}

func (p *idPool) next() string {
	id := p.ids[p.i]
	p.i = (p.i + 1) % len(p.ids)
	return id
}

// benchConfig remembers few finished ids so the pool can cycle.
func benchConfig() Config {
	cfg := DefaultConfig()
	cfg.FinishedIDs = 1024
	return cfg
}

// marketOrderRound is one book update and a market buy of 5 that walks
// three of its five levels.
func marketOrderRound(e *Engine, ev *market.Event, ids *idPool, dst []venue.ExecutionReport) []venue.ExecutionReport {
	dst = e.OnEvent(ev, dst[:0])
	return e.Submit(venue.OrderSpec{Symbol: sym, Side: venue.Buy, Type: venue.Market, TIF: venue.IOC, Quantity: five},
		ids.next(), *ev, ev.Time, dst)
}

// restingFillRound rests a limit buy and fills it with a trade.
func restingFillRound(e *Engine, book, tr *market.Event, ids *idPool, dst []venue.ExecutionReport) []venue.ExecutionReport {
	dst = e.Submit(venue.OrderSpec{Symbol: sym, Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC, Quantity: five, Price: tr.Price},
		ids.next(), *book, book.Time, dst[:0])
	return e.OnEvent(tr, dst)
}

var five = d("5")

func BenchmarkMarketOrder(b *testing.B) {
	e, ids := newEngine(b, benchConfig()), newIDPool(4096)
	ev := fiveLevels(0)
	dst := make([]venue.ExecutionReport, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		if dst = marketOrderRound(e, &ev, ids, dst); dst[len(dst)-1].State != venue.StateFilled {
			b.Fatal(briefs(dst))
		}
	}
}

func BenchmarkOnEventNoOrders(b *testing.B) {
	e, ids := newEngine(b, benchConfig()), newIDPool(4096)
	ev := fiveLevels(0)
	dst := marketOrderRound(e, &ev, ids, nil) // the symbol is known, no order is live
	b.ReportAllocs()
	for b.Loop() {
		dst = e.OnEvent(&ev, dst[:0])
	}
}

// BenchmarkOnEventResting is the grid's steady state: ten resting orders
// the market does not reach.
func BenchmarkOnEventResting(b *testing.B) {
	e, ids := newEngine(b, benchConfig()), newIDPool(4096)
	ev := fiveLevels(0)
	for i := range 5 {
		e.Submit(limit(venue.Buy, "1", strconv.Itoa(90+i), venue.GTC), ids.next(), ev, ev.Time, nil)
		e.Submit(limit(venue.Sell, "1", strconv.Itoa(110-i), venue.GTC), ids.next(), ev, ev.Time, nil)
	}
	tr := trade(0, "100", "1", -1, "99.9", "100")
	dst := make([]venue.ExecutionReport, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		dst = e.OnEvent(&ev, dst[:0])
		dst = e.OnEvent(&tr, dst)
	}
	if len(dst) != 0 || e.OpenTotal() != 10 {
		b.Fatal(briefs(dst))
	}
}

func BenchmarkRestingFill(b *testing.B) {
	e, ids := newEngine(b, benchConfig()), newIDPool(4096)
	book := fiveLevels(0)
	tr := trade(0, "99.9", "10", -1, "99.9", "100")
	dst := make([]venue.ExecutionReport, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		if dst = restingFillRound(e, &book, &tr, ids, dst); dst[len(dst)-1].State != venue.StateFilled {
			b.Fatal(briefs(dst))
		}
	}
}

// TestHotPathsDoNotAllocate proves the benchmarks' 0 allocs/op in the
// ordinary test run, after a warm-up that grows the slices and the id
// index to their working size.
func TestHotPathsDoNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("warm-up cycles thousands of orders")
	}
	e, ids := newEngine(t, benchConfig()), newIDPool(4096)
	book := fiveLevels(0)
	tr := trade(0, "99.9", "10", -1, "99.9", "100")
	dst := make([]venue.ExecutionReport, 0, 16)
	for range 3 * 4096 {
		dst = marketOrderRound(e, &book, ids, dst)
		dst = restingFillRound(e, &book, &tr, ids, dst)
	}
	tests := []struct {
		name string
		f    func()
	}{
		{"market order", func() { dst = marketOrderRound(e, &book, ids, dst) }},
		{"resting fill", func() { dst = restingFillRound(e, &book, &tr, ids, dst) }},
		{"event without orders", func() { dst = e.OnEvent(&book, dst[:0]) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(2000, tt.f); n != 0 {
			t.Errorf("%s: %v allocations per run", tt.name, n)
		}
	}
}
