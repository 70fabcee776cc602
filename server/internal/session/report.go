package session

import (
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/chaos"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// Report is a published health report. Once published it is shared by every
// watcher and must not be modified.
type Report struct {
	Time       time.Time
	Status     sessionhealth.Status
	Reason     string
	SessionID  string
	State      State
	Uptime     time.Duration
	Components []sessionhealth.Component
	Ticks      uint64
	Orders     uint64
	Fills      uint64
	Equity     money.Decimal
	PnL        money.Decimal
	// PeakEquity and MaxDrawdown are the session's, from every tick
	// (Summary.PeakEquity).
	PeakEquity  money.Decimal
	MaxDrawdown money.Decimal
	Restarts    uint32
	LastError   string
	// Sequence is stamped by the Manager as it publishes.
	Sequence uint64
	// run is the Session (one run of the session SessionID) that built
	// it; nil for the manager's report of a stored session. A resume is a
	// new run of the same id, whose states start over.
	run *Session
}

// Snapshot is a session as callers see it.
type Snapshot struct {
	ID        string
	State     State
	Settings  settings.Settings
	StartTime time.Time
	EndTime   time.Time
	Reason    string
	Summary   Summary
	// Unsettled are the orders a stop meant to cancel but could not
	// settle by its deadline: they may still be open at the venue.
	Unsettled []string
}

// Summary is the session's account and counters.
type Summary struct {
	Ticks, Orders, Fills uint64
	// LastTick is when the loop last completed a tick (zero: never).
	LastTick            time.Time
	QuoteCurrency       string
	StartingEquity      money.Decimal
	Equity, Cash        money.Decimal
	RealizedPnL         money.Decimal
	UnrealizedPnL       money.Decimal
	FeesPaid            money.Decimal
	Positions           []portfolio.PositionSnapshot
	CoordinatorRestarts uint32
	MonitorRestarts     uint32
	Unstopped           []string
	// Events is the market events processed.
	Events uint64
	// Risk is the kill switch's state and the orders it refused.
	Risk RiskStatus
	// OpenOrders at the venue now (after a stop: those it left open).
	OpenOrders int
	// StopFailures counts children that failed (panicked, say) while
	// being stopped.
	StopFailures uint32 `json:",omitempty"`
	// PeakEquity and MaxDrawdown are the session's highest equity and
	// largest fall from a peak, from every tick (coordinator.EquityPeak):
	// not restarted by a kill-switch reset, carried on by a resume.
	PeakEquity  money.Decimal
	MaxDrawdown money.Decimal
}

// RiskStatus is the risk guard's state as callers see it.
type RiskStatus struct {
	State  risk.State
	Reason string
	Since  time.Time
	// Rejects is the orders the guard refused in the session. It lives
	// here, not beside, so that every answer that shows the guard
	// (status, portfolio, a kill-switch reset) shows the same count.
	Rejects uint64
}

// Snapshot returns the session's current view.
func (s *Session) Snapshot() Snapshot {
	s.mu.Lock()
	snap := Snapshot{
		ID: s.id, State: s.state, Settings: s.settings, StartTime: s.started,
		EndTime: s.ended, Reason: s.reason,
	}
	unstopped := append([]string(nil), s.unstopped...)
	snap.Unsettled = append([]string(nil), s.unsettled...)
	s.mu.Unlock()
	st := s.coord.Stats()
	acct := st.Account
	snap.Summary = Summary{
		Ticks: st.Ticks, Orders: st.Orders, Fills: st.Fills, LastTick: st.LastTick,
		QuoteCurrency:  acct.QuoteCurrency,
		StartingEquity: acct.StartingCash,
		Equity:         acct.Equity,
		Cash:           acct.Cash,
		RealizedPnL:    acct.RealizedPnL,
		UnrealizedPnL:  acct.UnrealizedPnL,
		FeesPaid:       acct.FeesPaid,
		Positions:      acct.Positions,
		Unstopped:      unstopped,
		Events:         st.Events,
		Risk:           RiskStatus{State: s.risk.State(), Reason: s.risk.Reason(), Since: s.risk.HaltedAt(), Rejects: st.Rejects},
		OpenOrders:     st.OpenOrders,
		StopFailures:   s.stopFailures.Load(),
		PeakEquity:     st.Peak.Peak,
		MaxDrawdown:    st.Peak.MaxDrawdown,
	}
	snap.Summary.MonitorRestarts = s.sup.Restarts(childMonitor)
	snap.Summary.CoordinatorRestarts = s.sup.Restarts(childCoordinator)
	return snap
}

// onComponents is the monitor's publish callback.
func (s *Session) onComponents(_ []sessionhealth.Component, heartbeat bool) {
	chaos.Hit(chaos.Monitor)
	r := s.publish()
	if heartbeat {
		args := []any{"status", r.Status.String(), "uptime", r.Uptime.Round(time.Second), "ticks", r.Ticks,
			"orders", r.Orders, "fills", r.Fills, "equity", r.Equity.String(), "pnl", r.PnL.String()}
		if r.Status != sessionhealth.StatusHealthy {
			args = append(args, "reason", r.Reason)
		}
		s.log.Info("heartbeat", args...)
	}
}

// publish builds a report from the monitor's latest components and the
// session's state, and hands it to the manager.
func (s *Session) publish() *Report {
	r := s.report(time.Now())
	s.emit(r)
	return r
}

func (s *Session) report(now time.Time) *Report {
	return s.reportFrom(s.Snapshot(), now)
}

// reportFrom builds a report from a snapshot the caller already has.
func (s *Session) reportFrom(snap Snapshot, now time.Time) *Report {
	comps := s.monitor.Last()
	r := &Report{
		run:         s,
		Time:        now,
		SessionID:   s.id,
		State:       snap.State,
		Uptime:      now.Sub(snap.StartTime),
		Components:  comps,
		Ticks:       snap.Summary.Ticks,
		Orders:      snap.Summary.Orders,
		Fills:       snap.Summary.Fills,
		Equity:      snap.Summary.Equity,
		PeakEquity:  snap.Summary.PeakEquity,
		MaxDrawdown: snap.Summary.MaxDrawdown,
		PnL:         snap.Summary.RealizedPnL.Add(snap.Summary.UnrealizedPnL).Sub(snap.Summary.FeesPaid),
		Restarts:    snap.Summary.CoordinatorRestarts + snap.Summary.MonitorRestarts,
	}
	if !snap.EndTime.IsZero() {
		r.Uptime = snap.EndTime.Sub(snap.StartTime)
	}
	if e := s.lastErr.Load(); e != nil {
		r.LastError = *e
	}
	switch snap.State {
	case StateFailed:
		r.Status, r.Reason = sessionhealth.StatusUnhealthy, "session failed: "+snap.Reason
	case StateStopped:
		r.Status, r.Reason = sessionhealth.StatusIdle, "session stopped: "+snap.Reason
	default:
		r.Status, r.Reason = sessionhealth.StatusHealthy, ""
		if w, ok := sessionhealth.Worst(comps); ok && w.Status > sessionhealth.StatusHealthy {
			r.Status, r.Reason = w.Status, w.Name+": "+w.Reason
		}
		if snap.State == StateStopping {
			r.Reason = strings.TrimPrefix(r.Reason+"; ", "; ") + "stopping: " + snap.Reason
		}
	}
	return r
}

// firstLine keeps reasons to one line: stacks belong in the log.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func ago(d time.Duration) string {
	return fmt.Sprintf("%s ago", d.Round(time.Millisecond))
}
