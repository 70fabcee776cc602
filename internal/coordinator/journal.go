package coordinator

import (
	"context"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// Journal makes a tick durable. With a Journal the coordinator collects
// what a tick changed and hands it over at the end of the tick; only when
// Commit returns nil are the tick's order events published. So nothing a
// watcher or a query has seen can be lost in a crash, and a crash loses at
// most the tick in hand, in full: books, account, venue and risk state move
// together.
type Journal interface {
	Commit(ctx context.Context, t *Tick) error
}

// Tick is what one tick changed.
type Tick struct {
	Time time.Time
	// NewOrders are the orders placed, with the counter that made each
	// client id.
	NewOrders []NewOrder
	// Events are the order events in the order they happened: each new
	// order's NEW, then its transitions and fills.
	Events []orders.Event
	// Refusals summarize the intents refused in the tick (see Refusal).
	Refusals  []Refusal
	Portfolio portfolio.State
	// Equity is the account's equity at Time, as Stats shows it.
	Equity money.Decimal
	Risk   risk.GuardState
	// Peak is the session's peak and largest drawdown so far, Equity
	// included (see EquityPeak).
	Peak EquityPeak
	// Venue is the venue's state, nil when no order changed at the venue
	// or the venue keeps no state for the journal (see venueState).
	Venue *matching.State
	// Counts are the loop's counters with this tick done: committed with
	// the rows they count, they always agree with them.
	Counts Counts
}

// venueState is a venue whose state the journal keeps with every tick, so
// that a resumed session restores it (matching.Restore): the paper venue.
// A live venue keeps its orders itself and is asked for them on resume, so
// Venue does not require it; the loop looks for it once, in New.
type venueState interface {
	State() matching.State
}

// Counts are the loop's running totals. A resumed session's loop starts
// from the committed ones (Config.Counts), so that they span the session,
// not the process.
type Counts struct {
	Ticks, Events, Orders, Fills, Rejects uint64
}

// NewOrder is an order placed in a tick.
type NewOrder struct {
	ClientID string
	Seq      uint64
}

// record keeps an order event for the journal, or publishes it at once when
// there is no journal.
func (c *Coordinator) record(e orders.Event) {
	if c.cfg.Journal == nil {
		if c.cfg.Publish != nil {
			c.cfg.Publish(e)
		}
		return
	}
	c.pending.Events = append(c.pending.Events, e)
	c.venueDirty = true
}

// Flush commits what changed since the last commit and then publishes its
// events. On failure it halts trading, since the loop's books are ahead of
// the disk, and keeps the changes to commit with the next tick: the states
// are taken afresh then, the events accumulate. Call it on the loop's
// goroutine, or after the loop stopped.
func (c *Coordinator) Flush(ctx context.Context) error {
	if c.cfg.Journal == nil {
		return nil
	}
	t := &c.pending
	t.Time = c.cfg.Now()
	t.Portfolio = c.cfg.Portfolio.State()
	t.Equity = c.cfg.Portfolio.Equity()
	// A fill booked on a heartbeat moves equity without a mark: the tick's
	// own equity counts too.
	c.peak.Observe(t.Equity)
	t.Peak = c.peak
	t.Risk = c.cfg.Risk.GuardState()
	t.Counts = Counts{Ticks: c.ticks.Load(), Events: c.events.Load(), Orders: c.ordersSent.Load(),
		Fills: c.fills.Load(), Rejects: c.rejects.Load()}
	t.Venue = nil
	if c.venueDirty && c.venueState != nil {
		v := c.venueState.State()
		t.Venue = &v
	}
	if err := c.cfg.Journal.Commit(ctx, t); err != nil {
		c.recordErr(&c.storeErr, fmt.Errorf("store: %w", err))
		if c.cfg.Risk.State() != risk.Halted {
			c.cfg.Risk.Halt("the store failed to commit a tick: "+err.Error(), c.cfg.Now())
			c.halted(c.cfg.Now())
		}
		return err
	}
	c.errLogs.recovered(c.cfg.Logger, &c.storeErr, c.cfg.Now())
	if c.cfg.Publish != nil {
		for _, e := range t.Events {
			c.cfg.Publish(e)
		}
	}
	c.venueDirty = false
	t.NewOrders, t.Events, t.Refusals = t.NewOrders[:0], t.Events[:0], t.Refusals[:0]
	return nil
}

// commitAhead commits the tick so far, the new order id among it, before a
// write-ahead venue sends the order (see venue.WriteAhead). If the store
// fails the order is not sent: it is rejected here, and Flush has halted
// trading. It reports whether the order may go.
func (c *Coordinator) commitAhead(id string, spec venue.OrderSpec, now time.Time) bool {
	err := c.Flush(context.Background())
	if err == nil {
		return true
	}
	c.reports = append(c.reports[:0], venue.ExecutionReport{ClientID: id, Symbol: spec.Symbol, Side: spec.Side,
		State: venue.StateRejected, Remaining: spec.Quantity, Time: now,
		Reason: "not sent: the store could not commit the order before sending it: " + err.Error()})
	c.handle(c.reports)
	return false
}
