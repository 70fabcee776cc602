package portfolio

import (
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"pgregory.net/rapid"
)

var symbols = []string{"BTC-USD", "ETH-USD", "SOL-USD"}

// model is what the invariants are checked against, kept independently of
// the portfolio's own bookkeeping: sums over the fills and the latest marks.
type model struct {
	start, fees  money.Decimal
	paid         money.Decimal // Σ signed notional: buys positive
	qty, paidSym map[string]money.Decimal
	mark         map[string]money.Decimal
}

func units(lo, hi int64) *rapid.Generator[money.Decimal] {
	return rapid.Custom(func(t *rapid.T) money.Decimal {
		return money.FromUnits(rapid.Int64Range(lo, hi).Draw(t, "units"))
	})
}

// TestPropInvariants applies random flows of fills and marks over several
// symbols — opening, adding, reducing, closing exactly and flipping, at
// prices and quantities with all 8 decimals — and checks after every step
// that the account reconciles to the last unit.
func TestPropInvariants(t *testing.T) {
	const unit = 100_000_000
	rapid.Check(t, func(t *rapid.T) {
		m := model{
			start:   units(0, 1_000_000_000*unit).Draw(t, "start"),
			qty:     map[string]money.Decimal{},
			paidSym: map[string]money.Decimal{},
			mark:    map[string]money.Decimal{},
		}
		p := New("USD", m.start)
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for range steps {
			sym := rapid.SampledFrom(symbols).Draw(t, "symbol")
			held := m.qty[sym]
			switch rapid.IntRange(0, 4).Draw(t, "op") {
			case 0: // mark
				bid := units(1, 100_000*unit).Draw(t, "bid")
				ask := bid.Add(units(0, 100*unit).Draw(t, "spread"))
				q := market.Quote{Symbol: sym, Bid: bid, Ask: ask}
				p.Mark(q)
				m.mark[sym] = q.Mid()
				continue
			case 1, 2: // an arbitrary fill
				side := rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(t, "side")
				applyBoth(t, p, &m, sym, side, units(1, 1_000*unit).Draw(t, "qty"))
			case 3: // close exactly, or open if flat
				side := venue.Sell
				qty := held.Abs()
				if held.IsNegative() {
					side = venue.Buy
				}
				if held.IsZero() {
					side, qty = venue.Buy, units(1, 1_000*unit).Draw(t, "qty")
				}
				applyBoth(t, p, &m, sym, side, qty)
			case 4: // flip through zero
				side := venue.Sell
				if held.IsNegative() {
					side = venue.Buy
				}
				applyBoth(t, p, &m, sym, side, held.Abs().Add(units(1, 1_000*unit).Draw(t, "extra")))
			}
		}
	})
}

func applyBoth(t *rapid.T, p *Portfolio, m *model, sym string, side venue.Side, qty money.Decimal) {
	const unit = 100_000_000
	f := venue.Fill{
		ClientID: "c", Symbol: sym, Side: side, Quantity: qty,
		Price: units(1, 100_000*unit).Draw(t, "price"),
		Fee:   units(0, 100*unit).Draw(t, "fee"),
	}
	if err := p.Apply(f); err != nil {
		t.Fatalf("Apply(%+v): %v", f, err)
	}
	notional := f.Quantity.Mul(f.Price)
	signedQty := f.Quantity
	if side == venue.Sell {
		notional, signedQty = notional.Neg(), signedQty.Neg()
	}
	m.qty[sym] = m.qty[sym].Add(signedQty)
	m.paid = m.paid.Add(notional)
	m.paidSym[sym] = m.paidSym[sym].Add(notional)
	m.fees = m.fees.Add(f.Fee)
	if _, ok := m.mark[sym]; !ok {
		m.mark[sym] = f.Price
	}
	checkInvariants(t, p, m)
}

func checkInvariants(t *rapid.T, p *Portfolio, m *model) {
	s := p.Snapshot()
	for _, sym := range symbols {
		if got := p.Position(sym); got != m.qty[sym] {
			t.Fatalf("position %s = %s, want Σ fills %s", sym, got, m.qty[sym])
		}
	}
	if want := m.start.Sub(m.paid).Sub(m.fees); s.Cash != want {
		t.Fatalf("cash = %s, want start − Σ notional − Σ fees = %s", s.Cash, want)
	}
	if s.FeesPaid != m.fees {
		t.Fatalf("fees = %s, want %s", s.FeesPaid, m.fees)
	}
	equity := s.Cash
	for _, sym := range symbols {
		equity = equity.Add(m.qty[sym].Mul(m.mark[sym]))
	}
	if s.Equity != equity {
		t.Fatalf("equity = %s, want cash + Σ qty×mark = %s", s.Equity, equity)
	}
	if lhs, rhs := s.Equity.Sub(s.StartingCash), s.RealizedPnL.Add(s.UnrealizedPnL).Sub(s.FeesPaid); lhs != rhs {
		t.Fatalf("equity − start = %s, realized + unrealized − fees = %s", lhs, rhs)
	}
	// Per position: open ones listed in order with the model's quantity and
	// mark, unrealized = round(qty×mark) − basis, and the parts sum to the
	// whole.
	var unrealized, realizedOpen money.Decimal
	open := 0
	for i, ps := range s.Positions {
		if i > 0 && s.Positions[i-1].Symbol >= ps.Symbol {
			t.Fatalf("positions not sorted: %v", s.Positions)
		}
		if ps.Quantity != m.qty[ps.Symbol] || ps.Quantity.IsZero() || ps.MarkPrice != m.mark[ps.Symbol] {
			t.Fatalf("position %+v disagrees with model", ps)
		}
		if ps.UnrealizedPnL != ps.Quantity.Mul(ps.MarkPrice).Sub(ps.CostBasis) {
			t.Fatalf("position %+v: unrealized is not value − basis", ps)
		}
		if ps.CostBasis.Sign()*ps.Quantity.Sign() < 0 || !ps.AveragePrice.IsPositive() && !ps.CostBasis.IsZero() {
			t.Fatalf("position %+v: basis or average price has the wrong sign", ps)
		}
		unrealized = unrealized.Add(ps.UnrealizedPnL)
		realizedOpen = realizedOpen.Add(ps.RealizedPnL)
		open++
	}
	if unrealized != s.UnrealizedPnL {
		t.Fatalf("Σ position unrealized = %s, total %s", unrealized, s.UnrealizedPnL)
	}
	// A flat symbol has no basis left, so all it paid is realized:
	// realized = −Σ signed notional for that symbol.
	realizedFlat := money.Decimal{}
	for _, sym := range symbols {
		if m.qty[sym].IsZero() {
			realizedFlat = realizedFlat.Sub(m.paidSym[sym])
		} else {
			open--
		}
	}
	if open != 0 {
		t.Fatalf("snapshot lists %d positions more than are open", open)
	}
	if realizedOpen.Add(realizedFlat) != s.RealizedPnL {
		t.Fatalf("Σ per-symbol realized = %s + %s, total %s", realizedOpen, realizedFlat, s.RealizedPnL)
	}
}
