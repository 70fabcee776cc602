package matching

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// State is an engine's orders as plain data, for a durable store to keep
// across a crash: Restore(cfg, e.State()) continues exactly as e would,
// from the next book event of each symbol on.
//
// It leaves out the liquidity our orders took from each symbol's current
// book. That memory only lives until the symbol's next book event, which
// clears it, and after a restart the first event of a symbol is a fresh
// book from the reconnected feed, against which nothing has been taken.
// So the caller must feed each symbol a book event before it submits an
// order decided on that symbol (Submit requires the latest event anyway).
type State struct {
	// Seq is the last submit sequence number handed out.
	Seq uint64
	// Orders are the live orders, in submit order (ascending Seq).
	Orders []OrderState
	// Finished are the remembered finished client ids, oldest first: a
	// reused one is still refused, and forgotten in the same order.
	Finished []FinishedOrder
}

// OrderState is a live order: in flight to the venue, or resting on it.
type OrderState struct {
	ClientID      string
	Spec          venue.OrderSpec
	Seq           uint64 // submit order: time priority and listings
	Submitted     time.Time
	Arrival       time.Time
	DecisionPrice money.Decimal
	Filled        money.Decimal
	State         venue.OrderState // ACCEPTED, or PARTIALLY_FILLED
	// Active says the order reached the venue and rests there. Queue is
	// then its place among the resting orders of its symbol and side, 0
	// first. Priority is kept rather than derived from price and Seq
	// because orders rest in arrival order, which need not be submit
	// order (an order decided on its own symbol's event arrives at once).
	Active bool
	Queue  int
}

// FinishedOrder is a finished order's client id and final state, which a
// late Cancel reports.
type FinishedOrder struct {
	ClientID string
	State    venue.OrderState // FILLED or CANCELLED
}

// State returns the engine's orders as plain data.
func (e *Engine) State() State {
	s := State{Seq: e.seq}
	queue := make([]int, len(e.orders))
	for _, b := range e.books {
		for i, slot := range b.bids {
			queue[slot] = i
		}
		for i, slot := range b.asks {
			queue[slot] = i
		}
	}
	for _, slot := range e.liveInSubmitOrder() {
		o := &e.orders[slot]
		s.Orders = append(s.Orders, OrderState{ClientID: o.id, Spec: o.spec, Seq: o.seq, Submitted: o.submitted,
			Arrival: o.arrival, DecisionPrice: o.decision, Filled: o.filled, State: o.state, Active: o.active,
			Queue: queue[slot]})
	}
	r := &e.finished
	for _, id := range append(r.ids[r.next:len(r.ids):len(r.ids)], r.ids[:r.next]...) {
		s.Finished = append(s.Finished, FinishedOrder{ClientID: id, State: venue.OrderState(-e.ids[id])})
	}
	return s
}

// Restore returns an engine with cfg and the orders of s, or an error
// naming the first order or field that no engine could have produced: a
// spec Submit would refuse, a reused client id, sequence numbers out of
// order, a fill beyond the quantity, a resting order that cannot rest, or
// queues that break price priority. If cfg remembers fewer finished ids
// than s holds, the oldest are forgotten.
func Restore(cfg Config, s State) (*Engine, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(s.Finished)+len(s.Orders))
	if err := e.restoreFinished(s.Finished, seen); err != nil {
		return nil, err
	}
	resting := make(map[restingSide][]queued)
	var prev uint64
	for i := range s.Orders {
		o := &s.Orders[i]
		if reason := e.checkRestored(o, seen, prev, s.Seq); reason != "" {
			return nil, fmt.Errorf("matching: restore: order %q: %s", o.ClientID, reason)
		}
		seen[o.ClientID], prev = true, o.Seq
		slot := e.restoreOrder(o)
		if o.Active {
			k := restingSide{e.orders[slot].book, o.Spec.Side == venue.Buy}
			resting[k] = append(resting[k], queued{slot, o.Queue})
		}
	}
	for k, places := range resting {
		if err := e.restoreQueue(k, places); err != nil {
			return nil, err
		}
	}
	e.seq = s.Seq
	return e, nil
}

// restingSide is one side of one symbol's book, whose resting orders
// Restore queues together.
type restingSide struct {
	b   *book
	buy bool
}

// queued is a restored resting order's slot and its place in the queue.
type queued struct {
	slot  int32
	queue int
}

// restoreFinished remembers the finished ids, oldest first, and marks them
// seen so that no live order may reuse one.
func (e *Engine) restoreFinished(finished []FinishedOrder, seen map[string]bool) error {
	for _, f := range finished {
		if f.ClientID == "" || seen[f.ClientID] || (f.State != venue.StateFilled && f.State != venue.StateCancelled) {
			return fmt.Errorf("matching: restore: finished order %q in %s: empty, repeated or not FILLED or CANCELLED", f.ClientID, f.State)
		}
		seen[f.ClientID] = true
		e.ids[f.ClientID] = -int32(f.State)
		if old, full := e.finished.push(f.ClientID); full {
			delete(e.ids, old)
		}
	}
	return nil
}

// checkRestored says why o is not a live order this engine could have
// produced after the order numbered prev, with maxSeq handed out; "" if it
// could. The reasons name OrderState's fields, so Restore quotes them after
// the order's id rather than as errors of their own.
func (e *Engine) checkRestored(o *OrderState, seen map[string]bool, prev, maxSeq uint64) string {
	if reason := e.refuse(&o.Spec, o.ClientID, &market.Event{}, money.Decimal{}); reason != "" {
		return "Spec: " + reason
	}
	switch {
	case seen[o.ClientID]:
		return "ClientID is already used"
	case o.Seq <= prev || o.Seq > maxSeq:
		return fmt.Sprintf("Seq %d is not after %d and at most State.Seq %d", o.Seq, prev, maxSeq)
	case o.Arrival.Before(o.Submitted):
		return fmt.Sprintf("Arrival %s is before Submitted %s", o.Arrival, o.Submitted)
	case o.DecisionPrice.IsNegative():
		return fmt.Sprintf("DecisionPrice %s is negative", o.DecisionPrice)
	}
	return checkRestoredProgress(o)
}

// checkRestoredProgress says why o's fill, state and place (in flight or
// resting) do not fit together; "" if they do.
func checkRestoredProgress(o *OrderState) string {
	switch {
	case o.Filled.IsNegative() || o.Filled.Cmp(o.Spec.Quantity) >= 0:
		return fmt.Sprintf("Filled %s is not in [0, %s)", o.Filled, o.Spec.Quantity)
	case o.State != venue.StateAccepted && o.State != venue.StatePartiallyFilled,
		(o.State == venue.StateAccepted) != o.Filled.IsZero():
		return fmt.Sprintf("State %s with %s filled", o.State, o.Filled)
	case !o.Active && (!o.Filled.IsZero() || o.Queue != 0):
		return fmt.Sprintf("in flight with Filled %s, Queue %d", o.Filled, o.Queue)
	case o.Active && (o.Spec.Type != venue.Limit || o.Spec.TIF != venue.GTC):
		return "Active but not a GTC limit order, so it cannot rest"
	}
	return ""
}

// restoreOrder gives o a slot and counts it live; an order in flight joins
// its book's in-flight list, in submit order as Submit appends. A resting
// one is queued later, by restoreQueue, once its whole side is known.
func (e *Engine) restoreOrder(o *OrderState) int32 {
	b := e.book(o.Spec.Symbol)
	slot := e.alloc()
	e.orders[slot] = order{id: o.ClientID, spec: o.Spec, book: b, seq: o.Seq, submitted: o.Submitted,
		arrival: o.Arrival, decision: o.DecisionPrice, filled: o.Filled, state: o.State, active: o.Active}
	e.ids[o.ClientID] = slot
	b.open++
	e.live++
	if !o.Active {
		b.inflight = append(b.inflight, slot)
	}
	return slot
}

// restoreQueue rests one side's orders in their queue order, which must
// number them 0 to n-1, each once, without a better price behind a worse.
func (e *Engine) restoreQueue(k restingSide, places []queued) error {
	slices.SortFunc(places, func(a, b queued) int { return cmp.Compare(a.queue, b.queue) })
	list := make([]int32, len(places))
	for i, pl := range places {
		o := &e.orders[pl.slot]
		if pl.queue != i {
			return fmt.Errorf("matching: restore: order %q: Queue %d: the %s %ss must be queued 0 to %d, each once",
				o.id, pl.queue, k.b.symbol, o.spec.Side, len(places)-1)
		}
		if i > 0 && !within(o.spec.Side, o.spec.Price, e.orders[list[i-1]].spec.Price) {
			return fmt.Errorf("matching: restore: order %q: Queue %d: price %s is better than the order ahead of it",
				o.id, pl.queue, o.spec.Price)
		}
		list[i] = pl.slot
	}
	if k.buy {
		k.b.bids = list
	} else {
		k.b.asks = list
	}
	return nil
}
