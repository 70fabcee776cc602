package sessionhealth

import (
	"context"
	"errors"
	"sync"

	"github.com/tradectl/tradectl/internal/latch"
)

// ErrHubClosed is returned by Subscribe once the daemon is shutting down.
var ErrHubClosed = errors.New("health: hub closed")

// Hub fans the latest value out to any number of subscribers. Publishing
// never blocks: each subscriber has a one-slot channel, and a value that
// finds the slot full replaces the stale one (latest wins), as grpc-go's
// health server does. A subscriber that never reads therefore costs one slot
// and slows nobody.
type Hub[T any] struct {
	mu     sync.Mutex
	latest *T
	subs   map[*Subscription[T]]struct{}
	// closed fires once, on Close. It is fired under mu, and Publish and
	// Subscribe look at it under mu, not only because it is a latch:
	// Publish must never run after it fired, so that the value in a
	// subscriber's slot when Done closes is the last one (see Next).
	closed *latch.Latch
}

// NewHub returns an open hub with no value yet.
func NewHub[T any]() *Hub[T] {
	return &Hub[T]{subs: make(map[*Subscription[T]]struct{}), closed: latch.New()}
}

// Subscription receives the hub's values. Close it when done.
type Subscription[T any] struct {
	ch  chan *T
	hub *Hub[T]
}

// C delivers values; a slow reader sees only the latest.
func (s *Subscription[T]) C() <-chan *T { return s.ch }

// Done is closed when the hub closes; the subscriber should end.
func (s *Subscription[T]) Done() <-chan struct{} { return s.hub.closed.Done() }

// Next returns the latest value not yet received, waiting for one. Once
// the hub is closed it still returns the value published last, if this
// subscriber has not received it, and only then ErrHubClosed: a session's
// final report is published before the hub closes and always arrives
// (a select between C and Done would pick either when both are ready).
func (s *Subscription[T]) Next(ctx context.Context) (*T, error) {
	select {
	case v := <-s.ch:
		return v, nil
	case <-s.hub.closed.Done():
		// Publish and Close take the hub's lock, and Publish does nothing
		// after Close, so what was published before is in the slot now.
		select {
		case v := <-s.ch:
			return v, nil
		default:
			return nil, ErrHubClosed
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close unsubscribes. It is safe to call more than once.
func (s *Subscription[T]) Close() {
	s.hub.mu.Lock()
	delete(s.hub.subs, s)
	s.hub.mu.Unlock()
}

// Subscribe registers a subscriber whose channel already holds the latest
// value, if any, so a new watcher gets the current state at once.
func (h *Hub[T]) Subscribe() (*Subscription[T], error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed.Fired() {
		return nil, ErrHubClosed
	}
	s := &Subscription[T]{ch: make(chan *T, 1), hub: h}
	if h.latest != nil {
		s.ch <- h.latest
	}
	h.subs[s] = struct{}{}
	return s, nil
}

// Publish makes v the latest value and offers it to every subscriber. v must
// not be modified afterwards: subscribers share it.
func (h *Hub[T]) Publish(v *T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed.Fired() {
		return
	}
	h.latest = v
	for s := range h.subs {
		// Under h.mu we are the only sender, so after draining a stale
		// value the send cannot block.
		select {
		case <-s.ch:
		default:
		}
		s.ch <- v
	}
}

// Latest returns the last published value, or nil.
func (h *Hub[T]) Latest() *T {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest
}

// Len is the number of subscribers.
func (h *Hub[T]) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close ends every subscription (their Done channels close) and refuses new
// ones. Safe to call more than once.
func (h *Hub[T]) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed.Fire()
}
