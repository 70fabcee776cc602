package session

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// recentError is how long a feed or order error keeps its component
// DEGRADED after it happened.
const recentError = time.Minute

// checks are the built-in health checks. Each reads only what the loop
// publishes through atomics, so none can delay a tick.
func (s *Session) checks() []sessionhealth.Check {
	checks := []sessionhealth.Check{
		{Name: "coordinator", Run: s.checkCoordinator},
		{Name: "market_data", Run: s.checkMarketData},
		{Name: "broker", Run: s.checkBroker},
		{Name: "risk", Run: s.checkRisk},
		{Name: "supervisor", Run: s.checkSupervisor},
	}
	if s.remote != nil {
		checks = append(checks, sessionhealth.Check{Name: "strategy", Run: s.checkStrategy})
	}
	return checks
}

// checkCoordinator judges the age of the last completed tick. A tick that
// is taking long is reported as such, so "stuck in a tick" and "not ticking"
// read differently.
func (s *Session) checkCoordinator(_ context.Context, now time.Time) sessionhealth.Component {
	st := s.coord.Stats()
	stale := s.opts.Staleness(s.settings.TickInterval)
	status, age := stale.Judge(now, st.LastTick, s.runStart)
	c := sessionhealth.Component{Status: status, LastProgress: st.LastTick}
	if status == sessionhealth.StatusHealthy {
		return c
	}
	switch {
	case !st.TickStarted.IsZero():
		c.Reason = fmt.Sprintf("a tick has been running for %s (tick interval %s)",
			now.Sub(st.TickStarted).Round(time.Millisecond), s.settings.TickInterval)
	case st.LastTick.IsZero():
		c.Reason = fmt.Sprintf("no tick completed in the %s since start (tick interval %s)", age.Round(time.Millisecond), s.settings.TickInterval)
	default:
		c.Reason = fmt.Sprintf("last tick completed %s (tick interval %s)", ago(age), s.settings.TickInterval)
	}
	return c
}

// checkMarketData judges the age of the last quote: in Lean's words, the
// data feed is the heartbeat.
func (s *Session) checkMarketData(_ context.Context, now time.Time) sessionhealth.Component {
	st := s.coord.Stats()
	stale := s.opts.Staleness(s.settings.TickInterval)
	status, age := stale.Judge(now, st.LastEvent, s.runStart)
	c := sessionhealth.Component{Status: status, LastProgress: st.LastEvent}
	if st.Exhausted {
		c.Status, c.Reason = sessionhealth.StatusUnhealthy, "the market data source has no more events"
		return c
	}
	if e := st.FeedError; e != nil && now.Sub(e.Time) < recentError && e.Time.After(st.LastEvent) {
		c.Status = max(c.Status, sessionhealth.StatusDegraded)
		c.Reason = fmt.Sprintf("%s (%s)", e.Err, ago(now.Sub(e.Time)))
	} else if status != sessionhealth.StatusHealthy {
		c.Reason = fmt.Sprintf("last market data %s", ago(age))
	}
	return c
}

// checkBroker reports the venue's rejections of the last minute.
func (s *Session) checkBroker(_ context.Context, now time.Time) sessionhealth.Component {
	st := s.coord.Stats()
	if e := st.OrderError; e != nil && now.Sub(e.Time) < recentError {
		return sessionhealth.Component{Status: sessionhealth.StatusDegraded,
			Reason: fmt.Sprintf("%s (%s)", e.Err, ago(now.Sub(e.Time)))}
	}
	return sessionhealth.Component{Status: sessionhealth.StatusHealthy}
}

// checkRisk reports the kill switch: a halted session is alive but will
// not trade, which is exactly what health must not hide. Refused orders are
// counted and shown, but make it DEGRADED only at a rate that needs a
// person (see refusalRate); so do intents dropped by the loop's intent
// budget, since only a strategy gone wrong asks that often.
func (s *Session) checkRisk(_ context.Context, now time.Time) sessionhealth.Component {
	switch s.risk.State() {
	case risk.Halted:
		return sessionhealth.Component{Status: sessionhealth.StatusUnhealthy,
			Reason: fmt.Sprintf("kill switch: trading halted %s: %s", ago(now.Sub(s.risk.HaltedAt())), s.risk.Reason())}
	case risk.Reducing:
		return sessionhealth.Component{Status: sessionhealth.StatusDegraded, Reason: "reducing only: " + s.risk.Reason()}
	}
	st := s.coord.Stats()
	w, alarming := s.refusals.observe(now, rateSample{intents: st.Orders + st.Rejects + st.Dropped, refused: st.Rejects,
		dropped: st.Dropped})
	c := sessionhealth.Component{Status: sessionhealth.StatusHealthy}
	switch {
	case w.dropped > 0:
		c.Status = sessionhealth.StatusDegraded
		c.Reason = fmt.Sprintf("the strategy asked for more orders than the loop takes: %d dropped in the last %s",
			w.dropped, now.Sub(w.at).Round(time.Second))
	case alarming:
		c.Status = sessionhealth.StatusDegraded
		c.Reason = fmt.Sprintf("%d of %d orders refused in the last %s", w.refused, w.intents, now.Sub(w.at).Round(time.Second))
	case st.Rejects > 0:
		c.Reason = fmt.Sprintf("%d orders refused by limits in all", st.Rejects)
	}
	if e := st.RiskError; e != nil && c.Reason != "" {
		c.Reason += fmt.Sprintf("; latest %s: %s", ago(now.Sub(e.Time)), e.Err)
	}
	return c
}

// checkSupervisor reports recent failures of either child.
func (s *Session) checkSupervisor(_ context.Context, now time.Time) sessionhealth.Component {
	c := sessionhealth.Component{Status: sessionhealth.StatusHealthy}
	var parts []string
	for _, f := range s.sup.RecentFailures(now) {
		parts = append(parts, fmt.Sprintf("%s failed %d times in the last %s", f.Name, f.N, s.opts.Restart.Period))
	}
	if len(parts) == 0 {
		return c
	}
	c.Status = sessionhealth.StatusDegraded
	c.Reason = strings.Join(parts, ", ")
	if e := s.lastErr.Load(); e != nil {
		c.Reason += "; last: " + firstLine(*e)
	}
	return c
}
