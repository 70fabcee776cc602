package strategy

import (
	"strconv"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// zigzag is a price path that crosses often, so signals are exercised too.
func zigzag(n int) []market.Event {
	out := make([]market.Event, n)
	for i := range out {
		p := int64(100 + i%40)
		if i%40 >= 20 {
			p = int64(140 - i%40)
		}
		mid := money.FromInt(p)
		out[i] = *quote("BTC-USD", mid, mid.Add(money.FromUnits(2)))
	}
	return out
}

// toggle is a Context whose position flips between flat and the last
// buy, as if every order filled at once.
type toggle struct{ holding }

func (t *toggle) apply(actions []Action) {
	for _, a := range actions {
		if t.holding.Position("").IsZero() {
			t.holding = holding(a.Order.Quantity)
		} else {
			t.holding = holding{}
		}
	}
}

func TestSMADoesNotAllocateAfterFirstEvent(t *testing.T) {
	s, _ := NewSMA(DefaultSMAConfig())
	events := zigzag(400)
	dst := make([]Action, 0, 4)
	ctx := &toggle{}
	s.OnEvent(&events[0], ctx, dst) // first sight of the symbol
	i, signals := 1, 0
	allocs := testing.AllocsPerRun(300, func() {
		dst = s.OnEvent(&events[i], ctx, dst[:0])
		signals += len(dst)
		ctx.apply(dst)
		i++
	})
	if allocs != 0 {
		t.Fatalf("OnEvent allocated %v times per event", allocs)
	}
	if signals < 4 {
		t.Fatalf("only %d signals: the path does not exercise crossings", signals)
	}
}

func BenchmarkSMAOnEvent(b *testing.B) {
	s, _ := NewSMA(DefaultSMAConfig())
	events := zigzag(4000)
	dst := make([]Action, 0, 4)
	ctx := holding{}
	i := 0
	for b.Loop() {
		dst = s.OnEvent(&events[i%len(events)], ctx, dst[:0])
		i++
	}
}

func BenchmarkHoldOnEvent(b *testing.B) {
	var s Strategy = Hold{}
	events := zigzag(100)
	dst := make([]Action, 0, 4)
	i := 0
	for b.Loop() {
		dst = s.OnEvent(&events[i%len(events)], holding{}, dst[:0])
		i++
	}
}

// gridRound is a grid's busiest steady state: the mid wanders inside the
// band, and every placement is answered at once and fills, to be placed
// again on the next event. (Filling them all also keeps the cycling ids
// unique among the live orders.)
type gridRound struct {
	g      *Grid
	events []market.Event
	ids    []string
	i, id  int
	dst    []Action
}

func newGridRound() *gridRound {
	g, _ := NewGrid(GridConfig{Levels: 5, SpacingBps: 10, Quantity: money.FromInt(1), RecenterLevels: 3})
	r := &gridRound{g: g, dst: make([]Action, 0, 32)}
	for _, m := range []string{"100", "100.05", "100.1", "100.05", "100", "99.95", "99.9", "99.95"} {
		mid := d(m)
		r.events = append(r.events, *quote("BTC-USD", mid.Sub(d("0.01")), mid.Add(d("0.01"))))
	}
	for i := range 1024 {
		r.ids = append(r.ids, "g"+strconv.Itoa(i))
	}
	return r
}

func (r *gridRound) step() {
	ev := &r.events[r.i%len(r.events)]
	r.i++
	r.dst = r.g.OnEvent(ev, holding{}, r.dst[:0])
	for _, a := range r.dst {
		if a.Kind != ActionPlace {
			continue
		}
		id := r.ids[r.id%len(r.ids)]
		r.id++
		r.g.OnReport(&venue.ExecutionReport{ClientID: id, Symbol: a.Order.Symbol, State: venue.StateAccepted})
		r.g.OnReport(&venue.ExecutionReport{ClientID: id, Symbol: a.Order.Symbol, State: venue.StateFilled})
	}
}

func TestGridDoesNotAllocateAfterFirstEvent(t *testing.T) {
	r := newGridRound()
	for range 100 {
		r.step()
	}
	placed := r.id
	if n := testing.AllocsPerRun(1000, r.step); n != 0 {
		t.Fatalf("%v allocations per event", n)
	}
	if r.id-placed < 5000 {
		t.Fatalf("%d placements in 1000 events: not the steady state meant", r.id-placed)
	}
}

func BenchmarkGridOnEvent(b *testing.B) {
	r := newGridRound()
	for b.Loop() {
		r.step()
	}
}
