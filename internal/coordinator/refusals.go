package coordinator

import (
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// Rules of the loop's own refusals, beside the risk guard's (risk.Rule*).
const (
	RuleNoMarketData = "no_market_data"
	// RuleAccount: the account cannot pay for the order (cash), or hold
	// it (holdings, borrowing limit).
	RuleAccount = "account"
	// RuleIntentBudget: the strategy asked faster than the intent budget.
	RuleIntentBudget = "intent_budget"
)

// refusalBackoff is how long a strategy is told to wait after a refusal
// whose limit gives no time of its own (cash, notional, position, open
// orders): long enough that a strategy retrying on every event costs
// little, short enough that a level freed by a fill is soon quoted again.
const refusalBackoff = time.Second

// refusalLogEvery bounds the log lines of one kind of refusal: the first,
// then at most one a minute, however often the strategy insists.
const refusalLogEvery = time.Minute

// Refusal summarizes the identical refusals of one tick: an intent refused
// is not an order (it gets no id and no history), so a strategy hammering a
// limit costs a counter, not a row per attempt, while the audit of what was
// refused, by which rule, how often and when, stays complete.
type Refusal struct {
	Rule, Symbol string
	Side         venue.Side
	Count        uint64
	First, Last  time.Time
	// Reason is the latest refusal's full text.
	Reason string
}

type refusalKey struct {
	rule, symbol string
	side         venue.Side
}

type refusalLog struct {
	logged map[refusalKey]time.Time // wall time each kind was last logged
	// rate and budget hand out the turns of the intents refused by the
	// orders-a-second limit and dropped by the intent budget.
	rate, budget turns
	// shown is when each kind was last handed to health as the latest
	// refusal: a strategy hammering a limit replaces it at most every
	// showEvery per kind, not at every intent (each replacement formats
	// and allocates on the loop).
	shown map[refusalKey]time.Time
}

// showEvery is how stale health's "latest refusal" may be for a repeat of
// the kind it shows; health looks at most every 100ms anyway.
const showEvery = 100 * time.Millisecond

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

func ruleOf(err error) string {
	var r *risk.Rejection
	if errors.As(err, &r) {
		return r.Rule
	}
	return "other"
}

// refuse answers an intent the loop will not send: it counts it, adds it to
// the tick's summary, shows it in health, and tells the strategy with a
// REJECTED report without a client id, carrying when to try again.
func (c *Coordinator) refuse(spec venue.OrderSpec, rule string, err error, now time.Time) {
	c.rejects.Add(1)
	retry := now.Add(refusalBackoff)
	if rule == risk.RuleMaxOrdersPerSecond {
		retry = c.refusals.rate.next(c.cfg.Risk.NextOrderAt(now), c.cfg.Risk.Limits().MaxOrdersPerSecond)
	}
	c.summarize(spec, rule, err, now, retry)
}

// drop answers an intent beyond the intent budget, like refuse, but counts
// it apart: no check saw it, and it says the strategy, not the market, is
// at fault.
func (c *Coordinator) drop(spec venue.OrderSpec, now time.Time) {
	c.dropped.Add(1)
	c.summarize(spec, RuleIntentBudget, c.dropErr, now, c.refusals.budget.next(c.budget.nextAt(), int(c.budget.rate)))
}

func (c *Coordinator) summarize(spec venue.OrderSpec, rule string, err error, now, retry time.Time) {
	reason := err.Error()
	key := refusalKey{rule, spec.Symbol, spec.Side}
	wall := c.cfg.Now()
	if last, ok := c.refusals.shown[key]; !ok || wall.Sub(last) >= showEvery {
		c.refusals.shown[key] = wall
		c.riskErr.Store(&TimedError{Err: fmt.Sprintf("%s %s %s refused: %s", spec.Side, spec.Quantity, spec.Symbol, reason),
			Time: wall})
	}
	if last, ok := c.refusals.logged[key]; !ok || wall.Sub(last) >= refusalLogEvery {
		c.refusals.logged[key] = wall
		c.cfg.Logger.Warn("order refused (repeats of this kind are counted, logged at most once a minute)",
			"rule", rule, "symbol", spec.Symbol, "side", spec.Side.String(), "err", reason)
	}
	if c.cfg.Journal != nil {
		c.pending.add(key, now, reason)
	}
	if c.reporter != nil {
		r := venue.ExecutionReport{Symbol: spec.Symbol, Side: spec.Side, State: venue.StateRejected,
			Reason: reason, Remaining: spec.Quantity, Time: now, RetryAt: retry}
		c.reporter.OnReport(&r)
	}
}

// add counts one refusal in the tick's summary; a tick holds few kinds, so
// a scan beats a map.
func (t *Tick) add(k refusalKey, now time.Time, reason string) {
	for i := range t.Refusals {
		r := &t.Refusals[i]
		if r.Rule == k.rule && r.Symbol == k.symbol && r.Side == k.side {
			r.Count++
			r.Last, r.Reason = now, reason
			return
		}
	}
	t.Refusals = append(t.Refusals, Refusal{Rule: k.rule, Symbol: k.symbol, Side: k.side, Count: 1,
		First: now, Last: now, Reason: reason})
}

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
