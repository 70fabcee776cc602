// Package coordinator is the trading loop: on every tick it reads quotes,
// marks the portfolio, asks the strategy and sends its orders to the broker.
// It owns the portfolio and runs on one goroutine; everything the health
// monitor needs it publishes through atomics, so an observer can never block
// a tick. It must never wait on the monitor, a watcher or the network other
// than through its feed and broker.
package coordinator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/chaos"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/portfolio"
	"github.com/tradectl/tradectl/server/strategy"
)

// Config is what a coordinator trades with.
type Config struct {
	// OrderPrefix starts every client order id, making them unique per
	// session.
	OrderPrefix  string
	TickInterval time.Duration
	Feed         market.Feed
	Broker       broker.Broker
	Strategy     strategy.Strategy
	Portfolio    *portfolio.Portfolio
	Logger       *slog.Logger
	Now          func() time.Time
}

// Coordinator runs the trading loop. Run may be called again after a panic
// (a supervisor restarts it): the portfolio and counters carry over.
type Coordinator struct {
	cfg Config

	// Scratch slices reused every tick so the loop does not allocate.
	quotes  []market.Quote
	intents []strategy.Intent
	fills   []broker.Fill
	nextID  uint64

	ticks, orders, fills_, rejects atomic.Uint64
	lastTick, lastQuote, tickStart atomic.Int64 // unix nanoseconds, 0 = never
	feedErr, orderErr              atomic.Pointer[TimedError]
	account                        atomic.Pointer[portfolio.Snapshot]
}

// TimedError is an error with the time it happened.
type TimedError struct {
	Err  string
	Time time.Time
}

// New checks cfg and returns a coordinator that has not ticked yet.
func New(cfg Config) (*Coordinator, error) {
	if cfg.TickInterval <= 0 || cfg.Feed == nil || cfg.Broker == nil || cfg.Strategy == nil || cfg.Portfolio == nil {
		return nil, errors.New("coordinator: tick interval, feed, broker, strategy and portfolio are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Coordinator{cfg: cfg}
	snap := cfg.Portfolio.Snapshot()
	c.account.Store(&snap)
	return c, nil
}

// Run ticks at once and then every tick interval until ctx is done. A tick
// in hand is finished, not abandoned, when ctx is cancelled: stopping
// half-way through sending orders would leave the account in a state nobody
// decided on.
func (c *Coordinator) Run(ctx context.Context) error {
	c.Tick(ctx)
	t := time.NewTicker(c.cfg.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			c.Tick(ctx)
		}
	}
}

// Tick runs one round of the loop. Feed and broker errors are recorded and
// shown in health, not fatal: the next tick tries again.
func (c *Coordinator) Tick(ctx context.Context) {
	tctx := context.WithoutCancel(ctx)
	start := c.cfg.Now()
	c.tickStart.Store(start.UnixNano())
	defer c.tickStart.Store(0)
	chaos.Hit(chaos.Coordinator)
	chaos.Hit(chaos.Tick)

	quotes, err := c.cfg.Feed.Quotes(tctx, start, c.quotes[:0])
	c.quotes = quotes
	if err != nil {
		c.recordErr(&c.feedErr, fmt.Errorf("market data: %w", err))
	} else {
		c.lastQuote.Store(c.cfg.Now().UnixNano())
	}
	for _, q := range quotes {
		c.cfg.Portfolio.Mark(q)
		chaos.Hit(chaos.Strategy)
		c.intents = c.cfg.Strategy.OnQuote(q, c.cfg.Portfolio.Position(q.Symbol), c.intents[:0])
		for _, in := range c.intents {
			c.submit(tctx, in, q)
		}
	}
	snap := c.cfg.Portfolio.Snapshot()
	c.account.Store(&snap)
	c.ticks.Add(1)
	c.lastTick.Store(c.cfg.Now().UnixNano())
}

func (c *Coordinator) submit(ctx context.Context, in strategy.Intent, q market.Quote) {
	c.nextID++
	o := broker.Order{
		ClientID: fmt.Sprintf("%s-%d", c.cfg.OrderPrefix, c.nextID),
		Symbol:   in.Symbol,
		Side:     in.Side,
		Quantity: in.Quantity,
	}
	c.orders.Add(1)
	fills, err := c.cfg.Broker.Submit(ctx, o, q, c.fills[:0])
	c.fills = fills
	if err != nil {
		c.rejects.Add(1)
		c.recordErr(&c.orderErr, fmt.Errorf("order %s rejected: %w", o.ClientID, err))
		return
	}
	for _, f := range fills {
		if err := c.cfg.Portfolio.Apply(f); err != nil {
			// The venue executed it, so the books must hear of it: a
			// fill the portfolio refuses is a bug worth stopping for.
			panic(fmt.Sprintf("coordinator: portfolio refused fill of %s: %v", f.ClientID, err))
		}
		c.fills_.Add(1)
		c.cfg.Logger.Info("order filled", "order", f.ClientID, "symbol", f.Symbol, "side", f.Side.String(),
			"quantity", f.Quantity.String(), "price", f.Price.String(), "fee", f.Fee.String())
	}
}

func (c *Coordinator) recordErr(to *atomic.Pointer[TimedError], err error) {
	to.Store(&TimedError{Err: err.Error(), Time: c.cfg.Now()})
	c.cfg.Logger.Warn("trading loop error", "err", err)
}

// Stats is what the loop has done, read without stopping it.
type Stats struct {
	Ticks, Orders, Fills, Rejects uint64
	// LastTick and LastQuote are zero until the first one.
	LastTick, LastQuote time.Time
	// TickStarted is when the tick in hand began; zero between ticks.
	TickStarted time.Time
	// FeedError and OrderError are the latest of each kind, or nil.
	FeedError, OrderError *TimedError
	Account               *portfolio.Snapshot
}

// Stats may be called from any goroutine.
func (c *Coordinator) Stats() Stats {
	return Stats{
		Ticks:       c.ticks.Load(),
		Orders:      c.orders.Load(),
		Fills:       c.fills_.Load(),
		Rejects:     c.rejects.Load(),
		LastTick:    unixNano(c.lastTick.Load()),
		LastQuote:   unixNano(c.lastQuote.Load()),
		TickStarted: unixNano(c.tickStart.Load()),
		FeedError:   c.feedErr.Load(),
		OrderError:  c.orderErr.Load(),
		Account:     c.account.Load(),
	}
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
