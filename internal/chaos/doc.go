// Package chaos holds the fault-injection points of tradingd. In the shipped
// binary every point is an empty function the compiler removes; only a
// binary built with the "chaos" build tag (make chaos) reads faults from the
// TRADINGD_CHAOS environment variable and injects them. It must never be
// able to inject anything into a build without that tag.
//
// A fault spec is a comma-separated list of point:action@n entries:
//
//	strategy:panic@5       panic just before the 5th strategy call
//	coordinator:panic@10   panic at the start of the 10th tick
//	monitor:panic@3        panic in the monitor's 3rd publish
//	tick:block@20/3s       block the 20th tick for 3 seconds
//	store:fail@30          fail the 30th commit of a tick to the store
//
// A trailing + repeats the fault on every call from n on (strategy:panic@5+).
// Counts are per daemon process, across sessions.
package chaos

// The points, as named in TRADINGD_CHAOS.
const (
	Strategy    = "strategy"
	Coordinator = "coordinator"
	Monitor     = "monitor"
	Tick        = "tick"
	Store       = "store"
)
