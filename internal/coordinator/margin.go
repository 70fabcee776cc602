package coordinator

import (
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
)

// Margin is a margin account's terms: it may sell what it does not hold,
// borrowing the asset, as long as everything borrowed is worth at most
// MaxBorrow at the latest marks.
type Margin struct {
	// MaxBorrow is the largest borrowed notional, in the quote currency.
	MaxBorrow money.Decimal
	// RateBps is the yearly interest on the borrowed notional, in basis
	// points, charged as fees on the short positions (see chargeBorrowing).
	RateBps int64
}

// chargePeriod is how much event time passes between two interest charges:
// long enough that rounding each charge to 8 decimals loses nothing that
// matters, short enough that equity follows the cost closely.
const chargePeriod = time.Second

// chargeBorrowing charges the interest due on the short positions since the
// last charge, once at least chargePeriod of event time has passed.
func (c *Coordinator) chargeBorrowing(now time.Time) {
	if c.charged.IsZero() || now.Before(c.charged) {
		c.charged = now
		return
	}
	elapsed := now.Sub(c.charged)
	if elapsed < chargePeriod {
		return
	}
	c.charged = now
	if _, err := c.cfg.Portfolio.ChargeBorrowing(c.cfg.Margin.RateBps, elapsed); err != nil {
		c.recordErr(&c.riskErr, fmt.Errorf("borrowing cost: %w", err))
	}
}

// check refuses a sell that would borrow short more of symbol when the
// account's borrowing, valued at the marks and short at ref, would pass
// MaxBorrow.
func (m *Margin) check(pf *portfolio.Portfolio, symbol string, short, ref money.Decimal) error {
	borrowed := pf.Borrowing(symbol)
	total := borrowed.Add(short.Mul(ref))
	if total.Cmp(m.MaxBorrow) > 0 {
		return fmt.Errorf("borrowing limit: the sell would borrow %s in all, over the account's max borrow of %s (%s borrowed or promised on other symbols)",
			total, m.MaxBorrow, borrowed)
	}
	return nil
}
