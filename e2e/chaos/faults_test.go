//go:build chaos

package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

const (
	failed  = tradingv1.SessionState_SESSION_STATE_FAILED
	running = tradingv1.SessionState_SESSION_STATE_RUNNING
	stopped = tradingv1.SessionState_SESSION_STATE_STOPPED
)

func TestCoordinatorPanicWithoutAutoRestartFailsTheSession(t *testing.T) {
	d, c := daemon(t, "coordinator:panic@5")
	base := baseline(t, d, c)
	start(t, c, settings(10*time.Millisecond, time.Second, false))
	harness.Eventually(t, 20*time.Second, "the session to fail", func() bool {
		return status(t, c).GetSession().GetState() == failed
	})
	st := status(t, c)
	if r := st.GetSession().GetReason(); !strings.Contains(r, "coordinator failed: panic: chaos: injected coordinator panic") {
		t.Errorf("reason = %q", r)
	}
	if h := st.GetHealth(); h.GetStatus() != tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY || !strings.Contains(h.GetReason(), "injected coordinator panic") {
		t.Errorf("health = %v %q", h.GetStatus(), h.GetReason())
	}
	if !strings.Contains(d.Log.String(), `msg="child panicked"`) || !strings.Contains(d.Log.String(), "goroutine ") {
		t.Error("the panic and its stack are not in the log")
	}
	// The daemon keeps serving: a new session starts and trades.
	s := start(t, c, settings(10*time.Millisecond, time.Second, false))
	harness.Eventually(t, 20*time.Second, "the new session to trade", func() bool {
		st := status(t, c)
		return st.GetSession().GetId() == s.GetId() && st.GetSession().GetSummary().GetTicks() > 10
	})
	if got := stop(t, c); got.GetState() != stopped {
		t.Fatalf("stop: %v", got.GetState())
	}
	goroutinesSettle(t, d, base)
}

func TestPanicsWithAutoRestartRecover(t *testing.T) {
	d, c := daemon(t, "coordinator:panic@5,strategy:panic@12")
	base := baseline(t, d, c)
	start(t, c, settings(10*time.Millisecond, time.Second, true))
	harness.Eventually(t, 20*time.Second, "two restarts and trading again", func() bool {
		s := status(t, c).GetSession()
		return s.GetSummary().GetCoordinatorRestarts() == 2 && s.GetState() == running && s.GetSummary().GetTicks() > 20
	})
	h := status(t, c).GetHealth()
	if h.GetRestarts() != 2 || !strings.Contains(h.GetLastError(), "injected strategy panic") {
		t.Errorf("health: restarts=%d last_error=%q", h.GetRestarts(), h.GetLastError())
	}
	if sup := component(h, "supervisor"); sup.GetStatus() != tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED ||
		!strings.Contains(sup.GetReason(), "coordinator failed 2 times") {
		t.Errorf("supervisor component = %v %q", sup.GetStatus(), sup.GetReason())
	}
	stop(t, c)
	goroutinesSettle(t, d, base)
}

func TestRestartIntensityFailsTheSession(t *testing.T) {
	d, c := daemon(t, "strategy:panic@3+")
	base := baseline(t, d, c)
	start(t, c, settings(10*time.Millisecond, time.Second, true))
	harness.Eventually(t, 30*time.Second, "the session to fail", func() bool {
		return status(t, c).GetSession().GetState() == failed
	})
	s := status(t, c).GetSession()
	if !strings.Contains(s.GetReason(), "more than the restart limit of 5") || s.GetSummary().GetCoordinatorRestarts() != 5 {
		t.Errorf("reason=%q restarts=%d", s.GetReason(), s.GetSummary().GetCoordinatorRestarts())
	}
	goroutinesSettle(t, d, base)
}

// The monitor holds no trading risk: it is always restarted and trading
// never notices.
func TestMonitorPanicIsRestartedAndTradingGoesOn(t *testing.T) {
	d, c := daemon(t, "monitor:panic@2,monitor:panic@3")
	base := baseline(t, d, c)
	start(t, c, settings(10*time.Millisecond, 200*time.Millisecond, false))
	harness.Eventually(t, 20*time.Second, "two monitor restarts", func() bool {
		return status(t, c).GetSession().GetSummary().GetMonitorRestarts() == 2
	})
	before := status(t, c).GetSession().GetSummary().GetTicks()
	harness.Eventually(t, 20*time.Second, "ticks and heartbeats to go on", func() bool {
		st := status(t, c)
		return st.GetSession().GetSummary().GetTicks() > before+20 && st.GetHealth().GetUptime().AsDuration() > time.Second
	})
	s := status(t, c).GetSession()
	if s.GetState() != running || s.GetSummary().GetCoordinatorRestarts() != 0 {
		t.Errorf("state=%v coordinator restarts=%d", s.GetState(), s.GetSummary().GetCoordinatorRestarts())
	}
	stop(t, c)
	goroutinesSettle(t, d, base)
}

// A tick that blocks must show in health within two health intervals, say
// why, and clear once the tick completes.
func TestBlockedTickShowsWithinTwoIntervals(t *testing.T) {
	const interval = 2 * time.Second
	d, c := daemon(t, "tick:block@10/7s")
	base := baseline(t, d, c)
	w := watch(t, c)
	start(t, c, settings(100*time.Millisecond, interval, false))
	var first *tradingv1.HealthReport
	harness.Eventually(t, 30*time.Second, "the stall to show", func() bool {
		first = w.find(func(r *tradingv1.HealthReport) bool {
			return component(r, "coordinator").GetStatus() >= tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED
		})
		return first != nil
	})
	coord := component(first, "coordinator")
	delay := first.GetTime().AsTime().Sub(coord.GetLastProgress().AsTime())
	t.Logf("stall reported %s after the last completed tick: %s", delay.Round(time.Millisecond), coord.GetReason())
	if delay > 2*interval {
		t.Errorf("the stall took %s to show, more than two intervals (%s)", delay, 2*interval)
	}
	if !strings.Contains(coord.GetReason(), "a tick has been running for") {
		t.Errorf("reason = %q", coord.GetReason())
	}
	harness.Eventually(t, 30*time.Second, "UNHEALTHY while still stuck", func() bool {
		return w.find(func(r *tradingv1.HealthReport) bool {
			return r.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY
		}) != nil
	})
	harness.Eventually(t, 30*time.Second, "HEALTHY again after the tick completes", func() bool {
		return w.find(func(r *tradingv1.HealthReport) bool {
			return r.GetSequence() > first.GetSequence() && r.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY
		}) != nil
	})
	w.close()
	stop(t, c)
	goroutinesSettle(t, d, base)
}
