package orders

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Book is one session's orders: every open one and the latest finished
// ones. The trading loop writes it (Submitted, Apply); readers on any
// goroutine get copies.
type Book struct {
	sessionID string
	maxFinal  int

	mu   sync.RWMutex
	byID map[string]*record
	// head and tail are the oldest and newest orders held, in submission
	// order, linked through record.prev and record.next.
	head, tail *record
	// finals are the finished orders held, in the order they finished,
	// linked through record.nextFinal: the first is dropped first.
	firstFinal, lastFinal *record
	finals, open          int
	counts                Counts
}

// record is the one allocation an order costs, besides its fills.
type record struct {
	Order
	notional   notional
	prev, next *record
	nextFinal  *record
}

// NewBook returns an empty book for session sessionID that holds every
// open order and at most maxFinal finished ones. It panics if maxFinal is
// negative, which is a programming error.
func NewBook(sessionID string, maxFinal int) *Book {
	if maxFinal < 0 {
		panic(fmt.Sprintf("orders: NewBook with maxFinal %d", maxFinal))
	}
	return &Book{sessionID: sessionID, maxFinal: maxFinal, byID: make(map[string]*record)}
}

// SessionID is the session the book belongs to.
func (b *Book) SessionID() string { return b.sessionID }

// Submitted records a NEW order and returns its event. The loop calls it
// before the venue sees the order, so every report, a rejection included,
// is for an order the book holds. It records spec as asked, valid or not:
// judging it is the venue's and the risk guard's job, and their REJECTED
// report is applied like any other. It returns an error wrapping
// ErrDuplicateOrder if the book holds clientID already (a dropped order's
// id is forgotten, so reusing one is not detected).
func (b *Book) Submitted(clientID string, spec venue.OrderSpec, decisionPrice money.Decimal, at time.Time) (Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.byID[clientID]; dup {
		return Event{}, fmt.Errorf("%w %q", ErrDuplicateOrder, clientID)
	}
	r := &record{Order: Order{
		ClientID: clientID, SessionID: b.sessionID, Spec: spec, State: venue.StateNew,
		Remaining: spec.Quantity, DecisionPrice: decisionPrice, Created: at, Updated: at,
	}}
	b.add(r)
	b.counts.Submitted++
	return r.event(Fill{}), nil
}

// Apply applies a venue's report to its order and returns the event it
// makes. It returns an error wrapping ErrUnknownOrder, ErrIllegalTransition,
// ErrBadReport or money.ErrOverflow, and leaves the book unchanged, if the
// report cannot follow what the book holds.
func (b *Book) Apply(r *venue.ExecutionReport) (Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec := b.byID[r.ClientID]
	if rec == nil {
		return Event{}, fmt.Errorf("%w %q", ErrUnknownOrder, r.ClientID)
	}
	c, err := rec.check(r)
	if err != nil {
		return Event{}, err
	}
	// Nothing below can fail: the book changes all at once or not at all.
	o := &rec.Order
	o.State, o.Reason, o.Updated = r.State, r.Reason, r.Time
	if c.fill.Quantity.IsPositive() {
		o.Filled, o.Remaining = c.filled, o.Spec.Quantity.Sub(c.filled)
		o.Fees, o.AveragePrice, rec.notional = c.fees, c.average, c.notional
		o.Fills = append(o.Fills, c.fill)
		b.counts.Fills++
	}
	if r.State.Final() {
		b.finish(rec)
	}
	return rec.event(c.fill), nil
}

// finish counts a newly finished order and queues it for dropping,
// dropping the oldest finished orders beyond maxFinal.
func (b *Book) finish(rec *record) {
	b.open--
	switch rec.State {
	case venue.StateFilled:
		b.counts.Filled++
	case venue.StateCancelled:
		b.counts.Cancelled++
	case venue.StateRejected:
		b.counts.Rejected++
	}
	if b.lastFinal != nil {
		b.lastFinal.nextFinal = rec
	} else {
		b.firstFinal = rec
	}
	b.lastFinal = rec
	b.finals++
	for b.finals > b.maxFinal {
		b.drop(b.firstFinal)
	}
}

// add holds r as the newest open order: found by its id, last in
// submission order. Submitted and Adopt both take this way in, so the list
// and the index cannot disagree.
func (b *Book) add(r *record) {
	b.byID[r.ClientID] = r
	r.prev = b.tail
	if b.tail != nil {
		b.tail.next = r
	} else {
		b.head = r
	}
	b.tail = r
	b.open++
}

// drop forgets the first finished order.
func (b *Book) drop(rec *record) {
	b.firstFinal = rec.nextFinal
	if b.firstFinal == nil {
		b.lastFinal = nil
	}
	if rec.prev != nil {
		rec.prev.next = rec.next
	} else {
		b.head = rec.next
	}
	if rec.next != nil {
		rec.next.prev = rec.prev
	} else {
		b.tail = rec.prev
	}
	delete(b.byID, rec.ClientID)
	b.finals--
	b.counts.Dropped++
}

// event is the order as it stands, without its fill history, with fill.
func (rec *record) event(fill Fill) Event {
	e := Event{Order: rec.Order, Fill: fill}
	if fill.Quantity.IsPositive() {
		// The book's count; a journal renumbers by the store's, which
		// spans a resumed session's runs.
		e.FillSeq = uint32(len(rec.Order.Fills))
	}
	e.Order.Fills = nil
	return e
}

// Get returns a copy of the order with clientID, if the book holds it.
func (b *Book) Get(clientID string) (Order, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	rec := b.byID[clientID]
	if rec == nil {
		return Order{}, false
	}
	o := rec.Order
	o.Fills = slices.Clone(o.Fills)
	return o, true
}

// List returns copies of the newest limit orders held (all of them if
// limit ≤ 0), only open ones if openOnly, oldest first. omitted is how
// many orders of the kind asked for the result leaves out: those beyond
// limit and, unless openOnly, the finished ones dropped from the history,
// so that a reader can say how much it is not showing.
func (b *Book) List(openOnly bool, limit int) (orders []Order, omitted uint64) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	have := len(b.byID)
	if openOnly {
		have = b.open
	}
	n := have
	if limit > 0 && limit < n {
		n = limit
	}
	omitted = uint64(have - n)
	if !openOnly {
		omitted += b.counts.Dropped
	}
	if n == 0 {
		return nil, omitted
	}
	orders = make([]Order, n)
	nfills := 0
	for rec, i := b.tail, n-1; i >= 0; rec = rec.prev {
		if openOnly && rec.State.Final() {
			continue
		}
		orders[i] = rec.Order
		nfills += len(rec.Fills)
		i--
	}
	// One array holds every fill; each order's slice is capped at its own
	// fills so that a reader appending to one cannot overwrite the next.
	all := make([]Fill, 0, nfills)
	for i := range orders {
		f := orders[i].Fills
		if len(f) == 0 {
			orders[i].Fills = nil
			continue
		}
		start := len(all)
		all = append(all, f...)
		orders[i].Fills = all[start:len(all):len(all)]
	}
	return orders, omitted
}

// OpenCount is the number of orders not yet final.
func (b *Book) OpenCount() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.open
}

// Counts returns the book's totals.
func (b *Book) Counts() Counts {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.counts
}
