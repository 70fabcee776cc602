package orders

import (
	"fmt"
	"slices"
	"sync"
)

// errFeedClosed ends the subscriptions of a Feed that shut down.
var errFeedClosed = fmt.Errorf("%w: the feed shut down", ErrClosed)

// Feed is the daemon-wide stream of order events, across sessions. Every
// subscriber gets every event, in order, or is told that it did not:
// Publish never waits, so a subscriber whose buffer is full is ended with
// ErrLagged rather than handed a gap (unlike the health hub, where only the
// latest value matters, a watcher that misses a fill has a wrong picture
// and must know it).
type Feed struct {
	mu     sync.Mutex
	seq    uint64
	subs   []*Subscription
	closed bool
}

// NewFeed returns an open feed with no subscribers.
func NewFeed() *Feed { return &Feed{} }

// Subscription receives a Feed's events until it ends.
type Subscription struct {
	feed *Feed
	ch   chan Event
	done chan struct{}
	// err is set, under feed.mu, before done closes.
	err error
}

// Subscribe registers a subscriber that can fall buffer events behind
// before it is ended. It returns an error wrapping ErrClosed once the feed
// has shut down.
func (f *Feed) Subscribe(buffer int) (*Subscription, error) {
	if buffer < 1 {
		return nil, fmt.Errorf("orders: subscription buffer %d, want at least 1", buffer)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, errFeedClosed
	}
	s := &Subscription{feed: f, ch: make(chan Event, buffer), done: make(chan struct{})}
	f.subs = append(f.subs, s)
	return s, nil
}

// Publish stamps e with the feed's next sequence number and offers it to
// every subscriber, without ever blocking: a subscriber with a full buffer
// is ended with ErrLagged, the others get e. After Close it does nothing.
func (f *Feed) Publish(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.seq++
	e.Seq = f.seq
	kept := f.subs[:0]
	for _, s := range f.subs {
		// Only Publish sends, under f.mu, so a send that finds room
		// cannot block.
		select {
		case s.ch <- e:
			kept = append(kept, s)
		default:
			s.end(fmt.Errorf("%w: fell behind by more than %d events at sequence %d; how many it missed is unknown",
				ErrLagged, cap(s.ch), e.Seq))
		}
	}
	clear(f.subs[len(kept):])
	f.subs = kept
}

// Len is the number of subscribers.
func (f *Feed) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// Close ends every subscription with an error wrapping ErrClosed and
// refuses new ones: the daemon is shutting down. Safe to call more than
// once.
func (f *Feed) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for _, s := range f.subs {
		s.end(errFeedClosed)
	}
	f.subs = nil
}

// end records why s ended and closes its channels. The caller holds
// s.feed.mu and has taken s off the feed's list, so nothing sends on s.ch
// any more.
func (s *Subscription) end(err error) {
	s.err = err
	close(s.done)
	close(s.ch)
}

// C delivers the events in order. It is closed when the subscription
// ends, after the events already buffered: ranging over it and then
// calling Err tells a reader everything.
func (s *Subscription) C() <-chan Event { return s.ch }

// Done is closed when the subscription ends: lagged, closed by its owner,
// or because the feed shut down.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is nil while the subscription lasts, then why it ended: an error
// wrapping ErrLagged or ErrClosed.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription with ErrClosed. Safe to call more than once
// and after the feed closed.
func (s *Subscription) Close() {
	f := s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.Index(f.subs, s)
	if i < 0 { // ended already
		return
	}
	f.subs = slices.Delete(f.subs, i, i+1)
	s.end(ErrClosed)
}
