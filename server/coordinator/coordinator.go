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
// through its source.
package coordinator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/chaos"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/matching"
	"github.com/tradectl/tradectl/server/money"
	"github.com/tradectl/tradectl/server/orders"
	"github.com/tradectl/tradectl/server/portfolio"
	"github.com/tradectl/tradectl/server/risk"
	"github.com/tradectl/tradectl/server/strategy"
)

// Config is what a coordinator trades with.
type Config struct {
	// OrderPrefix starts every client order id, making ids unique per
	// session.
	OrderPrefix  string
	TickInterval time.Duration
	Source       market.Source
	Venue        *matching.Engine
	Strategy     strategy.Strategy
	Portfolio    *portfolio.Portfolio
	Risk         *risk.Guard
	Orders       *orders.Book
	// Publish receives every order event, on the loop's goroutine; it
	// must not block. Optional.
	Publish func(orders.Event)
	// Observe sees the equity after every event, on the loop's
	// goroutine (a backtest's drawdown and returns). Optional.
	Observe func(t time.Time, equity money.Decimal)
	// Journal makes every tick durable before its events are published
	// (see Journal). Optional: without it events are published at once.
	Journal Journal
	// OnHalt is called on the loop's goroutine when the kill switch trips
	// (the session asks its monitor for a report at once). It must not
	// block. Optional.
	OnHalt func()
	// IntentsPerSecond bounds the orders the strategy may ask for, in
	// event time, refused or not; beyond it they are dropped and counted.
	// Zero derives it from the risk limits (see newIntentBudget).
	IntentsPerSecond int
	// FirstOrderSeq continues the client order ids of a resumed session:
	// the first order placed is numbered FirstOrderSeq+1.
	FirstOrderSeq uint64
	Logger        *slog.Logger
	Now           func() time.Time
}

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
	reports []broker.ExecutionReport
	actions []strategy.Action
	idBuf   []byte
	nextID  uint64
	last    map[string]market.Quote // the latest top of book per symbol
	cmds    chan func()
	// Cash promised to open buy orders, so that orders in flight or
	// resting cannot together spend more than the account holds.
	reserved  map[string]reservation
	committed money.Decimal
	// pending is the tick being collected for the journal.
	pending    Tick
	venueDirty bool
	// budget bounds the intents that reach the checks (see intentBudget);
	// refusals summarizes the refused ones (see refuse).
	budget   intentBudget
	refusals refusalLog

	ticks, events, ordersSent, fills, rejects atomic.Uint64
	dropped                                   atomic.Uint64
	lastTick, lastEvent, tickStart            atomic.Int64 // unix ns, 0 = never
	feedErr, orderErr, riskErr, storeErr      atomic.Pointer[TimedError]
	openOrders                                atomic.Int64
	snapshot                                  atomic.Pointer[portfolio.Snapshot]
	exhausted                                 atomic.Bool
}

// TimedError is an error with the time it happened.
type TimedError struct {
	Err  string
	Time time.Time
}

// New checks cfg and returns a coordinator that has not run yet.
func New(cfg Config) (*Coordinator, error) {
	if cfg.Source == nil || cfg.Venue == nil || cfg.Strategy == nil || cfg.Portfolio == nil || cfg.Risk == nil || cfg.Orders == nil {
		return nil, errors.New("coordinator: source, venue, strategy, portfolio, risk guard and order book are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Coordinator{
		cfg:      cfg,
		last:     make(map[string]market.Quote),
		cmds:     make(chan func(), 8),
		reserved: make(map[string]reservation),
	}
	c.reporter, _ = cfg.Strategy.(strategy.Reporter)
	c.budget = newIntentBudget(cfg.IntentsPerSecond, cfg.Risk.Limits())
	c.refusals.logged = make(map[refusalKey]time.Time)
	c.nextID = cfg.FirstOrderSeq
	c.account = account{c: c}
	c.publishSnapshot()
	return c, nil
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
			cmd()
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
	_ = c.Flush(tctx) // a failure halts trading and shows in health
	c.publishSnapshot()
	c.ticks.Add(1)
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
	q := ev.Quote()
	c.last[ev.Symbol] = q
	c.cfg.Portfolio.Mark(q)
	equity := c.cfg.Portfolio.Equity()
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
func (c *Coordinator) place(spec broker.OrderSpec, ev *market.Event) {
	if !c.budget.take(ev.Time) {
		c.drop(spec, ev.Time)
		return
	}
	q, known := c.last[spec.Symbol]
	if spec.Symbol == ev.Symbol {
		q, known = ev.Quote(), true
	}
	ref := q.Ask
	if spec.Side == broker.Sell {
		ref = q.Bid
	}
	var err error
	rule := RuleNoMarketData
	switch {
	case !known:
		err = fmt.Errorf("no market data for %s yet", spec.Symbol)
	case spec.Side == broker.Buy:
		err, rule = c.checkCash(spec, ref), RuleCash
	}
	if err == nil {
		err = c.cfg.Risk.Check(spec, ref, c.cfg.Portfolio.Position(spec.Symbol), c.cfg.Venue.OpenTotal(), ev.Time)
		rule = ruleOf(err)
	}
	if err != nil {
		c.refuse(spec, rule, err, ev.Time)
		return
	}
	id := c.newID()
	c.ordersSent.Add(1)
	if e, err := c.cfg.Orders.Submitted(id, spec, ref, ev.Time); err != nil {
		c.recordErr(&c.orderErr, fmt.Errorf("order book: %w", err))
	} else {
		if c.cfg.Journal != nil {
			c.pending.NewOrders = append(c.pending.NewOrders, NewOrder{ClientID: id, Seq: c.nextID})
		}
		c.record(e)
	}
	if spec.Side == broker.Buy {
		c.reserve(id, spec, ref)
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

// reservation is the cash an open buy order may still spend.
type reservation struct {
	price, remaining money.Decimal
}

// buyPrice values a buy: a market order at the reference price (with
// headroom for the book walk and the fee, see checkCash), a limit order at
// its limit.
func buyPrice(spec broker.OrderSpec, ref money.Decimal) money.Decimal {
	if spec.Type == broker.Limit {
		return spec.Price
	}
	return ref
}

// checkCash refuses a buy the account cannot pay for: the paper account is
// a cash account, without margin. Open buys have cash reserved, so orders
// in flight or resting cannot together spend more than the account holds.
// A market order is valued at the reference price plus 1% for the book
// walk and the fee; a fill beyond that is still booked (the venue executed
// it) and shows as negative cash rather than being hidden.
func (c *Coordinator) checkCash(spec broker.OrderSpec, ref money.Decimal) error {
	cost := spec.Quantity.Mul(buyPrice(spec, ref))
	if spec.Type == broker.Market {
		cost = cost.Add(cost.MulBps(100))
	}
	free := c.cfg.Portfolio.Cash().Sub(c.committed)
	if cost.Cmp(free) > 0 {
		return fmt.Errorf("insufficient cash: the order needs %s, the account has %s free (%s reserved for open buys)",
			cost, free, c.committed)
	}
	return nil
}

func (c *Coordinator) reserve(id string, spec broker.OrderSpec, ref money.Decimal) {
	r := reservation{price: buyPrice(spec, ref), remaining: spec.Quantity}
	if spec.Type == broker.Market {
		r.price = r.price.Add(r.price.MulBps(100))
	}
	c.reserved[id] = r
	c.committed = c.committed.Add(r.remaining.Mul(r.price))
}

// release returns a buy's reservation as it fills or ends.
func (c *Coordinator) release(r *broker.ExecutionReport) {
	res, ok := c.reserved[r.ClientID]
	if !ok {
		return
	}
	freed := res.remaining
	if r.State.Final() {
		delete(c.reserved, r.ClientID)
	} else {
		freed = r.FillQuantity
		res.remaining = res.remaining.Sub(freed)
		c.reserved[r.ClientID] = res
	}
	c.committed = c.committed.Sub(freed.Mul(res.price))
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
func (c *Coordinator) handle(rs []broker.ExecutionReport) {
	for i := range rs {
		r := &rs[i]
		ev, err := c.cfg.Orders.Apply(r)
		if err != nil {
			c.recordErr(&c.orderErr, fmt.Errorf("order book: %w", err))
		}
		if r.FillQuantity.IsPositive() {
			if err := c.cfg.Portfolio.Apply(r.Fill()); err != nil {
				// The venue executed it, so the books must hear of it:
				// a fill the portfolio refuses is a bug worth stopping for.
				panic(fmt.Sprintf("coordinator: portfolio refused fill of %s: %v", r.ClientID, err))
			}
			c.fills.Add(1)
		}
		if r.Side == broker.Buy {
			c.release(r)
		}
		if r.State == broker.StateRejected {
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

func (c *Coordinator) recordErr(to *atomic.Pointer[TimedError], err error) {
	to.Store(&TimedError{Err: err.Error(), Time: c.cfg.Now()})
	c.cfg.Logger.Warn("trading loop error", "err", err)
}

func (c *Coordinator) publishSnapshot() {
	snap := c.cfg.Portfolio.Snapshot()
	c.snapshot.Store(&snap)
}

// account is what the strategy may read: strategy.Context, answered from
// the loop's own state without allocating.
type account struct{ c *Coordinator }

func (a *account) Position(symbol string) money.Decimal { return a.c.cfg.Portfolio.Position(symbol) }
func (a *account) OpenOrders(symbol string) int         { return a.c.cfg.Venue.OpenCount(symbol) }
func (a *account) Cash() money.Decimal                  { return a.c.cfg.Portfolio.Cash() }
