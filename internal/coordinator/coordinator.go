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

	"github.com/tradectl/tradectl/internal/chaos"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
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
	// Counts are where a resumed session's counters carry on from.
	Counts Counts
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
	// Margin lets the account sell what it does not hold, up to a
	// borrowing limit; nil is a cash account, which refuses such sells.
	Margin *Margin
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
	// pending is the tick being collected for the journal.
	pending    Tick
	venueDirty bool
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
	snapshot                                  atomic.Pointer[portfolio.Snapshot]
	exhausted                                 atomic.Bool
}

// FatalError is what the loop panics with when its own state can no longer
// be trusted (a fill the books refused): the tick was abandoned half-way,
// and a restart would trade on half-updated state. A supervisor that
// recovers it ends the session instead of restarting the loop.
type FatalError struct{ Err error }

func (e *FatalError) Error() string { return "fatal: " + e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

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
		cfg:  cfg,
		last: make(map[string]market.Quote),
		cmds: make(chan *command, 8),
	}
	c.reporter, _ = cfg.Strategy.(strategy.Reporter)
	c.budget = newIntentBudget(cfg.IntentsPerSecond, cfg.Risk.Limits())
	c.dropErr = fmt.Errorf("dropped: the strategy asked for more than %d orders a second", c.budget.rate)
	c.refusals.logged = make(map[refusalKey]time.Time)
	c.refusals.shown = make(map[refusalKey]time.Time)
	c.nextID = cfg.FirstOrderSeq
	c.ticks.Store(cfg.Counts.Ticks)
	c.events.Store(cfg.Counts.Events)
	c.ordersSent.Store(cfg.Counts.Orders)
	c.fills.Store(cfg.Counts.Fills)
	c.rejects.Store(cfg.Counts.Rejects)
	c.account = account{c: c}
	// A resumed venue has orders open before any report: counted from
	// the start, or the resume's answer says none are open.
	c.openOrders.Store(int64(cfg.Venue.OpenTotal()))
	c.adoptReservations()
	if a, ok := cfg.Strategy.(strategy.Adopter); ok {
		for _, o := range cfg.Venue.Open(nil) {
			a.Adopt(o.ClientID, o.Spec)
		}
	}
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
	q := ev.Quote()
	c.last[ev.Symbol] = q
	c.cfg.Portfolio.Mark(q)
	if c.cfg.Margin != nil {
		c.chargeBorrowing(ev.Time)
	}
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
	decision := *ev
	if spec.Symbol != ev.Symbol {
		// The venue prices against the decision's book only when it is
		// the order's own symbol; otherwise the latest top of book.
		decision = market.Event{Kind: market.EventBook, Symbol: q.Symbol, Time: ev.Time, Bid: q.Bid, Ask: q.Ask}
	}
	c.reports = c.cfg.Venue.Submit(spec, id, decision, ev.Time, c.reports[:0])
	c.handle(c.reports)
}

// buyCost is the most a buy may spend, fees included: a limit order its
// limit plus the venue's higher fee, a market order the reference price
// plus 1% for the book walk and the fee. A market fill beyond that is
// still booked (the venue executed it) and shows as negative free cash
// rather than being hidden.
func (c *Coordinator) buyCost(spec venue.OrderSpec, ref money.Decimal) money.Decimal {
	if spec.Type == venue.Limit {
		cost := spec.Quantity.Mul(spec.Price)
		v := c.cfg.Venue.Config()
		return cost.Add(cost.MulBps(max(v.MakerFeeBps, v.TakerFeeBps)))
	}
	cost := spec.Quantity.Mul(ref)
	return cost.Add(cost.MulBps(100))
}

// checkAccount refuses an order the account cannot honour. A buy needs
// its cost free: cash not already promised to open buys. A sell needs the
// quantity held and not already promised to open sells; only a margin
// account may sell more, borrowing up to its limit. Open orders hold
// reservations in the portfolio (see portfolio.Reservation), so orders in
// flight or resting cannot together promise more than the account has,
// and a resumed session knows what its resting orders promised.
func (c *Coordinator) checkAccount(spec venue.OrderSpec, ref money.Decimal) error {
	pf := c.cfg.Portfolio
	if spec.Side == venue.Buy {
		cost, free := c.buyCost(spec, ref), pf.FreeCash()
		if cost.Cmp(free) > 0 {
			return fmt.Errorf("insufficient cash: the order needs %s, the account has %s free (%s reserved for open buys)",
				cost, free, pf.ReservedCash())
		}
		return nil
	}
	held, promised := pf.Position(spec.Symbol), pf.ReservedQuantity(spec.Symbol)
	short := spec.Quantity.Add(promised).Sub(held) // what the sell would borrow
	if !short.IsPositive() {
		return nil
	}
	if c.cfg.Margin == nil {
		return fmt.Errorf("insufficient holdings: a cash account cannot sell %s %s, it holds %s (%s promised to open sells)",
			spec.Quantity, spec.Symbol, held, promised)
	}
	return c.cfg.Margin.check(pf, spec.Symbol, short, ref)
}

// reserve makes the portfolio hold what an order about to be sent to the
// venue promises, until it fills or ends. The portfolio refuses what could
// promise nothing (no quantity, a buy worth nothing): such an order is
// refused here, as the venue would refuse it.
func (c *Coordinator) reserve(id string, spec venue.OrderSpec, ref money.Decimal) error {
	r := portfolio.Reservation{ClientID: id, Symbol: spec.Symbol, Side: spec.Side, Remaining: spec.Quantity}
	if spec.Side == venue.Buy {
		r.Amount = c.buyCost(spec, ref)
	}
	return c.cfg.Portfolio.Reserve(r)
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

func (c *Coordinator) recordErr(to *atomic.Pointer[TimedError], err error) {
	now := c.cfg.Now()
	to.Store(&TimedError{Err: err.Error(), Time: now})
	c.errLogs.failed(c.cfg.Logger, to, now, err)
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
func (a *account) Filters(symbol string) venue.Filters {
	return a.c.cfg.Venue.Filters(symbol)
}
func (a *account) Sellable(symbol string) (money.Decimal, bool) {
	if a.c.cfg.Margin != nil {
		return money.Decimal{}, false
	}
	pf := a.c.cfg.Portfolio
	return pf.Position(symbol).Sub(pf.ReservedQuantity(symbol)), true
}
