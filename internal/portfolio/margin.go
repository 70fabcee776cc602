package portfolio

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Margin is a margin account's terms: it may sell what it does not hold,
// borrowing the asset, as long as everything borrowed is worth at most
// MaxBorrow at the latest marks.
type Margin struct {
	// MaxBorrow is the largest borrowed notional, in the quote currency.
	MaxBorrow money.Decimal
	// RateBps is the yearly interest on the borrowed notional, in basis
	// points, charged as fees on the short positions (see
	// ChargeBorrowing).
	RateBps int64
}

// Borrowing is what the account has borrowed or promised to borrow,
// valued at the marks, over every symbol but except: for each, the
// quantity its open sells promise beyond what is held (a short counts in
// full).
func (p *Portfolio) Borrowing(except string) money.Decimal {
	var total money.Decimal
	for symbol, pos := range p.positions {
		if symbol == except {
			continue
		}
		if short := p.reservedQty[symbol].Sub(pos.qty); short.IsPositive() {
			total = total.Add(short.Mul(pos.mark))
		}
	}
	return total
}

// ChargeBorrowing charges interest at rateBps a year, for elapsed, on every
// short position's notional at its mark: a fee on that position (so the
// books reconcile as for any fee), paid from cash. It returns the total
// charged. Each charge rounds once, half away from zero; callers charge
// over periods long enough that rounding does not matter.
func (p *Portfolio) ChargeBorrowing(rateBps int64, elapsed time.Duration) (total money.Decimal, err error) {
	if rateBps <= 0 || elapsed <= 0 {
		return money.Decimal{}, nil
	}
	defer money.RecoverOverflow(&err)
	for _, pos := range p.positions {
		if !pos.qty.IsNegative() {
			continue
		}
		yearly := pos.qty.Abs().Mul(pos.mark).MulBps(rateBps)
		fee, err := yearly.MulQuo(money.FromUnits(int64(elapsed)), money.FromUnits(int64(year)))
		if err != nil {
			return total, err
		}
		pos.fees = pos.fees.Add(fee)
		p.fees = p.fees.Add(fee)
		p.cash = p.cash.Sub(fee)
		total = total.Add(fee)
	}
	return total, nil
}

// year is what a yearly rate is a rate for: 365 days.
const year = 365 * 24 * time.Hour
