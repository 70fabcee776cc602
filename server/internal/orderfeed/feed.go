package orderfeed

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/latch"
	"github.com/tradectl/tradectl/internal/orders"
)

// Source reads committed order events back, for a watcher that fell
// behind the ring or resumes after a sequence number the ring no longer
// holds. The store implements it.
type Source interface {
	// OrderEventsAfter returns, oldest first, at most limit events whose
	// Seq is greater than after.
	OrderEventsAfter(ctx context.Context, after uint64, limit int) ([]orders.Event, error)
}

// Options configure a Feed. The zero value is a feed with a default ring,
// no store, starting at sequence 0.
type Options struct {
	// RingSize is how many of the newest events the feed holds in memory
	// for all watchers together, rounded up to a power of two (4096).
	RingSize int
	// Source is where a watcher catches up from when the ring moved past
	// it; nil means such a watcher ends with ErrLagged.
	Source Source
	// Last is the sequence number of the newest event already committed
	// (the store's), so that live events continue after it.
	Last uint64
}

// DefaultRingSize is the ring's length unless Options.RingSize is given.
const DefaultRingSize = 4096

// slabSize is how many entries Publish allocates at once.
const slabSize = 64

// catchUpPage is how many stored events a lagging watcher reads at once:
// the only per-watcher buffer, and only while catching up.
const catchUpPage = 64

// Feed fans order events out to watchers. Publish is meant for one
// goroutine at a time (the trading loop); everything else is safe for
// concurrent use.
type Feed struct {
	src  Source
	mask uint64
	ring []atomic.Pointer[Entry]
	// tail is the sequence number of the newest published event. A slot
	// is written before tail moves past it.
	tail atomic.Uint64

	pubMu sync.Mutex // serializes publishers; never held while waiting
	slab  []Entry    // entries not used yet, under pubMu

	// notify is closed (and replaced) by the dispatcher after events
	// were published; watchers with nothing to read wait on it.
	notify atomic.Pointer[chan struct{}]
	kick   chan struct{} // one slot: "tail moved", coalesced
	// parked is set while the dispatcher waits for a kick (see dispatch).
	parked atomic.Bool

	mu sync.Mutex
	// closed fires once, on Close, and watchers wait on it. It is fired
	// under mu, and Subscribe looks at it under mu, because with started
	// it keeps one promise: no dispatcher starts after Close, and Close
	// waits for one that did. A latch alone would let a Subscribe that
	// saw it unfired start the dispatcher after Close read started.
	closed   *latch.Latch
	started  bool          // the dispatcher runs
	stopped  chan struct{} // closed when the dispatcher returned
	watchers int
}

// Entry is one published event. It is shared by every watcher that reads
// it and must not be modified.
type Entry struct {
	Event orders.Event
	// shared caches what Shared made once for all watchers.
	shared atomic.Pointer[any]
}

// Shared returns make(&e.Event), computed once for all the watchers that
// read e (the first one pays): encode once, send many. make must not
// modify the event and must return a value safe to share.
func (e *Entry) Shared(make func(*orders.Event) any) any {
	if p := e.shared.Load(); p != nil {
		return *p
	}
	v := make(&e.Event)
	if e.shared.CompareAndSwap(nil, &v) {
		return v
	}
	return *e.shared.Load()
}

// New returns an open feed.
func New(o Options) *Feed {
	n := DefaultRingSize
	if o.RingSize > 0 {
		n = 1
		for n < o.RingSize {
			n <<= 1
		}
	}
	f := &Feed{src: o.Source, mask: uint64(n - 1), ring: make([]atomic.Pointer[Entry], n),
		kick: make(chan struct{}, 1), closed: latch.New(), stopped: make(chan struct{})}
	f.tail.Store(o.Last)
	ch := make(chan struct{})
	f.notify.Store(&ch)
	return f
}

// Last is the sequence number of the newest published event.
func (f *Feed) Last() uint64 { return f.tail.Load() }

// Watchers is the number of open watchers.
func (f *Feed) Watchers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watchers
}

// Publish makes e the newest event. An event with Seq 0 is numbered after
// the newest; one with a Seq (the store's) keeps it, which must be greater
// than the newest's. Its cost does not depend on the number of watchers:
// one slot written and, when the dispatcher is parked, one non-blocking
// send. After Close it does nothing.
func (f *Feed) Publish(e orders.Event) {
	f.pubMu.Lock()
	defer f.pubMu.Unlock()
	last := f.tail.Load()
	if e.Seq == 0 {
		e.Seq = last + 1
	}
	if e.Seq <= last {
		// Numbers never go back; a watcher reads the store's copy by its
		// number anyway, so this one must not shadow a newer slot.
		return
	}
	if len(f.slab) == 0 {
		// Entries come in slabs: one allocation per slabSize events keeps
		// the allocator (and the memory it touches) off most publishes.
		f.slab = make([]Entry, slabSize)
	}
	ent := &f.slab[0]
	f.slab = f.slab[1:]
	ent.Event = e
	f.ring[e.Seq&f.mask].Store(ent)
	f.tail.Store(e.Seq)
	if f.parked.Load() {
		select {
		case f.kick <- struct{}{}:
		default: // a wake-up is pending already and will see this event
		}
	}
}

// While events flow the dispatcher polls the tail every pollEvery rather
// than being woken by each publish: waking a parked goroutine is the one
// cost of Publish that is not a few stores (a futex call, and the woken
// goroutine queued on the publisher's processor). After parkAfter polls
// with nothing new it parks, and the next Publish wakes it. Watchers get
// live events at most pollEvery late.
const (
	pollEvery = time.Millisecond
	parkAfter = 500
)

// dispatch wakes the waiting watchers when events were published, off the
// publisher's goroutine: closing a channel readies every goroutine waiting
// on it, which costs per waiter. notified is the newest event no watcher
// needs waking for: the tail when the first watcher subscribed, read then
// and not when this goroutine first runs, because an event published in
// between (the publisher saw it not parked, so sent no kick) would
// otherwise count as broadcast, and a watcher waiting for it would wait
// for the next event.
func (f *Feed) dispatch(notified uint64) {
	defer close(f.stopped)
	for {
		// Park, unless an event came between the last poll and now: the
		// publisher stores the tail and then reads parked, we store parked
		// and then read the tail, so one of us sees the other.
		f.parked.Store(true)
		if f.tail.Load() == notified {
			select {
			case <-f.closed.Done():
				return
			case <-f.kick:
			}
		}
		f.parked.Store(false)
		if !f.poll(&notified) {
			return
		}
	}
}

// poll broadcasts new events every pollEvery until parkAfter polls found
// none; false means the feed closed.
func (f *Feed) poll(notified *uint64) bool {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for idle := 0; idle < parkAfter; {
		if tail := f.tail.Load(); tail != *notified {
			*notified = tail
			ch := make(chan struct{})
			close(*f.notify.Swap(&ch))
			idle = 0
		} else {
			idle++
		}
		select {
		case <-f.closed.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// Subscribe returns a watcher that receives every event after sequence
// number after, or every event published from now on when fromNow. Events
// the ring no longer holds are read from the Source. It fails with
// ErrClosed after Close, and with ErrAhead when after is beyond the newest
// event.
func (f *Feed) Subscribe(after uint64, fromNow bool) (*Watcher, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Fired() {
		return nil, fmt.Errorf("%w: the daemon is shutting down", ErrClosed)
	}
	last := f.tail.Load()
	if fromNow {
		after = last
	} else if after > last {
		return nil, fmt.Errorf("%w: %d, the newest is %d", ErrAhead, after, last)
	}
	if !f.started {
		// Started with the first watcher, so that a feed nobody watches
		// owns no goroutine; Close stops it.
		f.started = true
		go f.dispatch(last)
	}
	f.watchers++
	return &Watcher{f: f, cursor: after, closed: latch.New()}, nil
}

// Close ends every watcher with ErrClosed and refuses new ones; it returns
// once the dispatcher stopped. Safe to call more than once.
func (f *Feed) Close() {
	f.mu.Lock()
	if !f.closed.Fire() {
		f.mu.Unlock()
		return
	}
	started := f.started
	f.mu.Unlock()
	if started {
		<-f.stopped
	}
}
