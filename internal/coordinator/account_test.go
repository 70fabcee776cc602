package coordinator

import (
	"context"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

func sell(qty string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Sell, Type: venue.Market, Quantity: money.MustParse(qty)}
}

func restingSell(qty string, price int64) venue.OrderSpec {
	return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Sell, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.MustParse(qty), Price: money.FromInt(price)}
}

func ticks(n int) []market.Event {
	evs := make([]market.Event, n)
	for i := range evs {
		evs[i] = book(i, 100)
	}
	return evs
}

func (r *rig) states() string {
	var s []string
	for _, rep := range r.strat.reports {
		if rep.State == venue.StateRejected {
			s = append(s, "REJECTED("+rep.Reason+")")
		} else {
			s = append(s, rep.State.String())
		}
	}
	return strings.Join(s, ",")
}

// A cash account sells only what it holds and has not already promised
// to an open sell: selling 2 of 2 held is fine once, a second sell of
// the same 2 while the first rests is refused, and so is a sell from a
// flat account. Nothing goes short.
func TestCashAccountRefusesSellsBeyondHoldings(t *testing.T) {
	r := newRig(t, ticks(5), map[int]venue.OrderSpec{1: buy("2"), 2: restingSell("2", 200), 3: restingSell("0.5", 200)},
		risk.DefaultLimits())
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := r.states()
	if !strings.Contains(got, "REJECTED(insufficient holdings") || strings.Count(got, "REJECTED") != 1 {
		t.Fatalf("reports %s: want the second sell refused for holdings", got)
	}
	if r.pf.ReservedQuantity("BTC-USD") != money.FromInt(2) || r.venue.OpenTotal() != 1 {
		t.Fatalf("reserved %s with %d open", r.pf.ReservedQuantity("BTC-USD"), r.venue.OpenTotal())
	}

	flat := newRig(t, ticks(3), map[int]venue.OrderSpec{1: sell("0.1")}, risk.DefaultLimits())
	if err := flat.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := flat.states(); !strings.HasPrefix(got, "REJECTED(insufficient holdings: a cash account cannot sell 0.1 BTC-USD") {
		t.Fatalf("a sell from a flat cash account: %s", got)
	}
	if !flat.pf.Position("BTC-USD").IsZero() {
		t.Fatalf("position %s", flat.pf.Position("BTC-USD"))
	}
}

// A margin account may sell short up to its borrowing limit, valued at
// the reference price, and pays interest on the short as time passes.
func TestMarginAccountBorrowsUpToItsLimitAndPaysForIt(t *testing.T) {
	evs := make([]market.Event, 0, 40)
	for i := range 40 {
		evs = append(evs, book(i*3600, 100)) // an hour apart
	}
	r := newRig(t, evs, map[int]venue.OrderSpec{1: sell("1"), 2: sell("1")}, risk.DefaultLimits())
	r.c.cfg.Margin = &portfolio.Margin{MaxBorrow: money.FromInt(150), RateBps: 1000}
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := r.states()
	if !strings.HasPrefix(got, "ACCEPTED,FILLED,REJECTED(borrowing limit") {
		t.Fatalf("reports %s: want the first short filled, the second over the limit of 150", got)
	}
	if r.pf.Position("BTC-USD") != money.FromInt(-1) {
		t.Fatalf("position %s", r.pf.Position("BTC-USD"))
	}
	// 1 BTC short from the first event, at a mark of 100.5, for the 39
	// hours to the last, at 10% a year, charged at every event (an hour
	// apart): 39 × round(100.5 × 0.1 × 3600 / 31536000) = 39 × 0.00114726.
	fill := r.strat.reports[1]
	want := fill.Fee.Add(money.MustParse("0.00114726").Mul(money.FromInt(39)))
	if got := r.pf.Snapshot().FeesPaid; got != want {
		t.Fatalf("fees %s, want the fill's %s plus 39 hours of interest = %s", got, fill.Fee, want)
	}
}

// An order that could promise nothing (no quantity) is refused like any
// other bad order, not a reason to stop the loop.
func TestOrderPromisingNothingIsRefused(t *testing.T) {
	r := newRig(t, ticks(3), map[int]venue.OrderSpec{1: buy("0"), 2: sell("0")}, risk.DefaultLimits())
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.states(); strings.Count(got, "REJECTED(") != 2 || r.pf.Reservations() != 0 {
		t.Fatalf("reports %s, %d reservations", got, r.pf.Reservations())
	}
}

// A venue restored with open orders the portfolio holds nothing for (a
// store written before reservations were kept) gets them reserved when
// the loop is built; a reservation of an order no longer open is dropped.
func TestNewAdoptsTheVenuesOpenOrders(t *testing.T) {
	r := newRig(t, ticks(2), map[int]venue.OrderSpec{1: {Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit,
		TIF: venue.GTC, Quantity: money.FromInt(2), Price: money.FromInt(90)}}, risk.DefaultLimits())
	if err := r.c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	held := r.pf.ReservedCash() // 2 × 90 plus 5 bps
	if held != money.MustParse("180.09") {
		t.Fatalf("reserved %s", held)
	}
	st := r.pf.State()
	st.Reservations = []portfolio.Reservation{{ClientID: "gone", Symbol: "BTC-USD", Side: venue.Sell, Remaining: money.FromInt(1)}}
	pf, err := portfolio.Restore(st)
	if err != nil {
		t.Fatal(err)
	}
	r.c.cfg.Portfolio = pf
	if _, err := New(r.c.cfg); err != nil {
		t.Fatal(err)
	}
	if pf.ReservedCash() != held || pf.Reservations() != 1 || !pf.ReservedQuantity("BTC-USD").IsZero() {
		t.Fatalf("after New: %s cash, %s BTC reserved in %d reservations; want %s for the one open buy",
			pf.ReservedCash(), pf.ReservedQuantity("BTC-USD"), pf.Reservations(), held)
	}
}
