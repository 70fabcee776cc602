package coordinator

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)

// script is a Source of prepared events.
type script struct {
	evs []market.Event
	i   int
}

func (s *script) Next(_ context.Context, until time.Time) (market.Event, bool, error) {
	if s.i >= len(s.evs) {
		return market.Event{}, false, io.EOF
	}
	if s.evs[s.i].Time.After(until) {
		return market.Event{}, false, nil
	}
	s.i++
	return s.evs[s.i-1], true, nil
}

// book is a one-level book event at mid m (spread 1, size 10).
func book(sec int, mid int64) market.Event {
	bid, ask := money.FromInt(mid), money.FromInt(mid+1)
	return market.Event{Kind: market.EventBook, Symbol: "BTC-USD", Time: t0.Add(time.Duration(sec) * time.Second),
		Bid: bid, Ask: ask, Book: &market.Book{
			Bids: []market.Level{{Price: bid, Size: money.FromInt(10)}},
			Asks: []market.Level{{Price: ask, Size: money.FromInt(10)}},
		}}
}

// planned places orders at chosen event numbers and records its reports.
type planned struct {
	at      map[int]venue.OrderSpec
	n       int
	calls   int
	reports []venue.ExecutionReport
}

func (p *planned) OnEvent(_ *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	p.n++
	p.calls++
	if spec, ok := p.at[p.n]; ok {
		dst = append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: spec})
	}
	return dst
}

func (p *planned) OnReport(r *venue.ExecutionReport) { p.reports = append(p.reports, *r) }

func buy(qty string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Market, Quantity: money.MustParse(qty)}
}

type rig struct {
	c      *Coordinator
	strat  *planned
	pf     *portfolio.Portfolio
	guard  *risk.Guard
	venue  *matching.Engine
	book   *orders.Book
	events []orders.Event
}

func newRig(t testing.TB, evs []market.Event, at map[int]venue.OrderSpec, limits risk.Limits) *rig {
	t.Helper()
	venue, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{strat: &planned{at: at}, pf: portfolio.New("USD", money.FromInt(10_000)),
		guard: risk.New(limits, money.FromInt(10_000)), venue: venue, book: orders.NewBook("s", 100)}
	r.c, err = New(Config{OrderPrefix: "s", TickInterval: time.Second, Source: &script{evs: evs}, Venue: venue,
		Strategy: r.strat, Portfolio: r.pf, Risk: r.guard, Orders: r.book,
		Publish: func(e orders.Event) { r.events = append(r.events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMarketOrderIsFilledBookedAndPublished(t *testing.T) {
	r := newRig(t, []market.Event{book(0, 100), book(1, 100)}, map[int]venue.OrderSpec{1: buy("2")}, risk.DefaultLimits())
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.pf.Position("BTC-USD"); got != money.FromInt(2) {
		t.Fatalf("position = %s, want 2", got)
	}
	list, _ := r.book.List(false, 10)
	if len(list) != 1 || list[0].State != venue.StateFilled || list[0].AveragePrice != money.FromInt(101) || !list[0].Fees.IsPositive() {
		t.Fatalf("orders = %+v", list)
	}
	var states []string
	for _, e := range r.events {
		states = append(states, e.Order.State.String())
	}
	if got := strings.Join(states, ","); got != "NEW,ACCEPTED,FILLED" {
		t.Fatalf("published %s", got)
	}
	if st := r.c.Stats(); st.Events != 2 || st.Orders != 1 || st.Fills != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

// An order over a limit never reaches the venue, nor the order book: the
// strategy hears of it as a REJECTED report naming the rule and when to
// try again.
func TestRiskRefusalIsARejectedOrder(t *testing.T) {
	limits := risk.DefaultLimits()
	limits.MaxOrderNotional = money.FromInt(150)
	r := newRig(t, []market.Event{book(0, 100), book(1, 100)}, map[int]venue.OrderSpec{1: buy("2")}, limits)
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(r.strat.reports) != 1 || r.strat.reports[0].State != venue.StateRejected ||
		!strings.Contains(r.strat.reports[0].Reason, "max_order_notional") && !strings.Contains(r.strat.reports[0].Reason, "MaxOrderNotional") {
		t.Fatalf("reports = %+v", r.strat.reports)
	}
	if !r.pf.Position("BTC-USD").IsZero() || r.venue.OpenTotal() != 0 || r.c.Stats().Rejects != 1 {
		t.Fatal("a refused order reached the venue")
	}
	if rep := r.strat.reports[0]; rep.ClientID != "" || !rep.RetryAt.After(t0) {
		t.Fatalf("refusal report %+v: want no client id and a RetryAt", rep)
	}
	if list, _ := r.book.List(false, 10); len(list) != 0 || len(r.events) != 0 {
		t.Fatalf("a refused intent became an order: %+v", list)
	}
}

// A strategy that asks on every event, whatever it is told, reaches the
// checks at most at the intent budget's rate; the rest is dropped and
// counted (issue 9 §9).
func TestIntentBudgetBoundsWhatReachesTheChecks(t *testing.T) {
	limits := risk.DefaultLimits() // 50 orders a second: a budget of 200 intents a second
	var evs []market.Event
	at := make(map[int]venue.OrderSpec)
	for i := range 3000 { // 3 s of events, one a millisecond
		ev := book(0, 100)
		ev.Time = t0.Add(time.Duration(i) * time.Millisecond)
		evs = append(evs, ev)
		at[i+1] = buy("0.01")
	}
	r := newRig(t, evs, at, limits)
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := r.c.Stats()
	checked := st.Orders + st.Rejects
	if checked > 200*4 || st.Dropped == 0 || checked+st.Dropped != 3000 {
		t.Fatalf("%d intents reached the checks (%d sent, %d refused), %d dropped: want at most 800 checked",
			checked, st.Orders, st.Rejects, st.Dropped)
	}
	if st.Orders < 100 {
		t.Fatalf("only %d orders sent in 3 s under a limit of 50 a second", st.Orders)
	}
}

// The kill switch halts at once: resting orders are cancelled, the strategy
// is no longer asked, and no order is sent after the halt.
func TestKillSwitchHaltsCancelsAndSendsNothingAfter(t *testing.T) {
	limits := risk.DefaultLimits()
	limits.MaxDrawdown = money.MustParse("0.01") // 1% of 10,000
	limits.MaxTrailingDrawdown = money.Decimal{}
	rest := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.FromInt(1), Price: money.FromInt(30)}
	evs := []market.Event{book(0, 100), book(1, 100), book(2, 100), book(3, 40), book(4, 40), book(5, 40)}
	at := map[int]venue.OrderSpec{1: buy("5"), 2: rest, 4: buy("1"), 5: buy("1")}
	r := newRig(t, evs, at, limits)
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.guard.State() != risk.Halted || !strings.Contains(r.guard.Reason(), "drawdown") {
		t.Fatalf("guard %v %q", r.guard.State(), r.guard.Reason())
	}
	if r.venue.OpenTotal() != 0 {
		t.Fatal("the resting order survived the halt")
	}
	o, _ := r.book.Get("s-2")
	if o.State != venue.StateCancelled {
		t.Fatalf("resting order state %v", o.State)
	}
	if r.strat.calls != 3 || r.c.Stats().Orders != 2 {
		t.Fatalf("strategy asked %d times, %d orders sent: want 3 and 2", r.strat.calls, r.c.Stats().Orders)
	}
}

func TestDoRunsOnTheLoopAndCancelOpenOrdersAfterStop(t *testing.T) {
	rest := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.FromInt(1), Price: money.FromInt(50)}
	r := newRig(t, []market.Event{book(0, 100)}, map[int]venue.OrderSpec{1: rest}, risk.DefaultLimits())
	r.c.cfg.Now = func() time.Time { return t0.Add(time.Hour) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.c.Run(ctx) }()
	ran := false
	if err := r.c.Do(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Fatalf("Do: %v ran=%v", err, ran)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, _ := r.c.CancelOpenOrders(context.Background(), t0.Add(time.Hour)); n != 1 || r.venue.OpenTotal() != 0 || r.c.Stats().OpenOrders != 0 {
		t.Fatalf("cancelled %d, open %d", n, r.venue.OpenTotal())
	}
}

func TestBuyBeyondCashIsRefused(t *testing.T) {
	r := newRig(t, []market.Event{book(0, 100), book(1, 100)}, map[int]venue.OrderSpec{1: buy("200")}, risk.Limits{})
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(r.strat.reports) != 1 || r.strat.reports[0].State != venue.StateRejected ||
		!strings.Contains(r.strat.reports[0].Reason, "insufficient cash") {
		t.Fatalf("reports = %+v", r.strat.reports)
	}
}

// stuck blocks the loop in its first tick until released.
type stuck struct {
	entered chan struct{}
	release chan struct{}
}

func (s *stuck) OnEvent(_ *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if s.entered != nil {
		close(s.entered)
		s.entered = nil
		<-s.release
	}
	return dst
}

// A command whose caller gave up while the loop was stuck never runs, even
// once the loop is free again: the caller was told it failed.
func TestDoAbandonedWhileLoopIsStuckNeverRuns(t *testing.T) {
	r := newRig(t, []market.Event{book(0, 100)}, nil, risk.DefaultLimits())
	st := &stuck{entered: make(chan struct{}), release: make(chan struct{})}
	entered := st.entered
	r.c.cfg.Strategy = st
	r.c.cfg.Now = func() time.Time { return t0.Add(time.Hour) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.c.Run(ctx) }()
	<-entered

	var ran atomic.Bool
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	err := r.c.Do(dctx, func() { ran.Store(true) })
	dcancel()
	if err == nil {
		t.Fatal("Do succeeded although the loop was stuck")
	}
	close(st.release)
	// Commands run in order: once this one ran, the abandoned one had its turn.
	if err := r.c.Do(context.Background(), func() {}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ran.Load() {
		t.Fatal("the abandoned command ran after its caller was told it failed")
	}
}

// burst places n buys on its first event and records its reports.
type burst struct {
	n       int
	done    bool
	reports []venue.ExecutionReport
}

func (b *burst) OnEvent(_ *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if !b.done {
		b.done = true
		for range b.n {
			dst = append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: buy("0.01")})
		}
	}
	return dst
}

func (b *burst) OnReport(r *venue.ExecutionReport) { b.reports = append(b.reports, *r) }

// Intents refused by the orders-a-second limit are told to come back one
// slot apart, not all at the first free slot, where one would pass and the
// rest be refused again.
func TestRateRefusalsAreToldToComeBackOneSlotApart(t *testing.T) {
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 2
	b := &burst{n: 5}
	r := newRig(t, []market.Event{book(0, 100)}, nil, limits)
	r.c.cfg.Strategy, r.c.reporter = b, b
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	var retries []time.Duration
	for _, rep := range b.reports {
		if rep.State == venue.StateRejected {
			retries = append(retries, rep.RetryAt.Sub(t0))
		}
	}
	want := []time.Duration{time.Second, 1500 * time.Millisecond, 2 * time.Second}
	if !slices.Equal(retries, want) {
		t.Fatalf("refused intents told to retry after %v, want %v", retries, want)
	}
}

// A strategy that ignores RetryAt cannot push the turn it is given further
// than maxTurnsAhead past the first free slot.
func TestRateRetryQueueIsBounded(t *testing.T) {
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 2
	b := &burst{n: 200} // 198 refused, a turn every 0.5 s: 99 s of turns
	r := newRig(t, []market.Event{book(0, 100)}, nil, limits)
	r.c.cfg.Strategy, r.c.reporter = b, b
	r.c.budget = newIntentBudget(1000, limits)
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	var last time.Duration
	for _, rep := range b.reports {
		if rep.State == venue.StateRejected {
			last = max(last, rep.RetryAt.Sub(t0))
		}
	}
	if want := time.Second + maxTurnsAhead; last != want {
		t.Fatalf("the last refusal was told to retry after %v, want %v", last, want)
	}
}

// Intents dropped by the intent budget are given turns too, not all the
// moment the bucket refills.
func TestDroppedIntentsAreToldToComeBackOneTurnApart(t *testing.T) {
	b := &burst{n: 300} // the default budget of 200 takes 200 at once
	r := newRig(t, []market.Event{book(0, 100)}, nil, risk.DefaultLimits())
	r.c.cfg.Strategy, r.c.reporter = b, b
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen := make(map[time.Time]int)
	for _, rep := range b.reports {
		if rep.State == venue.StateRejected && strings.Contains(rep.Reason, "dropped") {
			if seen[rep.RetryAt]++; seen[rep.RetryAt] > 1 {
				t.Fatalf("two dropped intents told to come back at %v", rep.RetryAt.Sub(t0))
			}
		}
	}
	if len(seen) != 100 {
		t.Fatalf("%d dropped intents, want 100", len(seen))
	}
}
