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
