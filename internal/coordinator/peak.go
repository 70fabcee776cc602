package coordinator

import "github.com/tradectl/tradectl/internal/money"

// EquityPeak is a session's highest equity and its largest fall from a
// peak, taken from the equity after every event and at every commit, so
// a trough between two points of the stored curve (one every few
// seconds) still counts. It is the session's own: the risk guard keeps a
// trailing peak of its own, which a kill-switch reset restarts; this one
// only a new session does. A resumed session carries it on
// (Config.Peak), from what the journal committed with its last tick.
type EquityPeak struct {
	Peak        money.Decimal
	MaxDrawdown money.Decimal
}

// Drawdown is how far equity is below the peak, 0 at or above it.
func (p EquityPeak) Drawdown(equity money.Decimal) money.Decimal {
	if equity.Cmp(p.Peak) >= 0 {
		return money.Decimal{}
	}
	return p.Peak.Sub(equity)
}

// Observe takes equity into p. It allocates nothing: it runs on every
// event of the loop. A backtest's figures come from it too (its loop's
// Observe hook), so that a run and a session never differ on how a
// drawdown is taken.
func (p *EquityPeak) Observe(equity money.Decimal) {
	if equity.Cmp(p.Peak) > 0 {
		p.Peak = equity
		return
	}
	if dd := p.Peak.Sub(equity); dd.Cmp(p.MaxDrawdown) > 0 {
		p.MaxDrawdown = dd
	}
}
