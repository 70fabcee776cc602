package session

import (
	"sync"
	"time"
)

// An order refused by a limit is the risk guard doing its job, not a fault:
// health counts it and shows it, and turns DEGRADED only when refusals
// become the rule — most of what the strategy asks for over the last
// minute, and more than a handful — because then a person should look at
// the strategy or the limits.
const (
	// refusalWindow is the span the rate is judged over.
	refusalWindow = time.Minute
	// minRefusalsToDegrade is how many refusals the window must hold
	// before their share counts: a strategy that asked twice and was
	// refused once is not refused "most of the time".
	minRefusalsToDegrade = 20
)

// refusalRate remembers the loop's counters about once a second over the
// last refusalWindow, so that a check can tell what happened within it. The
// monitor may run a check again while an earlier run has not returned only
// after it returned, but a mutex keeps that an assumption nobody relies on.
type refusalRate struct {
	mu      sync.Mutex
	samples []rateSample // oldest first
	// alarmed: refusals are the rule. It takes half the intents refused
	// to raise and less than a quarter to clear, so a strategy refused
	// about half the time reads steadily one way instead of flapping.
	alarmed bool
}

type rateSample struct {
	at                        time.Time
	intents, refused, dropped uint64
}

// observe records the counters as of now and returns how much each grew
// within the window (since the oldest sample that is not older), and
// whether the refusals in it need a person.
func (r *refusalRate) observe(now time.Time, cur rateSample) (rateSample, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur.at = now
	if n := len(r.samples); n == 0 || now.Sub(r.samples[n-1].at) >= time.Second {
		r.samples = append(r.samples, cur)
	}
	drop := 0
	for drop < len(r.samples)-1 && now.Sub(r.samples[drop].at) > refusalWindow {
		drop++
	}
	r.samples = append(r.samples[:0], r.samples[drop:]...)
	base := r.samples[0]
	w := rateSample{at: base.at, intents: cur.intents - base.intents, refused: cur.refused - base.refused,
		dropped: cur.dropped - base.dropped}
	switch {
	case w.refused < minRefusalsToDegrade:
		r.alarmed = false
	case r.alarmed:
		r.alarmed = 4*w.refused >= w.intents
	default:
		r.alarmed = 2*w.refused > w.intents
	}
	return w, r.alarmed
}
