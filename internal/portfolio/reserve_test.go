package portfolio

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// TestPropReservations runs a cash account as the trading loop does: an
// order is reserved only if the account can honour it (a buy's cost,
// fees included, within the free cash; a sell within the holdings not
// promised), fills at or better than their limit, partial or whole, and
// orders ending with a remainder. After every step: cash ≥ reserved cash,
// no position is short, the totals are the sums over the reservations, and
// Restore(State()) is the same account.
func TestPropReservations(t *testing.T) {
	const unit = 100_000_000
	rapid.Check(t, func(t *rapid.T) {
		p := New("USD", units(1, 100_000*unit).Draw(t, "start"))
		const feeBps = 10
		type open struct {
			id          string
			side        venue.Side
			limit, left money.Decimal
		}
		var live []open
		for step := range rapid.IntRange(1, 80).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 2).Draw(t, "op"); {
			case op == 0 || len(live) == 0: // place
				side := rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(t, "side")
				qty := units(1, 10*unit).Draw(t, "qty")
				limit := units(1, 1_000*unit).Draw(t, "limit")
				r := Reservation{ClientID: "o" + strconv.Itoa(step), Symbol: "BTC-USD", Side: side, Remaining: qty}
				if side == venue.Buy {
					cost := qty.Mul(limit)
					r.Amount = cost.Add(cost.MulBps(feeBps)).Add(money.FromUnits(1))
					if r.Amount.Cmp(p.FreeCash()) > 0 {
						continue
					}
				} else if qty.Add(p.ReservedQuantity("BTC-USD")).Cmp(p.Position("BTC-USD")) > 0 {
					continue
				}
				if err := p.Reserve(r); err != nil {
					t.Fatal(err)
				}
				live = append(live, open{r.ClientID, side, limit, qty})
			case op == 1: // a fill, at the limit or better
				i := rapid.IntRange(0, len(live)-1).Draw(t, "which")
				o := &live[i]
				qty := money.FromUnits(rapid.Int64Range(1, o.left.Units()).Draw(t, "fill"))
				price := o.limit
				if o.side == venue.Buy && rapid.Bool().Draw(t, "better") {
					price = money.FromUnits(rapid.Int64Range(1, o.limit.Units()).Draw(t, "price"))
				} else if o.side == venue.Sell {
					price = price.Add(money.FromUnits(rapid.Int64Range(0, unit).Draw(t, "above")))
				}
				fee := qty.Mul(price).MulBps(feeBps)
				if err := p.Apply(venue.Fill{ClientID: o.id, Symbol: "BTC-USD", Side: o.side, Quantity: qty, Price: price, Fee: fee}); err != nil {
					t.Fatal(err)
				}
				if o.left = o.left.Sub(qty); o.left.IsZero() {
					live = append(live[:i], live[i+1:]...)
				}
			default: // the order ends with what is left: cancelled
				i := rapid.IntRange(0, len(live)-1).Draw(t, "which")
				p.Release(live[i].id)
				live = append(live[:i], live[i+1:]...)
			}
			checkReservations(t, p, len(live))
		}
	})
}

func checkReservations(t *rapid.T, p *Portfolio, open int) {
	if p.FreeCash().IsNegative() {
		t.Fatalf("open buys hold %s of %s cash", p.ReservedCash(), p.Cash())
	}
	if p.Position("BTC-USD").IsNegative() {
		t.Fatalf("a cash account is short %s", p.Position("BTC-USD"))
	}
	s := p.State()
	var cash, qty money.Decimal
	for _, r := range s.Reservations {
		cash = cash.Add(r.Amount)
		if r.Side == venue.Sell {
			qty = qty.Add(r.Remaining)
		}
	}
	if len(s.Reservations) != open || cash != p.ReservedCash() || qty != p.ReservedQuantity("BTC-USD") {
		t.Fatalf("%d reservations for %d open orders; Σ %s cash, %s BTC; totals %s, %s", len(s.Reservations), open,
			cash, qty, p.ReservedCash(), p.ReservedQuantity("BTC-USD"))
	}
	if qty.Cmp(p.Position("BTC-USD")) > 0 {
		t.Fatalf("open sells promise %s of %s held", qty, p.Position("BTC-USD"))
	}
	back, err := Restore(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.State(), s) || back.ReservedCash() != p.ReservedCash() || back.FreeCash() != p.FreeCash() {
		t.Fatalf("restored account differs: %+v, want %+v", back.State(), s)
	}
}

// Restore refuses reservations that Reserve would: duplicates, unsorted,
// a buy holding no cash, a sell holding some.
func TestRestoreChecksReservations(t *testing.T) {
	good := func() State {
		return State{QuoteCurrency: "USD", StartingCash: money.FromInt(100), Cash: money.FromInt(100),
			Reservations: []Reservation{
				{ClientID: "a", Symbol: "BTC-USD", Side: venue.Buy, Remaining: money.FromInt(1), Amount: money.FromInt(50)},
				{ClientID: "b", Symbol: "BTC-USD", Side: venue.Sell, Remaining: money.FromInt(1)},
			}}
	}
	p, err := Restore(good())
	if err != nil || p.ReservedCash() != money.FromInt(50) || p.ReservedQuantity("BTC-USD") != money.FromInt(1) {
		t.Fatalf("Restore(good) = %v reserved %s, %v", p, p.ReservedCash(), err)
	}
	for name, breakIt := range map[string]func(*State){
		"duplicate":      func(s *State) { s.Reservations[1].ClientID = "a" },
		"unsorted":       func(s *State) { s.Reservations[0].ClientID = "c" },
		"negative cash":  func(s *State) { s.Reservations[0].Amount = money.FromInt(-1) },
		"sell with cash": func(s *State) { s.Reservations[1].Amount = money.FromInt(1) },
		"nothing left":   func(s *State) { s.Reservations[1].Remaining = money.Decimal{} },
		"no side":        func(s *State) { s.Reservations[1].Side = 0 },
	} {
		s := good()
		breakIt(&s)
		if _, err := Restore(s); err == nil {
			t.Errorf("%s: restored", name)
		}
	}
}

// CheckOrder: a buy within the free cash passes, one beyond it does not; a
// cash account sells only what it holds and has not promised, a margin
// account borrows up to its limit, the borrowed quantity valued at ref.
func TestCheckOrder(t *testing.T) {
	p := New("USD", money.FromInt(1000))
	if err := p.Apply(fill(venue.Buy, "BTC-USD", "2", "100", "0")); err != nil {
		t.Fatal(err)
	}
	if err := p.Reserve(Reservation{ClientID: "s1", Symbol: "BTC-USD", Side: venue.Sell, Remaining: money.FromInt(2)}); err != nil {
		t.Fatal(err)
	}
	if err := p.Reserve(Reservation{ClientID: "b1", Symbol: "BTC-USD", Side: venue.Buy, Remaining: money.FromInt(1),
		Amount: money.FromInt(300)}); err != nil {
		t.Fatal(err)
	}
	margin := &Margin{MaxBorrow: money.FromInt(150)}
	ref := money.FromInt(100)
	for _, c := range []struct {
		name string
		side venue.Side
		qty  string
		cost int64
		m    *Margin
		want string // a prefix of the error, "" for none
	}{
		{"buy within the free cash", venue.Buy, "1", 500, nil, ""},
		{"buy beyond the free cash", venue.Buy, "1", 501, nil, "insufficient cash: the order needs 501, the account has 500 free (300 reserved"},
		{"sell of what is promised already", venue.Sell, "0.5", 0, nil, "insufficient holdings: a cash account cannot sell 0.5 BTC-USD, it holds 2 (2 promised"},
		{"margin sell within the limit", venue.Sell, "1.5", 0, margin, ""},
		{"margin sell beyond the limit", venue.Sell, "2", 0, margin, "borrowing limit: the sell would borrow 200 in all"},
	} {
		spec := venue.OrderSpec{Symbol: "BTC-USD", Side: c.side, Type: venue.Market, Quantity: money.MustParse(c.qty)}
		err := p.CheckOrder(&spec, money.FromInt(c.cost), ref, c.m)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q...", c.name, err, c.want)
		}
	}
}
