// Package orderfeed owns the daemon-wide stream of order events: one shared
// ring of the newest events, a cursor per watcher, and the catch-up of a
// watcher that the ring left behind, from the store, by sequence number.
//
// It must never make the trading loop pay for its watchers: Publish writes
// one ring slot and at most wakes one dispatcher goroutine, which wakes the
// watchers, whatever their number, and never waits for any of them. It must never hand a watcher a
// gap: every event has a sequence number (the store's, daemon-wide and
// durable across restarts), and a watcher receives each one after the
// sequence it started from, exactly once and in order, or an error. It
// keeps no buffer per watcher beyond one page of catch-up.
package orderfeed

import "errors"

// Errors a Watcher ends with.
var (
	// ErrClosed: the watcher was closed, or the feed shut down.
	ErrClosed = errors.New("orderfeed: closed")
	// ErrLagged: the watcher fell behind the ring and there is no store
	// to catch up from.
	ErrLagged = errors.New("orderfeed: watcher fell behind the ring")
	// ErrAhead: a watcher asked for events after a sequence number the
	// daemon has not reached (a client from another database).
	ErrAhead = errors.New("orderfeed: sequence number beyond the newest event")
)
