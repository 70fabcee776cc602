package risk

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// OnEquity tells the guard the account's equity at now and trips the kill
// switch if a drawdown limit is exceeded: the state becomes HALTED with a
// reason naming the rule and the figures. It reports whether this call
// tripped it.
func (g *Guard) OnEquity(equity money.Decimal, now time.Time) (tripped bool) {
	g.equity = equity
	if equity.Cmp(g.peak) > 0 {
		g.peak = equity
	}
	if g.status.Load().state == Halted {
		return false
	}
	l := &g.limits
	var reason string
	switch {
	case exceeds(g.start, equity, l.MaxDrawdown):
		reason = drawdownReason(RuleMaxDrawdown, "the starting equity", g.start, equity, l.MaxDrawdown)
	case exceeds(g.peak, equity, l.MaxTrailingDrawdown):
		reason = drawdownReason(RuleMaxTrailingDrawdown, "the peak equity", g.peak, equity, l.MaxTrailingDrawdown)
	default:
		return false
	}
	return g.halt(reason, now)
}

// exceeds reports whether equity is more than frac × base below base,
// comparing (base − equity) × 1 with base × frac exactly, in 128 bits.
func exceeds(base, equity, frac money.Decimal) bool {
	if !frac.IsPositive() || equity.Cmp(base) >= 0 {
		return false
	}
	loss := uint64(base.Units()) - uint64(equity.Units()) // base > equity: wraps to the right magnitude
	lhi, llo := bits.Mul64(loss, uint64(money.FromInt(1).Units()))
	rhi, rlo := bits.Mul64(uint64(base.Units()), uint64(frac.Units()))
	return lhi > rhi || (lhi == rhi && llo > rlo)
}

func drawdownReason(rule, from string, base, equity, limit money.Decimal) string {
	// Two places, or as many as it takes: rounded, a limit of 0.001% and
	// a loss of 0.0012% both read "0.00%", and a loss of 10.0008% past a
	// limit of 10% reads as no loss beyond it.
	pct := func(d money.Decimal) string {
		p := d.MulInt(100)
		if s := p.StringFixed(2); money.MustParse(s).Cmp(p) == 0 {
			return s + "%"
		}
		return p.String() + "%"
	}
	lossFrac, err := base.Sub(equity).Quo(base)
	figure := pct(lossFrac)
	if err != nil {
		figure = "more than 100%"
	}
	return fmt.Sprintf("%s: equity %s is %s below %s of %s, beyond the limit of %s",
		rule, equity, figure, from, base, pct(limit))
}
