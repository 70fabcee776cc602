package portfolio

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/tradectl/tradectl/internal/money"
)

// State is the whole of a Portfolio as plain data, for a durable store to
// keep across a crash. Unlike Snapshot it holds nothing derived and keeps
// flat positions too: their realized PnL, fees and last mark still count,
// and a symbol once marked keeps its mark when it is reopened.
type State struct {
	QuoteCurrency string
	StartingCash  money.Decimal
	Cash          money.Decimal
	RealizedPnL   money.Decimal
	FeesPaid      money.Decimal
	// Positions are every symbol ever filled or marked, sorted by symbol.
	Positions []PositionState
	// Reservations are what the open orders still promise, sorted by
	// client id. Kept with the books, so a resumed account does not
	// promise again what its resting orders already hold.
	Reservations []Reservation
}

// PositionState is one symbol's books.
type PositionState struct {
	Symbol    string
	Quantity  money.Decimal // signed: negative is short
	CostBasis money.Decimal // signed cost of the open quantity
	// Mark is the price the position is valued at; Marked says whether it
	// has one yet (a symbol never marked takes its first fill's price).
	Mark        money.Decimal
	Marked      bool
	RealizedPnL money.Decimal
	FeesPaid    money.Decimal
}

// State returns the portfolio as plain data; Restore(p.State()) behaves
// exactly as p does.
func (p *Portfolio) State() State {
	s := State{QuoteCurrency: p.currency, StartingCash: p.start, Cash: p.cash, RealizedPnL: p.realized, FeesPaid: p.fees,
		Positions: make([]PositionState, 0, len(p.positions))}
	for symbol, pos := range p.positions {
		s.Positions = append(s.Positions, PositionState{Symbol: symbol, Quantity: pos.qty, CostBasis: pos.basis,
			Mark: pos.mark, Marked: pos.marked, RealizedPnL: pos.realized, FeesPaid: pos.fees})
	}
	slices.SortFunc(s.Positions, func(a, b PositionState) int { return cmp.Compare(a.Symbol, b.Symbol) })
	if len(p.reserved) > 0 {
		s.Reservations = make([]Reservation, 0, len(p.reserved))
		for _, r := range p.reserved {
			s.Reservations = append(s.Reservations, r)
		}
		slices.SortFunc(s.Reservations, func(a, b Reservation) int { return cmp.Compare(a.ClientID, b.ClientID) })
	}
	return s
}

// Restore rebuilds a portfolio from s. Because the bookkeeping is exact, a
// state Apply could have produced satisfies identities that a torn or
// edited record almost never does, so Restore checks them all and refuses
// s, naming the symbol and field, rather than trade on wrong books:
// totals equal the sums over positions, cash equals starting cash +
// realized − fees − Σ cost basis (see Portfolio), a basis has its
// position's sign and is zero when flat, an open position is marked, and
// fees are not negative. Positions must be sorted by symbol, unique;
// reservations by client id, unique, each one valid for Reserve.
func Restore(s State) (*Portfolio, error) {
	if s.QuoteCurrency == "" {
		return nil, errors.New("portfolio: restore: no QuoteCurrency")
	}
	if s.FeesPaid.IsNegative() {
		return nil, fmt.Errorf("portfolio: restore: FeesPaid %s is negative", s.FeesPaid)
	}
	p := New(s.QuoteCurrency, s.StartingCash)
	p.cash, p.realized, p.fees = s.Cash, s.RealizedPnL, s.FeesPaid
	// Sums in big.Int: a partial sum may leave Decimal's range even when
	// the books are sound.
	var realized, fees, basis big.Int
	for i, ps := range s.Positions {
		if err := ps.check(); err != nil {
			return nil, err
		}
		if i > 0 && s.Positions[i-1].Symbol >= ps.Symbol {
			return nil, fmt.Errorf("portfolio: restore: position %q: Symbol not after %q: positions must be sorted and unique", ps.Symbol, s.Positions[i-1].Symbol)
		}
		p.positions[ps.Symbol] = &position{qty: ps.Quantity, basis: ps.CostBasis, mark: ps.Mark, marked: ps.Marked,
			realized: ps.RealizedPnL, fees: ps.FeesPaid}
		realized.Add(&realized, bigUnits(ps.RealizedPnL))
		fees.Add(&fees, bigUnits(ps.FeesPaid))
		basis.Add(&basis, bigUnits(ps.CostBasis))
	}
	if realized.Cmp(bigUnits(s.RealizedPnL)) != 0 {
		return nil, fmt.Errorf("portfolio: restore: RealizedPnL %s is not the sum over positions %s", s.RealizedPnL, decimal(&realized))
	}
	if fees.Cmp(bigUnits(s.FeesPaid)) != 0 {
		return nil, fmt.Errorf("portfolio: restore: FeesPaid %s is not the sum over positions %s", s.FeesPaid, decimal(&fees))
	}
	for i, r := range s.Reservations {
		if i > 0 && s.Reservations[i-1].ClientID >= r.ClientID {
			return nil, fmt.Errorf("portfolio: restore: reservation %q: ClientID not after %q: reservations must be sorted and unique", r.ClientID, s.Reservations[i-1].ClientID)
		}
		if err := p.add(r); err != nil {
			return nil, fmt.Errorf("portfolio: restore: %w", err)
		}
	}
	cash := bigUnits(s.StartingCash)
	cash.Add(cash, &realized).Sub(cash, &fees).Sub(cash, &basis)
	if cash.Cmp(bigUnits(s.Cash)) != 0 {
		return nil, fmt.Errorf("portfolio: restore: Cash %s is not StartingCash + RealizedPnL − FeesPaid − Σ CostBasis = %s", s.Cash, decimal(cash))
	}
	return p, nil
}

func (ps *PositionState) check() error {
	bad := func(field string, value money.Decimal, reason string) error {
		return fmt.Errorf("portfolio: restore: position %q: %s %s %s", ps.Symbol, field, value, reason)
	}
	switch {
	case ps.Symbol == "":
		return errors.New("portfolio: restore: position with no Symbol")
	case ps.Quantity.IsZero() && !ps.CostBasis.IsZero():
		return bad("CostBasis", ps.CostBasis, "is not zero for a flat position")
	case ps.CostBasis.Sign()*ps.Quantity.Sign() < 0:
		return bad("CostBasis", ps.CostBasis, "has the opposite sign of Quantity "+ps.Quantity.String())
	case !ps.Marked && !ps.Mark.IsZero():
		return bad("Mark", ps.Mark, "is set but Marked is false")
	case !ps.Marked && !ps.Quantity.IsZero():
		return fmt.Errorf("portfolio: restore: position %q: Marked is false for open Quantity %s", ps.Symbol, ps.Quantity)
	case ps.FeesPaid.IsNegative():
		return bad("FeesPaid", ps.FeesPaid, "is negative")
	}
	return nil
}

func bigUnits(d money.Decimal) *big.Int { return big.NewInt(d.Units()) }

// decimal formats a sum that may not fit in a Decimal, for an error.
func decimal(n *big.Int) string {
	if n.IsInt64() {
		return money.FromUnits(n.Int64()).String()
	}
	return n.String() + "e-8"
}
