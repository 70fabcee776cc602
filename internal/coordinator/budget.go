package coordinator

import (
	"time"

	"github.com/tradectl/tradectl/internal/risk"
)

// intentBudget is a token bucket in event time: rate intents a second, a
// second's worth of burst. It bounds what reaches the checks however a
// strategy misbehaves, as a real venue bounds a client before banning it.
type intentBudget struct {
	rate   int64
	tokens int64 // in billionths of an intent
	last   int64 // unix ns of the last refill; 0 before the first intent
}

// newIntentBudget takes perSecond, or four times the orders a second the
// guard passes (room for refusals and cancels' re-placements), or 1,000 when
// orders a second are not limited.
func newIntentBudget(perSecond int, l risk.Limits) intentBudget {
	if perSecond <= 0 {
		perSecond = 1000
		if l.MaxOrdersPerSecond > 0 {
			perSecond = 4 * l.MaxOrdersPerSecond
		}
	}
	return intentBudget{rate: int64(perSecond), tokens: int64(perSecond) * int64(time.Second)}
}

func (b *intentBudget) take(now time.Time) bool {
	t := now.UnixNano()
	if b.last != 0 && t > b.last {
		full := b.rate * int64(time.Second)
		elapsed := min(t-b.last, int64(time.Second)) // beyond a second the bucket is full anyway
		b.tokens = min(full, b.tokens+elapsed*b.rate)
	}
	if b.last == 0 || t > b.last {
		b.last = t
	}
	if b.tokens < int64(time.Second) {
		return false
	}
	b.tokens -= int64(time.Second)
	return true
}

// nextAt is when the bucket holds an intent again.
func (b *intentBudget) nextAt() time.Time {
	missing := int64(time.Second) - b.tokens
	return time.Unix(0, b.last+(missing+b.rate-1)/b.rate)
}

// maxTurnsAhead bounds how far ahead turns are handed out: a strategy that
// ignores RetryAt and asks again at once pushes the queue on, but never
// makes its own well-behaved intents wait longer than this.
const maxTurnsAhead = time.Minute

// turns spaces the retries of intents refused by a rate at that rate, from
// the first free slot on. Told the same time, every waiting intent would
// come back at once, one would pass and the rest be refused again: a herd
// at every slot. In a queue, about one comes back per slot.
type turns struct{ last time.Time }

func (q *turns) next(free time.Time, perSecond int) time.Time {
	if perSecond <= 0 {
		return free
	}
	next := q.last.Add(time.Second / time.Duration(perSecond))
	switch {
	case next.Before(free):
		next = free
	case next.After(free.Add(maxTurnsAhead)):
		next = free.Add(maxTurnsAhead)
	}
	q.last = next
	return next
}
