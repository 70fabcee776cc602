package portfolio

import (
	"slices"
	"strings"

	"github.com/tradectl/tradectl/internal/money"
)

// Snapshot is the account at one moment, detached from the Portfolio: it
// may be handed to other goroutines.
type Snapshot struct {
	QuoteCurrency string
	StartingCash  money.Decimal
	Cash          money.Decimal
	// Equity is Cash plus each position's quantity × mark, each product
	// rounded half away from zero to 8 decimals.
	Equity money.Decimal
	// RealizedPnL, UnrealizedPnL and FeesPaid satisfy, exactly:
	// Equity − StartingCash = RealizedPnL + UnrealizedPnL − FeesPaid.
	RealizedPnL   money.Decimal
	UnrealizedPnL money.Decimal
	FeesPaid      money.Decimal
	// Positions are the open (non-zero) holdings, sorted by symbol.
	Positions []PositionSnapshot
}

// PositionSnapshot is one open holding.
type PositionSnapshot struct {
	Symbol   string
	Quantity money.Decimal // signed: negative is short
	// AveragePrice is |CostBasis / Quantity| rounded to 8 decimals, for
	// display only: the books keep the exact CostBasis.
	AveragePrice money.Decimal
	MarkPrice    money.Decimal
	// CostBasis is the signed cost of the open quantity: what was paid for
	// a long, minus what was received for a short.
	CostBasis money.Decimal
	// UnrealizedPnL is round(Quantity × MarkPrice) − CostBasis.
	UnrealizedPnL money.Decimal
	// RealizedPnL and FeesPaid are this symbol's totals since the start.
	RealizedPnL money.Decimal
	FeesPaid    money.Decimal
}

// Snapshot values the account at the latest marks. It allocates the
// Positions slice, and panics with money.ErrOverflow only if the account's
// value leaves Decimal's range.
func (p *Portfolio) Snapshot() Snapshot {
	s := Snapshot{
		QuoteCurrency: p.currency,
		StartingCash:  p.start,
		Cash:          p.cash,
		Equity:        p.cash,
		RealizedPnL:   p.realized,
		FeesPaid:      p.fees,
	}
	for symbol, pos := range p.positions {
		if pos.qty.IsZero() {
			continue
		}
		value := pos.qty.Mul(pos.mark)
		unrealized := value.Sub(pos.basis)
		s.Equity = s.Equity.Add(value)
		s.UnrealizedPnL = s.UnrealizedPnL.Add(unrealized)
		// Basis and quantity share a sign, so the quotient is positive; it
		// cannot fail because quantity is non-zero and the price fits.
		avg, _ := pos.basis.Quo(pos.qty)
		s.Positions = append(s.Positions, PositionSnapshot{
			Symbol:        symbol,
			Quantity:      pos.qty,
			AveragePrice:  avg,
			MarkPrice:     pos.mark,
			CostBasis:     pos.basis,
			UnrealizedPnL: unrealized,
			RealizedPnL:   pos.realized,
			FeesPaid:      pos.fees,
		})
	}
	slices.SortFunc(s.Positions, func(a, b PositionSnapshot) int {
		return strings.Compare(a.Symbol, b.Symbol)
	})
	return s
}
