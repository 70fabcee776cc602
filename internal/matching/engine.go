// Package matching is the paper venue's matching engine: it decides when,
// at what price and for how much the orders of one account fill against a
// stream of market events it does not own.
//
// What it simulates: order latency (an order reaches the venue only at
// submit time + Config.Latency, in event time); taker fills that walk the
// depth of the book level by level, at each level's price, up to a limit
// price, with liquidity taken from a level remembered until the symbol's
// next book update, so two orders cannot take the same size; resting GTC
// orders filled as makers at their own limit price by trades that print at
// or through it with the opposite aggressor, shared among resting orders in
// price-time priority up to each trade's size, and by book updates that
// cross them; post-only orders; IOC remainders; maker and taker fees;
// instruments' tick size, lot size and minimum notional (Config.Filters).
//
// What it does not simulate: the market's own reaction to our orders (our
// resting orders never appear in the book and our fills never move
// prices), queue position (a resting order is first in line at its price),
// latency of cancels (they take effect at once), self-trade prevention,
// and cash or margin (the coordinator and the portfolio own those).
//
// It never sends anything anywhere and never reads a clock: time is what
// its callers pass in. An Engine is not safe for concurrent use; the
// trading loop owns it.
package matching

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Default fees, in basis points of a fill's notional: a typical retail
// tier of a spot venue, makers paying less than takers.
const (
	DefaultMakerFeeBps = 2
	DefaultTakerFeeBps = 5
)

// DefaultFinishedIDs is how many finished orders' client ids an engine
// remembers unless told otherwise.
const DefaultFinishedIDs = 1 << 16

// Config configures an Engine. Its zero value is a free venue with no
// latency and unlimited size at the top of the book.
type Config struct {
	// MakerFeeBps and TakerFeeBps are charged on each fill's notional
	// (quantity × price), 0 to 10000. Fees are never negative: rebates
	// are not modelled, because a fill's fee must be non-negative.
	MakerFeeBps, TakerFeeBps int64
	// Latency is how long an order takes to reach the venue, in event
	// time: an order submitted at t is processed on the first event of its
	// symbol with Time ≥ t + Latency.
	Latency time.Duration
	// TopOfBookSize is the size assumed at the bid and at the ask of an
	// event that carries no depth (Event.Book nil). Zero means unlimited:
	// a market order then fills in full at the touch.
	TopOfBookSize money.Decimal
	// FinishedIDs is how many finished orders' client ids are remembered
	// to refuse their reuse and to answer a late Cancel with ErrOrderFinal
	// rather than ErrUnknownOrder; older ones are forgotten, so memory
	// stays bounded however long a session runs. 0 means
	// DefaultFinishedIDs.
	FinishedIDs int
	// Filters returns an instrument's tick size, lot size and minimum
	// notional; an order that breaks one is REJECTED with the filter's
	// name in the reason, as a real venue does. Nil: no filters.
	Filters func(symbol string) venue.Filters
}

// DefaultConfig is the paper venue: default fees, no latency (the paper
// market's events are a tick apart, so any latency would delay every fill
// by a whole tick) and unlimited size at the touch of a depthless event.
func DefaultConfig() Config {
	return Config{MakerFeeBps: DefaultMakerFeeBps, TakerFeeBps: DefaultTakerFeeBps}
}

// Validate names the first field out of range.
func (c Config) Validate() error {
	switch {
	case c.MakerFeeBps < 0 || c.MakerFeeBps > 10_000:
		return fmt.Errorf("matching: MakerFeeBps must be in [0, 10000], got %d", c.MakerFeeBps)
	case c.TakerFeeBps < 0 || c.TakerFeeBps > 10_000:
		return fmt.Errorf("matching: TakerFeeBps must be in [0, 10000], got %d", c.TakerFeeBps)
	case c.Latency < 0:
		return fmt.Errorf("matching: Latency must not be negative, got %s", c.Latency)
	case c.TopOfBookSize.IsNegative():
		return fmt.Errorf("matching: TopOfBookSize must not be negative, got %s", c.TopOfBookSize)
	case c.FinishedIDs < 0:
		return fmt.Errorf("matching: FinishedIDs must not be negative, got %d", c.FinishedIDs)
	}
	return nil
}

// ErrUnknownOrder and ErrOrderFinal are wrapped by Cancel's errors.
var (
	ErrUnknownOrder = errors.New("matching: unknown order")
	ErrOrderFinal   = errors.New("matching: order already final")
)

// Engine matches one account's orders against market events.
type Engine struct {
	cfg    Config
	orders []order // slots, reused through free
	free   []int32
	// ids maps a client id to its slot while the order is live, and to
	// -state once it is final (until forgotten; see Config.FinishedIDs).
	ids      map[string]int32
	finished ring
	books    map[string]*book
	last     *book // the book of the previous lookup: events come in runs
	seq      uint64
	live     int
	scratch  []int32 // slots, for listing in submit order
}

// New returns an engine with no orders, or the error of cfg.Validate.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.FinishedIDs == 0 {
		cfg.FinishedIDs = DefaultFinishedIDs
	}
	return &Engine{
		cfg:      cfg,
		ids:      make(map[string]int32),
		finished: ring{max: cfg.FinishedIDs},
		books:    make(map[string]*book),
	}, nil
}

// Config returns the configuration the engine runs with.
func (e *Engine) Config() Config { return e.cfg }

// FeeBps are the maker and taker fees of the engine's Config.
func (e *Engine) FeeBps() (maker, taker int64) { return e.cfg.MakerFeeBps, e.cfg.TakerFeeBps }

// The engine is the paper venue.
var _ venue.Venue = (*Engine)(nil)

// Filters returns symbol's trading rules (see Config.Filters).
func (e *Engine) Filters(symbol string) venue.Filters {
	if e.cfg.Filters == nil {
		return venue.Filters{}
	}
	return e.cfg.Filters(symbol)
}

// Submit sends spec to the venue as clientID and appends its reports to
// dst: ACCEPTED, or REJECTED with the reason (see reject.go). decision is
// the event the order was decided on: its ask (buy) or bid (sell) becomes
// the reports' DecisionPrice, and a post-only order that would cross it is
// rejected. now is the submit time in event time.
//
// If the order is due at once (decision is of the order's symbol and
// decision.Time ≥ now + Latency, as with zero latency), it is processed
// against decision straight away and its fills follow the ACCEPTED report;
// decision must then be the latest event OnEvent saw for the symbol, so
// that the liquidity already taken from its book is known. Otherwise the
// order is in flight until OnEvent sees an event of its symbol at or after
// its arrival.
func (e *Engine) Submit(spec venue.OrderSpec, clientID string, decision market.Event, now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	var decisionPrice money.Decimal
	sameSymbol := decision.Symbol == spec.Symbol
	if sameSymbol {
		decisionPrice = decision.Ask
		if spec.Side == venue.Sell {
			decisionPrice = decision.Bid
		}
	}
	if reason := e.refuse(&spec, clientID, &decision, decisionPrice); reason != "" {
		return append(dst, venue.ExecutionReport{
			ClientID: clientID, Symbol: spec.Symbol, Side: spec.Side, State: venue.StateRejected,
			Reason: reason, Remaining: spec.Quantity, DecisionPrice: decisionPrice, Time: now,
		})
	}
	b := e.book(spec.Symbol)
	slot := e.alloc()
	e.seq++
	e.orders[slot] = order{
		id: clientID, spec: spec, book: b, seq: e.seq, submitted: now,
		arrival: now.Add(e.cfg.Latency), decision: decisionPrice, state: venue.StateAccepted,
	}
	e.ids[clientID] = slot
	b.open++
	e.live++
	o := &e.orders[slot]
	dst = append(dst, o.report(now))
	if sameSymbol && !decision.Time.Before(o.arrival) {
		return e.arrive(slot, &decision, dst)
	}
	b.inflight = append(b.inflight, slot)
	return dst
}

// Cancel cancels a live order at once and appends its CANCELLED report. It
// returns dst unchanged and an error wrapping ErrUnknownOrder or
// ErrOrderFinal if there is nothing to cancel.
func (e *Engine) Cancel(clientID string, now time.Time, dst []venue.ExecutionReport) ([]venue.ExecutionReport, error) {
	ref, ok := e.ids[clientID]
	switch {
	case !ok:
		return dst, fmt.Errorf("%w %q", ErrUnknownOrder, clientID)
	case ref < 0:
		return dst, fmt.Errorf("%w: %q is %s", ErrOrderFinal, clientID, venue.OrderState(-ref))
	}
	e.unlist(ref)
	return e.finish(ref, venue.StateCancelled, reasonCancelled, now, dst), nil
}

// CancelAll cancels every live order, in submit order, appending their
// CANCELLED reports.
func (e *Engine) CancelAll(now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	for _, slot := range e.liveInSubmitOrder() {
		e.unlist(slot)
		dst = e.finish(slot, venue.StateCancelled, reasonCancelled, now, dst)
	}
	return dst
}

// Open appends the live orders to dst in submit order.
func (e *Engine) Open(dst []venue.OpenOrder) []venue.OpenOrder {
	for _, slot := range e.liveInSubmitOrder() {
		o := &e.orders[slot]
		dst = append(dst, venue.OpenOrder{
			ClientID: o.id, Spec: o.spec, Filled: o.filled, Remaining: o.spec.Quantity.Sub(o.filled),
			State: o.state, Submitted: o.submitted, Arrival: o.arrival, Active: o.active,
		})
	}
	return dst
}

// OpenCount is the number of live orders in symbol.
func (e *Engine) OpenCount(symbol string) int {
	if b := e.lookup(symbol); b != nil {
		return b.open
	}
	return 0
}

// OpenTotal is the number of live orders in all symbols.
func (e *Engine) OpenTotal() int { return e.live }

func (e *Engine) liveInSubmitOrder() []int32 {
	s := e.scratch[:0]
	for i := range e.orders {
		if e.orders[i].state != 0 {
			s = append(s, int32(i))
		}
	}
	slices.SortFunc(s, func(a, b int32) int { return cmp.Compare(e.orders[a].seq, e.orders[b].seq) })
	e.scratch = s
	return s
}
