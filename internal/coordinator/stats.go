package coordinator

import (
	"time"

	"github.com/tradectl/tradectl/internal/portfolio"
)

// Stats is what the loop has done, read without stopping it.
type Stats struct {
	// Orders are the orders sent to the venue; Rejects the intents the
	// loop refused (a risk limit, cash, no market data); Dropped the
	// intents beyond the intent budget, which no check even saw.
	Ticks, Events, Orders, Fills, Rejects, Dropped uint64
	OpenOrders                                     int
	// LastTick and LastEvent are zero until the first one.
	LastTick, LastEvent time.Time
	// TickStarted is when the tick in hand began; zero between ticks.
	TickStarted time.Time
	// FeedError, OrderError (the venue's rejections and cancel
	// failures) and RiskError (orders the loop refused) are the latest of
	// each kind, or nil.
	FeedError, OrderError, RiskError *TimedError
	// StoreError is the latest failure to commit a tick, or nil.
	StoreError *TimedError
	// Exhausted: the source has no more events (a replay that ended).
	Exhausted bool
	Account   *portfolio.Snapshot
	// Peak is the session's peak equity and largest drawdown as of the
	// last tick (see EquityPeak), published with Account, so that it
	// always covers Account's equity.
	Peak EquityPeak
}

// shownAccount is what publishSnapshot publishes for Stats.
type shownAccount struct {
	account portfolio.Snapshot
	peak    EquityPeak
}

// Stats may be called from any goroutine.
func (c *Coordinator) Stats() Stats {
	shown := c.shown.Load()
	return Stats{
		Ticks:       c.ticks.Load(),
		Events:      c.events.Load(),
		Orders:      c.ordersSent.Load(),
		Fills:       c.fills.Load(),
		Rejects:     c.rejects.Load(),
		Dropped:     c.dropped.Load(),
		OpenOrders:  int(c.openOrders.Load()),
		LastTick:    unixNano(c.lastTick.Load()),
		LastEvent:   unixNano(c.lastEvent.Load()),
		TickStarted: unixNano(c.tickStart.Load()),
		FeedError:   c.feedErr.Load(),
		OrderError:  c.orderErr.Load(),
		RiskError:   c.riskErr.Load(),
		StoreError:  c.storeErr.Load(),
		Exhausted:   c.exhausted.Load(),
		Account:     &shown.account,
		Peak:        shown.peak,
	}
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func (c *Coordinator) publishSnapshot() {
	snap := c.cfg.Portfolio.Snapshot()
	// Between ticks (a stop's last settlement) equity may move without a
	// commit: the peak shown always covers the equity shown.
	c.peak.Observe(snap.Equity)
	c.shown.Store(&shownAccount{account: snap, peak: c.peak})
}
