package orderfeed

import (
	"context"
	"fmt"

	"github.com/tradectl/tradectl/internal/latch"
)

// Watcher is one reader's cursor into a Feed. Next is for one goroutine at
// a time; Close may be called from any.
type Watcher struct {
	f *Feed
	// cursor is the sequence number of the last event handed out.
	cursor uint64
	// backlog holds a page read from the Source while catching up.
	backlog []*Entry

	closed *latch.Latch // fired by Close
}

// Cursor is the sequence number of the last event Next returned (or the
// one the watcher started after).
func (w *Watcher) Cursor() uint64 { return w.cursor }

// Next returns the event after the cursor, waiting for it if it has not
// been published yet. It returns an error wrapping ErrClosed once the
// watcher or the feed is closed, ctx's error when ctx ends first,
// ErrLagged when the ring moved past the cursor and there is no Source,
// or the Source's error.
func (w *Watcher) Next(ctx context.Context) (*Entry, error) {
	f := w.f
	for {
		if len(w.backlog) > 0 {
			e := w.backlog[0]
			w.backlog[0] = nil
			w.backlog = w.backlog[1:]
			w.cursor = e.Event.Seq
			return e, nil
		}
		// Take the wake-up channel before looking at the tail: an event
		// published after the look closes this channel or a later one.
		wake := *f.notify.Load()
		want := w.cursor + 1
		if want <= f.tail.Load() {
			if e := f.ring[want&f.mask].Load(); e != nil && e.Event.Seq == want {
				w.cursor = want
				return e, nil
			}
			// The slot holds a newer event: the ring moved past us.
			if err := w.catchUp(ctx); err != nil {
				return nil, err
			}
			continue
		}
		select {
		case <-wake:
		case <-w.closed.Done():
			return nil, fmt.Errorf("%w: the watcher was closed", ErrClosed)
		case <-f.closed.Done():
			return nil, fmt.Errorf("%w: the daemon is shutting down", ErrClosed)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// catchUp reads the next page after the cursor from the Source: every
// event there was committed before it was published, so the store has
// what the ring lost.
func (w *Watcher) catchUp(ctx context.Context) error {
	if w.f.src == nil {
		return fmt.Errorf("%w: it wanted event %d, the oldest held is %d, and there is no store to read it from",
			ErrLagged, w.cursor+1, w.f.oldest())
	}
	// A watcher far behind reads page after page: stop between pages when
	// its caller, the watcher or the feed is done, so that shutdown never
	// waits on a catch-up (nor reads a store being closed).
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-w.closed.Done():
		return fmt.Errorf("%w: the watcher was closed", ErrClosed)
	case <-w.f.closed.Done():
		return fmt.Errorf("%w: the daemon is shutting down", ErrClosed)
	default:
	}
	events, err := w.f.src.OrderEventsAfter(ctx, w.cursor, catchUpPage)
	if err != nil {
		return fmt.Errorf("orderfeed: catching up after event %d: %w", w.cursor, err)
	}
	if len(events) == 0 {
		return fmt.Errorf("orderfeed: catching up after event %d: the store has none, yet event %d was published",
			w.cursor, w.f.tail.Load())
	}
	w.backlog = w.backlog[:0]
	for i := range events {
		w.backlog = append(w.backlog, &Entry{Event: events[i]})
	}
	return nil
}

// oldest is the smallest sequence number the ring may still hold.
func (f *Feed) oldest() uint64 {
	t, n := f.tail.Load(), uint64(len(f.ring))
	if t < n {
		return 1
	}
	return t - n + 1
}

// Close ends the watcher: a Next waiting returns ErrClosed. Safe to call
// more than once.
func (w *Watcher) Close() {
	if w.closed.Fire() {
		w.f.mu.Lock()
		w.f.watchers--
		w.f.mu.Unlock()
	}
}
