// Package coordinator is the trading loop. For every market event it lets
// the venue match, books the fills, marks the portfolio, feeds the kill
// switch, asks the strategy, and passes each order the strategy wants
// through the risk guard before it reaches the venue. The same code runs a
// live paper session (on a ticker, draining the events due by now) and a
// backtest (draining a replay as fast as the machine allows).
//
// It owns the venue, the portfolio and the risk guard, on one goroutine:
// whatever others need it publishes through atomics or hands over on its
// own goroutine (commands), so an observer can never block an event. It
// must never wait on the monitor, a watcher or the network other than
// through its source, and never decides what only one of its parts knows:
// how an order matches is the venue's (venue.Venue), what the account can
// promise the portfolio's, which limits hold the risk guard's.
//
// This file is the loop. Around it: config.go builds a coordinator,
// account.go is the glue between the venue's orders and the account,
// margin.go charges a margin account's interest as event time passes,
// budget.go and refusals.go bound and summarize the intents it refuses,
// journal.go makes ticks durable, command.go runs others' requests on the
// loop, stats.go and errlog.go publish what it did and what failed.
package coordinator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/chaos"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

// Coordinator runs the loop. Run may be called again after a panic (a
// supervisor restarts it): the venue, portfolio and counters carry over.
type Coordinator struct {
	cfg      Config
	reporter strategy.Reporter // cfg.Strategy, if it tracks its orders
	account  account

	// The event in hand and scratch slices, reused for every event so the
	// loop does not allocate: a local event whose address went to the
	// strategy would escape to the heap, once per event.
	ev      market.Event
	reports []venue.ExecutionReport
	actions []strategy.Action
	idBuf   []byte
	nextID  uint64
	last    map[string]market.Quote // the latest top of book per symbol
	cmds    chan *command
	// charged is the event time up to which a margin account's interest
	// has been charged; zero until the first event (a resumed session
	// charges nothing for the time the daemon was down: no market moved
	// the paper venue then).
	charged time.Time
	// pending is the tick being collected for the journal; venueState is
	// cfg.Venue if the journal keeps its state (see venueState).
	pending    Tick
	venueDirty bool
	venueState venueState
	// writeAhead: the venue's orders leave the process, so each is
	// committed before it is sent (see venue.WriteAhead).
	writeAhead bool
	// budget bounds the intents that reach the checks (see intentBudget);
	// refusals summarizes the refused ones (see refuse).
	budget intentBudget
	// dropErr is why an intent beyond the budget was dropped; the budget's
	// rate is fixed, so it is made once, not per dropped intent.
	dropErr  error
	refusals refusalLog
	// errLogs keeps a failure that repeats every tick from flooding the log.
	errLogs errLogs

	ticks, events, ordersSent, fills, rejects atomic.Uint64
	dropped                                   atomic.Uint64
	lastTick, lastEvent, tickStart            atomic.Int64 // unix ns, 0 = never
	feedErr, orderErr, riskErr, storeErr      atomic.Pointer[TimedError]
	openOrders                                atomic.Int64
	exhausted                                 atomic.Bool
	// peak is the loop's; shown is the account and the peak Stats shows,
	// published in one pointer: stored one after the other, a reader
	// between the two stores saw an equity above the peak shown with it.
	peak  EquityPeak
	shown atomic.Pointer[shownAccount]
}

// Run processes the events due at once, then every tick interval, until
// ctx is done. A tick in hand is finished, not abandoned, when ctx is
// cancelled: stopping half-way through sending orders would leave the
// account in a state nobody decided on. Commands (a kill-switch reset, say)
// run between ticks, at once.
func (c *Coordinator) Run(ctx context.Context) error {
	if c.cfg.TickInterval <= 0 {
		return errors.New("coordinator: Run needs a tick interval; use Backtest to drain a source")
	}
	c.Tick(ctx)
	t := time.NewTicker(c.cfg.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			c.Tick(ctx)
		case cmd := <-c.cmds:
			cmd.exec()
		}
	}
}

// Tick processes every event due by now. Source and venue errors are
// recorded and shown in health, not fatal: the next tick tries again.
func (c *Coordinator) Tick(ctx context.Context) {
	tctx := context.WithoutCancel(ctx)
	now := c.cfg.Now()
	c.tickStart.Store(now.UnixNano())
	defer c.tickStart.Store(0)
	chaos.Hit(chaos.Coordinator)
	chaos.Hit(chaos.Tick)
	for !c.exhausted.Load() {
		var ok bool
		var err error
		c.ev, ok, err = c.cfg.Source.Next(tctx, now)
		if errors.Is(err, io.EOF) {
			c.exhausted.Store(true)
			c.cfg.Logger.Warn("market data source exhausted")
			break
		}
		if err != nil {
			c.recordErr(&c.feedErr, fmt.Errorf("market data: %w", err))
			break
		}
		if !ok {
			break
		}
		c.OnEvent(&c.ev)
	}
	c.lastEvent.Store(c.cfg.Now().UnixNano())
	// Counted before the commit, which stores the count with the tick.
	c.ticks.Add(1)
	_ = c.Flush(tctx) // a failure halts trading and shows in health
	c.publishSnapshot()
	c.lastTick.Store(c.cfg.Now().UnixNano())
}

// Backtest drains the source as fast as the machine allows, until it ends
// (nil), ctx is done, or the source fails.
func (c *Coordinator) Backtest(ctx context.Context) error {
	end := time.Unix(1<<62, 0)
	for n := 0; ; n++ {
		if n&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var ok bool
		var err error
		c.ev, ok, err = c.cfg.Source.Next(ctx, end)
		if errors.Is(err, io.EOF) || (err == nil && !ok) {
			c.publishSnapshot()
			return nil
		}
		if err != nil {
			return fmt.Errorf("market data: %w", err)
		}
		c.OnEvent(&c.ev)
	}
}

// OnEvent runs the loop's five steps for one event. It allocates nothing
// unless an order is placed.
func (c *Coordinator) OnEvent(ev *market.Event) {
	c.events.Add(1)
	c.reports = c.cfg.Venue.OnEvent(ev, c.reports[:0])
	c.handle(c.reports)
	if ev.Kind == market.EventHeartbeat {
		return // no market data: nothing to mark, nothing new to decide on
	}
	q := ev.Quote()
	c.last[ev.Symbol] = q
	c.cfg.Portfolio.Mark(q)
	if c.cfg.Margin != nil {
		c.chargeBorrowing(ev.Time)
	}
	equity := c.cfg.Portfolio.Equity()
	c.peak.Observe(equity)
	if c.cfg.Risk.OnEquity(equity, ev.Time) {
		c.halted(ev.Time)
	}
	if c.cfg.Observe != nil {
		c.cfg.Observe(ev.Time, equity)
	}
	// A halted session asks its strategy nothing: no order could pass, and
	// a strategy placing on every event would flood the order book with
	// rejections.
	if c.cfg.Risk.State() == risk.Halted {
		return
	}
	chaos.Hit(chaos.Strategy)
	c.actions = c.cfg.Strategy.OnEvent(ev, &c.account, c.actions[:0])
	for i := range c.actions {
		c.act(&c.actions[i], ev)
	}
}

// act carries out one strategy action.
func (c *Coordinator) act(a *strategy.Action, ev *market.Event) {
	switch a.Kind {
	case strategy.ActionPlace:
		c.place(a.Order, ev)
	case strategy.ActionCancel:
		rs, err := c.cfg.Venue.Cancel(a.CancelID, ev.Time, c.reports[:0])
		c.reports = rs
		if err != nil {
			c.recordErr(&c.orderErr, fmt.Errorf("cancel %s: %w", a.CancelID, err))
			return
		}
		c.handle(rs)
	}
}

// place sends an intent to the venue if the intent budget, the cash check
// and the risk guard let it pass, and only then makes it an order: assigns
// an id and records it. A refusal is summarized, not stored as an order
// (see refuse).
func (c *Coordinator) place(spec venue.OrderSpec, ev *market.Event) {
	if !c.budget.take(ev.Time) {
		c.drop(spec, ev.Time)
		return
	}
	q, known := c.last[spec.Symbol]
	if spec.Symbol == ev.Symbol {
		q, known = ev.Quote(), true
	}
	ref := q.Ask
	if spec.Side == venue.Sell {
		ref = q.Bid
	}
	var err error
	rule := RuleNoMarketData
	switch {
	case !known:
		err = fmt.Errorf("no market data for %s yet", spec.Symbol)
	default:
		err, rule = c.checkAccount(spec, ref), RuleAccount
	}
	if err == nil {
		err = c.cfg.Risk.Check(spec, ref, c.cfg.Portfolio.Position(spec.Symbol), c.cfg.Venue.OpenTotal(), ev.Time)
		rule = ruleOf(err)
	}
	var id string
	if err == nil {
		// The reservation is keyed by the order's id, so the id is drawn
		// first; the rare order the portfolio will not reserve for (one
		// that could promise nothing) leaves a gap in the numbering.
		id = c.newID()
		err, rule = c.reserve(id, spec, ref), risk.RuleOrder
	}
	if err != nil {
		c.refuse(spec, rule, err, ev.Time)
		return
	}
	c.ordersSent.Add(1)
	if e, err := c.cfg.Orders.Submitted(id, spec, ref, ev.Time); err != nil {
		c.recordErr(&c.orderErr, fmt.Errorf("order book: %w", err))
	} else {
		if c.cfg.Journal != nil {
			c.pending.NewOrders = append(c.pending.NewOrders, NewOrder{ClientID: id, Seq: c.nextID})
		}
		c.record(e)
	}
	if c.writeAhead && !c.commitAhead(id, spec, ev.Time) {
		return
	}
	decision := *ev
	if spec.Symbol != ev.Symbol {
		// The venue prices against the decision's book only when it is
		// the order's own symbol; otherwise the latest top of book.
		decision = market.Event{Kind: market.EventBook, Symbol: q.Symbol, Time: ev.Time, Bid: q.Bid, Ask: q.Ask}
	}
	c.reports = c.cfg.Venue.Submit(spec, id, decision, ev.Time, c.reports[:0])
	c.handle(c.reports)
}

// halted runs the kill switch's consequence: every open order is
// cancelled at once.
func (c *Coordinator) halted(now time.Time) {
	c.cfg.Logger.Warn("kill switch tripped: trading halted, cancelling open orders", "reason", c.cfg.Risk.Reason(),
		"open_orders", c.cfg.Venue.OpenTotal())
	c.reports = c.cfg.Venue.CancelAll(now, c.reports[:0])
	c.handle(c.reports)
	if c.cfg.OnHalt != nil {
		c.cfg.OnHalt()
	}
}

// handle books a batch of execution reports: order book, portfolio,
// strategy, watchers, in that order.
func (c *Coordinator) handle(rs []venue.ExecutionReport) {
	for i := range rs {
		r := &rs[i]
		ev, err := c.cfg.Orders.Apply(r)
		if err != nil {
			c.recordErr(&c.orderErr, fmt.Errorf("order book: %w", err))
		}
		if r.FillQuantity.IsPositive() {
			if err := c.cfg.Portfolio.Apply(r.Fill()); err != nil {
				// The venue executed it, so the books must hear of it:
				// a fill the portfolio refuses is a bug worth stopping
				// for. The books are half-updated now, so the panic is
				// a FatalError: a supervisor must not restart on them.
				panic(&FatalError{Err: fmt.Errorf("portfolio refused fill of %s: %w", r.ClientID, err)})
			}
			c.fills.Add(1)
		}
		if r.State.Final() {
			// A fill already took its share (Portfolio.Apply); an order
			// that ended gives back the rest.
			c.cfg.Portfolio.Release(r.ClientID)
		}
		if r.State == venue.StateRejected {
			c.recordErr(&c.orderErr, fmt.Errorf("order %s rejected by the venue: %s", r.ClientID, r.Reason))
		}
		if c.reporter != nil {
			c.reporter.OnReport(r)
		}
		if err == nil {
			c.record(ev)
		}
	}
	c.openOrders.Store(int64(c.cfg.Venue.OpenTotal()))
}

func (c *Coordinator) newID() string {
	c.nextID++
	c.idBuf = append(append(c.idBuf[:0], c.cfg.OrderPrefix...), '-')
	c.idBuf = strconv.AppendUint(c.idBuf, c.nextID, 10)
	return string(c.idBuf)
}
