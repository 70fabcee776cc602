package strategy

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/venue"
)

// testGrid is 3 levels 1% apart, 1 each, re-centered beyond 2 levels,
// capped at a position of 2.
func testGrid(t *testing.T) *Grid {
	t.Helper()
	g, err := NewGrid(GridConfig{Levels: 3, SpacingBps: 100, Quantity: d("1"), RecenterLevels: 2, MaxPosition: d("2")})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// acts renders actions as "buy 1@99" and "cancel g1", checking that every
// placement is a post-only GTC limit order.
func acts(t *testing.T, actions []Action) []string {
	t.Helper()
	var out []string
	for _, a := range actions {
		switch a.Kind {
		case ActionCancel:
			out = append(out, "cancel "+a.CancelID)
		case ActionPlace:
			o := a.Order
			if o.Type != venue.Limit || o.TIF != venue.GTC || !o.PostOnly || o.Symbol != "BTC-USD" {
				t.Fatalf("placement %+v", o)
			}
			out = append(out, o.Side.String()+" "+o.Quantity.String()+"@"+o.Price.String())
		}
	}
	return out
}

func wantActs(t *testing.T, what string, got []Action, want ...string) {
	t.Helper()
	if g := acts(t, got); strings.Join(g, ", ") != strings.Join(want, ", ") {
		t.Fatalf("%s: actions %q, want %q", what, g, want)
	}
}

func mid(m string) *market.Event {
	x := d(m)
	return quote("BTC-USD", x.Sub(d("0.1")), x.Add(d("0.1")))
}

// answer accepts the placements in actions as ids first, first+1, ...
func answer(g *Grid, actions []Action, first int) []string {
	var ids []string
	for _, a := range actions {
		if a.Kind == ActionPlace {
			id := "g" + strconv.Itoa(first+len(ids))
			ids = append(ids, id)
			g.OnReport(&venue.ExecutionReport{ClientID: id, Symbol: a.Order.Symbol, Side: a.Order.Side, State: venue.StateAccepted})
		}
	}
	return ids
}

func report(g *Grid, id string, state venue.OrderState) {
	g.OnReport(&venue.ExecutionReport{ClientID: id, Symbol: "BTC-USD", State: state})
}

func TestGridPlacesAroundTheFirstMid(t *testing.T) {
	g := testGrid(t)
	flat := holding{}
	got := g.OnEvent(mid("100"), flat, nil)
	wantActs(t, "first", got, "buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101", "sell 1@102", "sell 1@103")
	answer(g, got, 1)
	wantActs(t, "same mid", g.OnEvent(mid("100"), flat, nil))
	wantActs(t, "within the band", g.OnEvent(mid("101.9"), flat, nil))
}

func TestGridReplacesFilledLevels(t *testing.T) {
	g := testGrid(t)
	answer(g, g.OnEvent(mid("100"), holding{}, nil), 1) // g1..g3 buys, g4..g6 sells
	report(g, "g1", venue.StatePartiallyFilled)
	wantActs(t, "partly filled: still there", g.OnEvent(mid("100"), holding{}, nil))
	report(g, "g1", venue.StateFilled)
	long := holding(d("1"))
	// The buy at 99 would cross an ask of 98.9: it waits.
	wantActs(t, "market below the level", g.OnEvent(mid("98.8"), long, nil))
	got := g.OnEvent(mid("99.5"), long, nil)
	wantActs(t, "market back above", got, "buy 1@99")
	answer(g, got, 7)
	report(g, "g5", venue.StateCancelled) // cancelled by someone else
	wantActs(t, "cancelled level", g.OnEvent(mid("100"), long, nil), "sell 1@102")
}

func TestGridRecenters(t *testing.T) {
	g := testGrid(t)
	answer(g, g.OnEvent(mid("100"), holding{}, nil), 1)
	report(g, "g4", venue.StateFilled)
	// 2 levels of drift is allowed (and the sell at 101 would cross the
	// bid, so it waits); more re-centers: the live orders are cancelled (g4
	// is gone already) and the grid is laid around 102.01 with a step of
	// 1.0201.
	wantActs(t, "drift of 2", g.OnEvent(mid("102"), holding{}, nil))
	got := g.OnEvent(mid("102.01"), holding{}, nil)
	wantActs(t, "drift beyond 2", got,
		"cancel g1", "cancel g2", "cancel g3", "cancel g5", "cancel g6",
		"buy 1@100.9899", "buy 1@99.9698", "buy 1@98.9497", "sell 1@103.0301", "sell 1@104.0502", "sell 1@105.0703")
	answer(g, got, 7)
	// The cancelled orders' reports are ignored; the new grid holds.
	for _, id := range []string{"g1", "g2", "g3", "g5", "g6"} {
		report(g, id, venue.StateCancelled)
	}
	wantActs(t, "after", g.OnEvent(mid("102.01"), holding{}, nil))
	// And it drifts back down past 3 steps of 1.0201 below.
	got = g.OnEvent(mid("99.9"), holding{}, nil)
	wantActs(t, "drift down", got[:6], "cancel g7", "cancel g8", "cancel g9", "cancel g10", "cancel g11", "cancel g12")
}

func TestGridDoesNotRecenterWithPlacementsUnanswered(t *testing.T) {
	g := testGrid(t)
	first := g.OnEvent(mid("100"), holding{}, nil)
	wantActs(t, "far away, nothing answered", g.OnEvent(mid("150"), holding{}, nil))
	answer(g, first, 1)
	wantActs(t, "answered", g.OnEvent(mid("150"), holding{}, nil)[:6],
		"cancel g1", "cancel g2", "cancel g3", "cancel g4", "cancel g5", "cancel g6")
}

func TestGridInventoryCap(t *testing.T) {
	for _, tt := range []struct {
		position string
		want     []string
	}{
		{"1.99999999", []string{"buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101", "sell 1@102", "sell 1@103"}},
		{"2", []string{"sell 1@101", "sell 1@102", "sell 1@103"}},
		{"7", []string{"sell 1@101", "sell 1@102", "sell 1@103"}},
		{"-2", []string{"buy 1@99", "buy 1@98", "buy 1@97"}},
	} {
		g := testGrid(t)
		wantActs(t, "position "+tt.position, g.OnEvent(mid("100"), holding(d(tt.position)), nil), tt.want...)
	}
	uncapped, _ := NewGrid(GridConfig{Levels: 1, SpacingBps: 100, Quantity: d("1"), RecenterLevels: 1})
	wantActs(t, "no cap", uncapped.OnEvent(mid("100"), holding(d("1000")), nil), "buy 1@99", "sell 1@101")
}

func TestGridRejectedPlacementIsRetried(t *testing.T) {
	g := testGrid(t)
	got := g.OnEvent(mid("100"), holding{}, nil)
	g.OnReport(&venue.ExecutionReport{ClientID: "r1", Symbol: "BTC-USD", State: venue.StateRejected, Reason: "risk"})
	answer(g, got[1:], 2)
	wantActs(t, "retry", g.OnEvent(mid("100"), holding{}, nil), "buy 1@99")
}

// A level the loop refused is not asked for again before the refusal's
// RetryAt: re-submitting it on every event would only be refused again
// (issue 9 §9).
func TestGridWaitsUntilARefusalsRetryAt(t *testing.T) {
	g := testGrid(t)
	t0 := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *market.Event { ev := mid("100"); ev.Time = t0.Add(d); return ev }
	got := g.OnEvent(at(0), holding{}, nil)
	g.OnReport(&venue.ExecutionReport{Symbol: "BTC-USD", Side: venue.Buy, State: venue.StateRejected,
		Reason: "risk: order rejected by max_orders_per_second", RetryAt: t0.Add(time.Second)})
	answer(g, got[1:], 2)
	wantActs(t, "before RetryAt", g.OnEvent(at(10*time.Millisecond), holding{}, nil))
	wantActs(t, "just before RetryAt", g.OnEvent(at(time.Second-time.Nanosecond), holding{}, nil))
	wantActs(t, "at RetryAt", g.OnEvent(at(time.Second), holding{}, nil), "buy 1@99")
}

// A re-center does not turn a waiting level into a new placement: the
// limits that refused it do not care about its price.
func TestGridRecenterKeepsARefusalsWait(t *testing.T) {
	g := testGrid(t)
	t0 := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	at := func(m string, d time.Duration) *market.Event { ev := mid(m); ev.Time = t0.Add(d); return ev }
	got := g.OnEvent(at("100", 0), holding{}, nil)
	g.OnReport(&venue.ExecutionReport{Symbol: "BTC-USD", Side: venue.Buy, State: venue.StateRejected,
		Reason: "risk: order rejected by max_orders_per_second", RetryAt: t0.Add(time.Second)})
	answer(g, got[1:], 2)
	wantActs(t, "re-centered before RetryAt", g.OnEvent(at("102.01", 10*time.Millisecond), holding{}, nil),
		"cancel g2", "cancel g3", "cancel g4", "cancel g5", "cancel g6",
		"buy 1@99.9698", "buy 1@98.9497", "sell 1@103.0301", "sell 1@104.0502", "sell 1@105.0703")
}

func TestGridIgnoresTradesAndUnusableQuotes(t *testing.T) {
	g := testGrid(t)
	tr := mid("100")
	tr.Kind = market.EventTrade
	for _, ev := range []*market.Event{tr, quote("BTC-USD", d("0"), d("1")), quote("BTC-USD", d("2"), d("1"))} {
		if got := g.OnEvent(ev, holding{}, nil); len(got) != 0 {
			t.Fatalf("%+v from %+v", got, ev)
		}
	}
	// Reports it knows nothing of change nothing.
	report(g, "stranger", venue.StateFilled)
	report(g, "stranger", venue.StateAccepted)
	wantActs(t, "first usable", g.OnEvent(mid("100"), holding{}, nil),
		"buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101", "sell 1@102", "sell 1@103")
}

func TestGridConfigValidate(t *testing.T) {
	ok := DefaultGridConfig()
	tests := []struct {
		mod  func(*GridConfig)
		want string // "" means valid
	}{
		{func(*GridConfig) {}, ""},
		{func(c *GridConfig) { c.Levels = 0 }, `levels": must be in [1, 50], got 0`},
		{func(c *GridConfig) { c.Levels = 51 }, `levels": must be in [1, 50], got 51`},
		{func(c *GridConfig) { c.SpacingBps = 0 }, `spacing_bps": must be in [1, 1999] with 5 levels, got 0`},
		{func(c *GridConfig) { c.SpacingBps = 2000 }, `spacing_bps": must be in [1, 1999] with 5 levels, got 2000`},
		{func(c *GridConfig) { c.Quantity = d("0") }, `quantity": must be positive, got 0`},
		{func(c *GridConfig) { c.RecenterLevels = 0 }, `recenter_levels": must be at least 1, got 0`},
		{func(c *GridConfig) { c.MaxPosition = d("-1") }, `max_position": must not be negative, got -1`},
		{func(c *GridConfig) { c.MaxPosition = d("0") }, ""},
	}
	for _, tt := range tests {
		c := ok
		tt.mod(&c)
		_, err := NewGrid(c)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", c, err)
			}
		} else if !errors.Is(err, ErrInvalidParam) || err.Error() != `strategy: grid parameter "`+tt.want {
			t.Errorf("%+v: %v, want %s", c, err, tt.want)
		}
	}
}

// loop is the coordinator's part in a test: it runs a grid against the
// matching engine, keeping the reporting protocol of Reporter.
type loop struct {
	t      *testing.T
	engine *matching.Engine
	grid   *Grid
	acct   *account
	next   int
	log    []string // every action and report, for determinism
	dst    []venue.ExecutionReport
}

func (l *loop) deliver(reports []venue.ExecutionReport) {
	for i := range reports {
		r := &reports[i]
		if r.FillQuantity.IsPositive() {
			q := r.FillQuantity
			if r.Side == venue.Sell {
				q = q.Neg()
			}
			l.acct.positions[r.Symbol] = l.acct.positions[r.Symbol].Add(q)
		}
		l.log = append(l.log, r.ClientID+" "+r.State.String()+" "+r.FillQuantity.String())
		l.grid.OnReport(r)
	}
}

func (l *loop) on(ev *market.Event) {
	l.deliver(l.engine.OnEvent(ev, l.dst[:0]))
	l.acct.open[ev.Symbol] = l.engine.OpenCount(ev.Symbol)
	for _, a := range l.grid.OnEvent(ev, l.acct, nil) {
		switch a.Kind {
		case ActionPlace:
			l.next++
			id := "o" + strconv.Itoa(l.next)
			l.log = append(l.log, "place "+id+" "+a.Order.Side.String()+"@"+a.Order.Price.String())
			l.deliver(l.engine.Submit(a.Order, id, *ev, ev.Time, l.dst[:0]))
		case ActionCancel:
			l.log = append(l.log, "cancel "+a.CancelID)
			reports, err := l.engine.Cancel(a.CancelID, ev.Time, l.dst[:0])
			if err != nil && !errors.Is(err, matching.ErrOrderFinal) {
				l.t.Fatalf("cancel %s: %v", a.CancelID, err)
			}
			l.deliver(reports)
		}
	}
	// The grid's live levels are exactly the engine's open orders.
	var live, open []string
	for _, s := range l.grid.series {
		for _, lv := range s.levels {
			if lv.state == levelPending {
				l.t.Fatal("a placement is still unanswered")
			}
			if lv.state == levelLive {
				live = append(live, lv.id)
			}
		}
	}
	for _, o := range l.engine.Open(nil) {
		open = append(open, o.ClientID)
	}
	slices.Sort(live)
	slices.Sort(open)
	if !reflect.DeepEqual(live, open) {
		l.t.Fatalf("grid has %q live, the venue %q", live, open)
	}
}

func runGridAgainstEngine(t *testing.T, seed uint64) *loop {
	e, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	g, _ := NewGrid(GridConfig{Levels: 4, SpacingBps: 1, Quantity: d("0.5"), RecenterLevels: 3, MaxPosition: d("1.5")})
	l := &loop{t: t, engine: e, grid: g,
		acct: &account{positions: map[string]money.Decimal{}, open: map[string]int{}}}
	rng := rand.New(rand.NewPCG(seed, 1))
	price := int64(1_000_000) // 10000, in cents; a step of the grid is 100
	for i := range 3000 {
		price += rng.Int64N(81) - 40
		bid, ask := money.FromUnits(price*1_000_000), money.FromUnits((price+2)*1_000_000)
		ev := quote("BTC-USD", bid, ask)
		if i%3 == 2 { // a trade at the touch, either way
			ev.Kind, ev.Price, ev.Size, ev.Aggressor = market.EventTrade, bid, d("0.3"), -1
			if rng.IntN(2) == 0 {
				ev.Price, ev.Aggressor = ask, 1
			}
		}
		l.on(ev)
	}
	return l
}

func TestGridAgainstTheMatchingEngine(t *testing.T) {
	l := runGridAgainstEngine(t, 7)
	var fills, cancels int
	for _, line := range l.log {
		if strings.HasSuffix(line, "FILLED 0.5") || strings.Contains(line, "PARTIALLY_FILLED") {
			fills++
		}
		if strings.HasPrefix(line, "cancel ") {
			cancels++
		}
	}
	if fills < 20 || cancels < 8 {
		t.Fatalf("%d fills, %d cancels: the path does not exercise the grid", fills, cancels)
	}
	if p := l.acct.positions["BTC-USD"].Abs(); p.Cmp(d("3.5")) > 0 {
		t.Fatalf("position %s beyond the cap plus a side of the grid", p)
	}
	if again := runGridAgainstEngine(t, 7); !reflect.DeepEqual(again.log, l.log) {
		t.Fatal("the same events gave different actions")
	}
}

func TestGridOnThePaperSim(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sim, err := paper.NewSim(paper.SimConfig{Seed: 3, Symbols: []string{"BTC-USD"}, Start: start, End: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	e, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	g, _ := NewGrid(GridConfig{Levels: 3, SpacingBps: 2, Quantity: d("0.01"), RecenterLevels: 4, MaxPosition: d("0.05")})
	l := &loop{t: t, engine: e, grid: g, acct: &account{positions: map[string]money.Decimal{}, open: map[string]int{}}}
	fills := 0
	for {
		ev, ok, err := sim.Next(context.Background(), start.Add(time.Hour))
		if errors.Is(err, io.EOF) || !ok {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		before := len(l.log)
		l.on(&ev)
		for _, line := range l.log[before:] {
			if strings.Contains(line, "FILLED") {
				fills++
			}
		}
	}
	if fills < 10 {
		t.Fatalf("%d fills in 10 minutes of the sim", fills)
	}
	// The cap stops placing; the 3 orders resting may still fill.
	if p := l.acct.positions["BTC-USD"].Abs(); p.Cmp(d("0.08")) > 0 {
		t.Fatalf("position %s beyond the cap plus a side of the grid", p)
	}
}

// A resumed grid is handed the orders it had resting (Adopt): it cancels
// them on the symbol's first event, before it places its levels, and their
// later reports answer none of its placements: a rejection of an old order
// taken for the answer to a new one would leave that level pending forever
// and the next acceptance on the wrong level.
func TestGridCancelsAdoptedOrdersAndIgnoresTheirReports(t *testing.T) {
	g := testGrid(t)
	g.Adopt(venue.OpenOrder{ClientID: "old-1", Spec: venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Price: d("90")}})
	g.Adopt(venue.OpenOrder{ClientID: "old-2", Spec: venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Sell, Price: d("110")}})
	got := g.OnEvent(mid("100"), holding{}, nil)
	wantActs(t, "first event after a resume", got, "cancel old-1", "cancel old-2",
		"buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101", "sell 1@102", "sell 1@103")
	// The venue rejects an old order (it reached the venue late) before it
	// answers the new placements.
	report(g, "old-1", venue.StateRejected)
	answer(g, got, 1) // g1..g3 buys, g4..g6 sells
	report(g, "old-2", venue.StateCancelled)
	wantActs(t, "every level live", g.OnEvent(mid("100"), holding{}, nil))
	report(g, "g6", venue.StateFilled) // the sell at 103
	wantActs(t, "the filled level, and no other", g.OnEvent(mid("100"), holding{}, nil), "sell 1@103")
	wantActs(t, "no second cancel", g.OnEvent(mid("100"), holding{}, nil))
}

// An adopted order that ends before the grid's first event (a fill a live
// resume's reconciliation applied while the session was stopped) is not
// cancelled: the venue refuses a cancel of an ended order, and the resumed
// session turned DEGRADED ("cancel ...: order has ended").
func TestGridDoesNotCancelAnAdoptedOrderThatEnded(t *testing.T) {
	g := testGrid(t)
	g.Adopt(venue.OpenOrder{ClientID: "old-1", Spec: venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Price: d("90")}})
	g.Adopt(venue.OpenOrder{ClientID: "old-2", Spec: venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Sell, Price: d("110")}})
	report(g, "old-1", venue.StateFilled)
	got := g.OnEvent(mid("100"), holding{}, nil)
	wantActs(t, "first event after a resume", got, "cancel old-2",
		"buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101", "sell 1@102", "sell 1@103")
}
