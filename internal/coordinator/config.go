package coordinator

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tradectl/tradectl/internal/market"
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
	Venue        venue.Venue
	Strategy     strategy.Strategy
	Portfolio    *portfolio.Portfolio
	Risk         *risk.Guard
	Orders       *orders.Book
	// Counts are where a resumed session's counters carry on from.
	Counts Counts
	// Peak is where a resumed session's peak and largest drawdown carry
	// on from; nil starts them at the portfolio's equity.
	Peak *EquityPeak
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
	Margin *portfolio.Margin
	// FirstOrderSeq continues the client order ids of a resumed session:
	// the first order placed is numbered FirstOrderSeq+1.
	FirstOrderSeq uint64
	Logger        *slog.Logger
	Now           func() time.Time
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
	c.venueState, _ = cfg.Venue.(venueState)
	if wa, ok := cfg.Venue.(venue.WriteAhead); ok && wa.WriteAhead() {
		if cfg.Journal == nil {
			return nil, errors.New("coordinator: a write-ahead venue needs a journal: its orders must be stored before they are sent")
		}
		c.writeAhead = true
	}
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
	c.peak = EquityPeak{Peak: cfg.Portfolio.Equity()}
	if cfg.Peak != nil {
		c.peak = *cfg.Peak
		c.peak.Observe(cfg.Portfolio.Equity())
	}
	c.account = account{c: c}
	// A resumed venue has orders open before any report: counted from
	// the start, or the resume's answer says none are open.
	c.openOrders.Store(int64(cfg.Venue.OpenTotal()))
	c.adoptReservations()
	if a, ok := cfg.Strategy.(strategy.Adopter); ok {
		for _, o := range cfg.Venue.Open(nil) {
			a.Adopt(o)
		}
	}
	c.publishSnapshot()
	return c, nil
}
