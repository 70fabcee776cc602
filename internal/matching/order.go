package matching

import (
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// order is a live order in its slot. A free slot has state 0.
type order struct {
	id        string
	spec      venue.OrderSpec
	book      *book
	seq       uint64 // submit order, for time priority and listings
	submitted time.Time
	arrival   time.Time
	decision  money.Decimal
	filled    money.Decimal
	state     venue.OrderState
	active    bool // reached the venue
}

func (o *order) remaining() money.Decimal { return o.spec.Quantity.Sub(o.filled) }

// report is the order as it stands, without a fill.
func (o *order) report(t time.Time) venue.ExecutionReport {
	return venue.ExecutionReport{
		ClientID: o.id, Symbol: o.spec.Symbol, Side: o.spec.Side, State: o.state,
		Filled: o.filled, Remaining: o.remaining(), DecisionPrice: o.decision, Time: t,
	}
}

func (e *Engine) alloc() int32 {
	if n := len(e.free); n > 0 {
		slot := e.free[n-1]
		e.free = e.free[:n-1]
		return slot
	}
	e.orders = append(e.orders, order{})
	return int32(len(e.orders) - 1)
}

// fill books a fill of qty at price and appends its report. The caller
// retires the order if it is now filled, once it has taken it off its
// lists.
func (e *Engine) fill(slot int32, qty, price money.Decimal, liq venue.Liquidity, t time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	o := &e.orders[slot]
	o.filled = o.filled.Add(qty)
	o.state = venue.StatePartiallyFilled
	if o.filled == o.spec.Quantity {
		o.state = venue.StateFilled
	}
	bps := e.cfg.TakerFeeBps
	if liq == venue.Maker {
		bps = e.cfg.MakerFeeBps
	}
	r := o.report(t)
	r.FillQuantity, r.FillPrice, r.Liquidity = qty, price, liq
	r.Fee = qty.Mul(price).MulBps(bps)
	return append(dst, r)
}

// finish moves an order off every list to a final state, appending its
// report, and frees its slot.
func (e *Engine) finish(slot int32, state venue.OrderState, reason string, t time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	o := &e.orders[slot]
	o.state = state
	r := o.report(t)
	r.Reason = reason
	e.retire(slot)
	return append(dst, r)
}

// retire frees the slot of an order that has reached its final state and
// is on no list, remembering its id as finished.
func (e *Engine) retire(slot int32) {
	o := &e.orders[slot]
	e.ids[o.id] = -int32(o.state)
	if old, full := e.finished.push(o.id); full {
		delete(e.ids, old)
	}
	o.book.open--
	e.live--
	*o = order{}
	e.free = append(e.free, slot)
}

// unlist takes a live order off whichever list holds it.
func (e *Engine) unlist(slot int32) {
	o := &e.orders[slot]
	b := o.book
	switch {
	case !o.active:
		b.inflight = remove(b.inflight, slot)
	case o.spec.Side == venue.Buy:
		b.bids = remove(b.bids, slot)
	default:
		b.asks = remove(b.asks, slot)
	}
}

func remove(s []int32, slot int32) []int32 {
	if i := slices.Index(s, slot); i >= 0 {
		return slices.Delete(s, i, i+1)
	}
	return s
}

// ring remembers the last max finished ids, so the engine can forget the
// oldest one when it learns a new one.
type ring struct {
	ids  []string
	next int
	max  int
}

// push records id and, if the ring was full, returns the id it displaced.
func (r *ring) push(id string) (old string, full bool) {
	if len(r.ids) < r.max {
		r.ids = append(r.ids, id)
		return "", false
	}
	old = r.ids[r.next]
	r.ids[r.next] = id
	r.next = (r.next + 1) % r.max
	return old, true
}
