package orders

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func dec(s string) money.Decimal { return money.MustParse(s) }

// buy is a GTC limit buy of qty BTC-USD at 100.
func buy(qty string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: dec(qty), Price: dec("100")}
}

// rep is the report a venue would send to move o to state, with a fill of
// qty at price unless qty is "": its cumulative figures agree with o's,
// and the fee is 5 bps of the fill's notional (see fee).
func rep(o Order, state venue.OrderState, qty, price string) *venue.ExecutionReport {
	r := &venue.ExecutionReport{
		ClientID: o.ClientID, Symbol: o.Spec.Symbol, Side: o.Spec.Side, State: state,
		Filled: o.Filled, Remaining: o.Remaining, DecisionPrice: o.DecisionPrice, Time: o.Updated.Add(time.Second),
	}
	if qty != "" {
		q, p := dec(qty), dec(price)
		r.FillQuantity, r.FillPrice, r.Liquidity = q, p, venue.Taker
		r.Filled, r.Remaining = o.Filled.Add(q), o.Remaining.Sub(q)
		r.Fee = fee(q, p)
	}
	return r
}

func mustSubmit(t testing.TB, b *Book, id string, spec venue.OrderSpec) {
	t.Helper()
	if _, err := b.Submitted(id, spec, dec("100"), t0); err != nil {
		t.Fatalf("Submitted(%q): %v", id, err)
	}
}

func mustGet(t testing.TB, b *Book, id string) Order {
	t.Helper()
	o, ok := b.Get(id)
	if !ok {
		t.Fatalf("Get(%q): not found", id)
	}
	return o
}

// step moves order id to state, with a fill of qty at price unless qty
// is "", and fails the test if the book refuses.
func step(t testing.TB, b *Book, id string, state venue.OrderState, qty, price string) Event {
	t.Helper()
	e, err := b.Apply(rep(mustGet(t, b, id), state, qty, price))
	if err != nil {
		t.Fatalf("Apply %q → %s: %v", id, state, err)
	}
	return e
}

// fee is 5 bps of qty × price, or zero where that notional does not fit
// in a Decimal (the book's exact sum has no such limit).
func fee(qty, price money.Decimal) money.Decimal {
	var overflow error // a panic leaves the result zero
	defer money.RecoverOverflow(&overflow)
	return qty.Mul(price).MulBps(5)
}
