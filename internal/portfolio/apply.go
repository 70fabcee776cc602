package portfolio

import (
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Apply books a fill: a buy pays its notional (quantity × price, rounded
// half away from zero to 8 decimals) plus the fee, a sell receives the
// notional less the fee. Positions are signed; a fill may reduce, close or
// flip one. A fill that reduces a position releases the closed share of the
// cost basis, prorated exactly and rounded once; the difference from the
// proceeds is realized PnL.
//
// Apply rejects a fill with an empty symbol, an invalid side, a non-positive
// quantity or price, or a negative fee, and returns an error wrapping
// money.ErrOverflow if the account would leave Decimal's range; either way
// nothing changes. A fill of an order holding a reservation consumes it.
func (p *Portfolio) Apply(f venue.Fill) (err error) {
	if err := validate(f); err != nil {
		return err
	}
	// Everything is computed before anything is stored, so an overflow
	// panic, turned into an error here, leaves the account untouched.
	defer money.RecoverOverflow(&err)

	pos := p.positions[f.Symbol]
	var qty, basis money.Decimal
	if pos != nil {
		qty, basis = pos.qty, pos.basis
	}
	notional := f.Quantity.Mul(f.Price)
	signedQty, signedNotional := f.Quantity, notional
	if f.Side == venue.Sell {
		signedQty, signedNotional = f.Quantity.Neg(), notional.Neg()
	}
	newQty := qty.Add(signedQty)
	newBasis, err := nextBasis(qty, basis, newQty, f.Price)
	if err != nil {
		return err
	}
	// Realized PnL is whatever of the cash paid did not become basis.
	realized := newBasis.Sub(basis).Sub(signedNotional)
	cash := p.cash.Sub(signedNotional).Sub(f.Fee)
	totalRealized := p.realized.Add(realized)
	totalFees := p.fees.Add(f.Fee)
	var posRealized, posFees money.Decimal
	if pos != nil {
		posRealized, posFees = pos.realized, pos.fees
	}
	posRealized = posRealized.Add(realized)
	posFees = posFees.Add(f.Fee)

	if pos == nil {
		pos = p.entry(f.Symbol)
	}
	pos.qty, pos.basis = newQty, newBasis
	pos.realized, pos.fees = posRealized, posFees
	if !pos.marked {
		pos.mark, pos.marked = f.Price, true
	}
	p.cash, p.realized, p.fees = cash, totalRealized, totalFees
	// The fill spends what its order reserved: the books and the promise
	// move together, so no caller can forget one of them.
	if r, ok := p.reserved[f.ClientID]; ok {
		cost := money.Decimal{}
		if f.Side == venue.Buy {
			cost = notional.Add(f.Fee)
		}
		p.consume(&r, f.Quantity, cost)
	}
	return nil
}

// nextBasis returns the cost basis of newQty after a fill at price moved the
// position from qty with basis. Growing on the same side adds the fill's
// notional; shrinking keeps the remaining share of the old basis; crossing
// zero starts a fresh basis for the new side at the fill price.
func nextBasis(qty, basis, newQty, price money.Decimal) (money.Decimal, error) {
	switch {
	case newQty.IsZero():
		return money.Decimal{}, nil
	case qty.IsZero() || qty.Sign() != newQty.Sign():
		// Opening, or flipping through zero: the new position's basis is
		// its own notional.
		return newQty.Mul(price), nil
	case newQty.Abs().Cmp(qty.Abs()) > 0:
		// Adding: the basis grows by what was paid for the addition.
		return basis.Add(newQty.Sub(qty).Mul(price)), nil
	default:
		// Reducing: keep basis × newQty/qty, rounded once.
		return basis.MulQuo(newQty, qty)
	}
}

func validate(f venue.Fill) error {
	var reason string
	switch {
	case f.Symbol == "":
		return errors.New("portfolio: fill has no symbol")
	case f.Side != venue.Buy && f.Side != venue.Sell:
		reason = fmt.Sprintf("invalid side %d", f.Side)
	case !f.Quantity.IsPositive():
		reason = "quantity " + f.Quantity.String() + " is not positive"
	case !f.Price.IsPositive():
		reason = "price " + f.Price.String() + " is not positive"
	case f.Fee.IsNegative():
		reason = "fee " + f.Fee.String() + " is negative"
	default:
		return nil
	}
	return fmt.Errorf("portfolio: fill %q of %s: %s", f.ClientID, f.Symbol, reason)
}
