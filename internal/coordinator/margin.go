package coordinator

import (
	"fmt"
	"time"
)

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
