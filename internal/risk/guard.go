// Package risk owns the pre-trade checks and the kill switch: it decides
// whether an order may go to the venue and whether trading must stop.
//
// It never sends, cancels or amends an order itself, and never reads a
// clock or the portfolio: the coordinator asks it about each order, tells
// it the equity after each event, and acts on its answers (cancelling open
// orders when it halts, for one). That keeps it a pure function of what it
// is told, testable without a venue and replayable in a backtest.
package risk

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// State is the kill switch's position.
type State uint8

const (
	// Active: orders pass if they are within the limits.
	Active State = iota + 1
	// Reducing: only orders that reduce |position| pass.
	Reducing
	// Halted: no order passes until Reset.
	Halted
)

func (s State) String() string {
	switch s {
	case Active:
		return "ACTIVE"
	case Reducing:
		return "REDUCING"
	case Halted:
		return "HALTED"
	}
	return "UNSPECIFIED"
}

// status is the kill switch's state, replaced whole so that it can be read
// and changed from any goroutine.
type status struct {
	state  State
	reason string
	at     time.Time
	// rejection answers every order the state refuses, made once so that
	// refusing allocates nothing however often a strategy insists.
	rejection *Rejection
}

// Guard applies Limits. Check, OnEquity and Reset belong to the trading
// loop's goroutine; State, Reason, HaltedAt, Halt and Reduce may be called
// from any goroutine, so an operator can pull the kill switch while the
// loop runs.
type Guard struct {
	limits Limits
	status atomic.Pointer[status]

	start, peak, equity money.Decimal
	// sent holds the event times, in unix nanoseconds, of the last
	// MaxOrdersPerSecond orders passed, oldest at next once full.
	sent                 []int64
	next                 int
	rateLimit, openLimit *Rejection
	activeStatus         *status
}

// New returns an ACTIVE guard for an account starting at startingEquity.
// It panics if limits.Validate fails or startingEquity is not positive:
// both are the caller's bugs, and user input must be validated before.
func New(limits Limits, startingEquity money.Decimal) *Guard {
	if err := limits.Validate(); err != nil {
		panic(err)
	}
	if !startingEquity.IsPositive() {
		panic(fmt.Sprintf("risk: starting equity must be positive, got %s", startingEquity))
	}
	g := &Guard{
		limits: limits,
		start:  startingEquity, peak: startingEquity, equity: startingEquity,
		sent:         make([]int64, 0, limits.MaxOrdersPerSecond),
		rateLimit:    &Rejection{RuleMaxOrdersPerSecond, fmt.Sprintf("%d orders already passed in the last second", limits.MaxOrdersPerSecond)},
		openLimit:    &Rejection{RuleMaxOpenOrders, fmt.Sprintf("already at the limit of %d live orders", limits.MaxOpenOrders)},
		activeStatus: &status{state: Active},
	}
	g.status.Store(g.activeStatus)
	return g
}

// Limits returns the limits the guard applies.
func (g *Guard) Limits() Limits { return g.limits }

// State is the kill switch's state.
func (g *Guard) State() State { return g.status.Load().state }

// Reason says why the guard is REDUCING or HALTED; "" when ACTIVE.
func (g *Guard) Reason() string { return g.status.Load().reason }

// HaltedAt is when the guard halted; zero unless HALTED.
func (g *Guard) HaltedAt() time.Time {
	if st := g.status.Load(); st.state == Halted {
		return st.at
	}
	return time.Time{}
}

// Halt stops all trading from now on, for reason, until Reset. Halting a
// halted guard keeps the first reason.
func (g *Guard) Halt(reason string, now time.Time) { g.halt(reason, now) }

func (g *Guard) halt(reason string, now time.Time) bool {
	next := &status{state: Halted, reason: reason, at: now,
		rejection: &Rejection{RuleHalted, "trading halted at " + now.UTC().Format(time.RFC3339Nano) + ": " + reason}}
	for {
		cur := g.status.Load()
		if cur.state == Halted {
			return false
		}
		if g.status.CompareAndSwap(cur, next) {
			return true
		}
	}
}

// Reduce lets only orders that reduce |position| pass, for reason, until
// Reset. It does nothing to a guard that is not ACTIVE: it never lifts a
// halt.
func (g *Guard) Reduce(reason string) {
	next := &status{state: Reducing, reason: reason,
		rejection: &Rejection{RuleReducing, "only orders that reduce the position pass: " + reason}}
	g.status.CompareAndSwap(g.activeStatus, next)
}

// Reset returns the guard to ACTIVE, deliberately: an operator decided
// trading may resume. It re-bases both drawdowns at the last equity
// OnEquity reported (the starting equity if none), so the loss that
// tripped the switch does not trip it again at once: from now on the
// limits apply to losses beyond today's equity. It fails, changing
// nothing, if that equity is not positive.
func (g *Guard) Reset(now time.Time) error {
	if !g.equity.IsPositive() {
		return fmt.Errorf("risk: cannot reset at %s: equity %s leaves no drawdown to measure", now.UTC().Format(time.RFC3339), g.equity)
	}
	g.start, g.peak = g.equity, g.equity
	g.status.Store(g.activeStatus)
	return nil
}
