package risk

import (
	"fmt"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// ParseState is the inverse of State.String, for a state stored as text.
func ParseState(s string) (State, error) {
	for _, st := range []State{Active, Reducing, Halted} {
		if s == st.String() {
			return st, nil
		}
	}
	return 0, fmt.Errorf("risk: unknown state %q: want ACTIVE, REDUCING or HALTED", s)
}

// GuardState is a guard as plain data, for a durable store to keep across
// a crash. It exists above all so that a halt survives a restart: a
// restarted daemon that forgot it would trade on through the loss that
// stopped it.
type GuardState struct {
	State State
	// Reason says why the guard is REDUCING or HALTED; "" when ACTIVE.
	Reason string
	// Since is when the guard halted; zero unless HALTED (Reduce is given
	// no time, so a REDUCING guard has none to keep).
	Since time.Time
	// Start and Peak are the bases of the drawdown limits; Equity the
	// last equity reported, which Reset re-bases them at.
	Start, Peak, Equity money.Decimal
	// SentTimes are the event times, in unix nanoseconds, of the orders in
	// the MaxOrdersPerSecond window, oldest first. Leaving them out only
	// lets up to MaxOrdersPerSecond more orders through in the first
	// second after a restart.
	SentTimes []int64
}

// GuardState returns the guard as plain data. Like Check it belongs to
// the trading loop's goroutine.
func (g *Guard) GuardState() GuardState {
	st := g.status.Load()
	return GuardState{State: st.state, Reason: st.reason, Since: st.at, Start: g.start, Peak: g.peak, Equity: g.equity,
		SentTimes: slices.Concat(g.sent[g.next:], g.sent[:g.next])}
}

// RestoreGuard returns a guard applying limits from s, or an error if
// limits are invalid or s is one no guard could be in: an unknown state, a
// reason or time the state does not keep, a non-positive start, a peak
// below the start or the equity. A HALTED state restores HALTED, refusing
// every order until Reset. If limits allow fewer orders a second than s
// holds times, only the newest are kept.
func RestoreGuard(limits Limits, s GuardState) (*Guard, error) {
	if err := limits.Validate(); err != nil {
		return nil, err
	}
	var reason string
	switch {
	case s.State != Active && s.State != Reducing && s.State != Halted:
		reason = fmt.Sprintf("State %d is unknown", s.State)
	case s.State == Active && s.Reason != "":
		reason = fmt.Sprintf("ACTIVE with Reason %q", s.Reason)
	case s.State != Halted && !s.Since.IsZero():
		reason = fmt.Sprintf("%s with Since %s: only a halt has a time", s.State, s.Since.Format(time.RFC3339Nano))
	case !s.Start.IsPositive():
		reason = "Start " + s.Start.String() + " is not positive"
	case s.Peak.Cmp(s.Start) < 0:
		reason = "Peak " + s.Peak.String() + " is below Start " + s.Start.String()
	case s.Equity.Cmp(s.Peak) > 0:
		reason = "Equity " + s.Equity.String() + " is above Peak " + s.Peak.String()
	}
	if reason != "" {
		return nil, fmt.Errorf("risk: restore: %s", reason)
	}
	g := New(limits, s.Start)
	g.peak, g.equity = s.Peak, s.Equity
	g.sent = append(g.sent, s.SentTimes[max(0, len(s.SentTimes)-limits.MaxOrdersPerSecond):]...)
	switch s.State {
	case Reducing:
		g.Reduce(s.Reason)
	case Halted:
		g.halt(s.Reason, s.Since)
	}
	return g, nil
}
