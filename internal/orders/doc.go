// Package orders owns what the daemon remembers of each session's orders:
// a Book per session, which the trading loop writes (Submitted, Apply) and
// users read (List, Get, Counts), and the Events its changes make (the
// orderfeed package streams them to watchers).
//
// It must never block the trading loop on an observer: a Book's writer
// holds its lock only for the few field updates a report makes. It
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
