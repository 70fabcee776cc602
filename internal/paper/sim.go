package paper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tradectl/tradectl/internal/market"
)

// Sim defaults and bounds.
const (
	DefaultSimStep      = 100 * time.Millisecond
	DefaultSimLevels    = 5
	MaxSimLevels        = 20
	DefaultSimMaxTrades = 2
	maxSimMaxTrades     = 100
	minSimStep          = time.Microsecond
)

// SimConfig says what a Sim simulates. Zero fields take the defaults.
type SimConfig struct {
	Seed uint64
	// Symbols, which ValidateSymbols must accept; events due at the same
	// time come in this order.
	Symbols []string
	// Start is the virtual time of the first book update. Required: a
	// live session passes its start, a backtest any fixed time.
	Start time.Time
	// End, if set, ends the simulation: Next returns io.EOF instead of the
	// first event at or after End. It must be after Start.
	End time.Time
	// Step is the time between two book updates of a symbol: 0 means
	// DefaultSimStep, and it must be at least a microsecond.
	Step time.Duration
	// Levels is the depth of each book side: 0 means DefaultSimLevels, at
	// most MaxSimLevels.
	Levels int
	// MaxTrades is the most trades a symbol prints between two book
	// updates; each step draws a count from 0 to MaxTrades uniformly. 0
	// means DefaultSimMaxTrades, a negative value means no trades, and it
	// may be at most 100.
	MaxTrades int
}

// Sim is the paper venue's simulated market as a market.Source: for every
// symbol an order book a few levels deep around a random-walk mid, updated
// every Step, and trades printed against it between updates. Everything is
// drawn from the seed and the symbol's name, so the same config gives the
// same events byte for byte, and a symbol's events do not depend on which
// other symbols are simulated beside it. Time is virtual: events are stamped
// Start + k×Step, trades at fixed fractions of a step after their book, and
// Next hands out those due by its until argument, so a live session paces
// the Sim with the wall clock and a backtest drains it at full speed.
//
// What is realistic: prices on the tick grid; a 2 bps spread, at least a
// tick, around a walk of up to ±5 bps a step (with trades off, the touch is
// exactly the paper Market's quote for the same seed: the same walk);
// levels 1 bps apart; sizes in whole lots worth $10k–$100k a level at the
// start price; trades at the touch, for part of the top level or all of it;
// a trade that takes the whole level removes it, so the touch moves out
// until the next update, and moves the next mid one level in the
// aggressor's direction (price impact).
//
// What is not: the walk has no drift, no volatility clustering, no fat tails
// and no correlation between symbols, and at the default step it is several
// times as volatile as a real market (±5 bps a step suits one-second steps
// better); sizes are redrawn independently every update (no queues that
// persist, no orders, no hidden liquidity); a trade never walks more than
// one level, its aggressor is a coin flip and its size independent of the
// last; the clock never skips or stalls; and our own fills (the matching
// engine's) do not touch the book.
//
// A Sim is not safe for concurrent use: the trading loop owns it.
type Sim struct {
	syms  []simSymbol
	start time.Time
	// Positions are offsets from start, so that comparing times is
	// comparing integers.
	end, step, slotGap time.Duration
	slots              int // per step: the book update and one per trade
	stepAt             time.Duration
	slot, next         int // the slot of the step and the symbol due next
	eof                bool
}

var _ market.Source = (*Sim)(nil)

// NewSim returns a Sim positioned before its first event, or an error naming
// the field of cfg that is out of range.
func NewSim(cfg SimConfig) (*Sim, error) {
	if err := ValidateSymbols(cfg.Symbols); err != nil {
		return nil, err
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Sim{
		syms:    make([]simSymbol, len(cfg.Symbols)),
		start:   cfg.Start,
		end:     time.Duration(math.MaxInt64),
		step:    cfg.Step,
		slots:   cfg.MaxTrades + 1,
		slotGap: cfg.Step / time.Duration(cfg.MaxTrades+1),
	}
	if !cfg.End.IsZero() {
		s.end = cfg.End.Sub(cfg.Start)
	}
	for i, sym := range cfg.Symbols {
		inst, _ := Lookup(sym)
		s.syms[i].init(cfg.Seed, inst, cfg.Levels, cfg.MaxTrades)
	}
	return s, nil
}

func (c SimConfig) withDefaults() (SimConfig, error) {
	if c.Start.IsZero() {
		return c, errors.New("paper: sim needs a start time")
	}
	if !c.End.IsZero() && !c.End.After(c.Start) {
		return c, fmt.Errorf("paper: sim end %v is not after its start %v", c.End, c.Start)
	}
	if c.Step == 0 {
		c.Step = DefaultSimStep
	}
	if c.Step < minSimStep {
		return c, fmt.Errorf("paper: sim step %v out of range: at least %v", c.Step, minSimStep)
	}
	if c.Levels == 0 {
		c.Levels = DefaultSimLevels
	}
	if c.Levels < 1 || c.Levels > MaxSimLevels {
		return c, fmt.Errorf("paper: sim levels %d out of range [1, %d]", c.Levels, MaxSimLevels)
	}
	switch {
	case c.MaxTrades == 0:
		c.MaxTrades = DefaultSimMaxTrades
	case c.MaxTrades < 0:
		c.MaxTrades = 0
	case c.MaxTrades > maxSimMaxTrades:
		return c, fmt.Errorf("paper: sim max trades %d out of range: at most %d", c.MaxTrades, maxSimMaxTrades)
	}
	return c, nil
}

// Next returns the next event due at or before until: every symbol's book
// update at the start of a step, in symbol order, then the step's trades, one
// slot at a time. It returns ok false, without moving on, when the next event
// is later than until; io.EOF from End on; and ctx.Err() if ctx is done.
// Event.Book points into the Sim and is valid until the next call. Next
// allocates nothing.
func (s *Sim) Next(ctx context.Context, until time.Time) (ev market.Event, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return ev, false, err
	}
	limit := until.Sub(s.start) // saturates, so any until works
	for {
		if s.next == len(s.syms) {
			s.advance()
		}
		at := s.stepAt + time.Duration(s.slot)*s.slotGap
		if s.eof || at >= s.end {
			s.eof = true
			return market.Event{}, false, io.EOF
		}
		if at > limit {
			return market.Event{}, false, nil
		}
		sym := &s.syms[s.next]
		s.next++
		ev.Symbol = sym.inst.Symbol
		ev.Time = s.start.Add(at)
		if s.slot == 0 {
			sym.update(s.stepAt > 0)
			sym.bookEvent(&ev)
			return ev, true, nil
		}
		// A symbol prints in the first slots of a step, as many as it drew.
		if s.slot <= sym.trades && sym.trade(&ev) {
			return ev, true, nil
		}
	}
}

// advance moves to the next slot, and past the last slot of a step to the
// next step, ending the simulation rather than overflowing the clock.
func (s *Sim) advance() {
	s.next = 0
	if s.slot++; s.slot < s.slots {
		return
	}
	s.slot = 0
	if s.stepAt > math.MaxInt64-s.step {
		s.eof = true
		return
	}
	s.stepAt += s.step
}
