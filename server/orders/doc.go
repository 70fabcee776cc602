// Package orders owns what the daemon remembers of each session's orders
// and the daemon-wide stream of their events: a Book per session, which
// the trading loop writes (Submitted, Apply) and users read (List, Get,
// Counts), and a Feed that fans Events out to watchers.
//
// It must never block the trading loop on an observer: a Book's writer
// holds its lock only for the few field updates a report makes, and a
// Feed's Publish never waits for a subscriber, ending one that falls
// behind instead of slowing the loop or silently dropping its events. It
// must never share its internal state with readers (everything returned
// is a copy), never use floating point for money, and never decide
// anything about an order: the venue and the risk guard do that; a Book
// only records what they reported and refuses reports that contradict it.
package orders

import "errors"

// Errors a Book returns, each wrapped with the details.
var (
	// ErrUnknownOrder: a report for a client id the Book does not hold,
	// because the loop never called Submitted for it or because it
	// finished long enough ago to be dropped from the history.
	ErrUnknownOrder = errors.New("orders: unknown order")
	// ErrDuplicateOrder: Submitted with a client id the Book still holds.
	ErrDuplicateOrder = errors.New("orders: duplicate client order id")
	// ErrIllegalTransition: a report whose state cannot follow the
	// order's (see legal in transition.go).
	ErrIllegalTransition = errors.New("orders: illegal state transition")
	// ErrBadReport: a report that contradicts the order it is for: other
	// symbol or side, a fill the state does not allow or the order cannot
	// hold, or cumulative quantities that disagree with the Book's.
	ErrBadReport = errors.New("orders: report contradicts the order")
)

// Errors a Subscription ends with (see Subscription.Err).
var (
	// ErrLagged: the subscriber's buffer was full when an event came.
	ErrLagged = errors.New("orders: subscriber lagged")
	// ErrClosed: the subscription was closed, by its owner or because the
	// Feed shut down.
	ErrClosed = errors.New("orders: subscription closed")
)
