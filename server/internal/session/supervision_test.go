package session

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

func TestCoordinatorPanicWithoutAutoRestartFailsTheSession(t *testing.T) {
	m, r := newTestManager(t, nil)
	r.strat.panics.Store(1)
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session to fail", func() bool { snap, _, _ := m.Status(); return snap.State == StateFailed })
	snap, _, rep := m.Status()
	if !strings.Contains(snap.Reason, "coordinator failed: panic: injected strategy panic") {
		t.Fatalf("reason = %q", snap.Reason)
	}
	if rep.Status != sessionhealth.StatusUnhealthy || !strings.Contains(rep.Reason, "injected strategy panic") {
		t.Fatalf("report: %v %q", rep.Status, rep.Reason)
	}
	if !strings.Contains(rep.LastError, "injected strategy panic") {
		t.Fatalf("last error = %q", rep.LastError)
	}
}

func TestCoordinatorPanicWithAutoRestartRecovers(t *testing.T) {
	m, r := newTestManager(t, nil)
	w := startWatch(t, m)
	r.strat.panics.Store(2)
	s := paperSettings(10 * time.Millisecond)
	s.AutoRestart = true
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "two restarts and ticking again", func() bool {
		snap, _, _ := m.Status()
		return snap.Summary.CoordinatorRestarts == 2 && snap.Summary.Ticks >= 3 && snap.State == StateRunning
	})
	eventually(t, "the restarts to show in health", func() bool {
		return w.find(func(r *Report) bool {
			c := component(r, "supervisor")
			return c.Status == sessionhealth.StatusDegraded && strings.Contains(c.Reason, "coordinator failed")
		}) != nil
	})
}

func TestRestartIntensityLimitFailsTheSession(t *testing.T) {
	m, r := newTestManager(t, nil) // intensity 3 per minute
	r.strat.panics.Store(1000)
	s := paperSettings(10 * time.Millisecond)
	s.AutoRestart = true
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session to fail", func() bool { snap, _, _ := m.Status(); return snap.State == StateFailed })
	snap, _, _ := m.Status()
	if snap.Summary.CoordinatorRestarts != 3 || !strings.Contains(snap.Reason, "more than the restart limit of 3") {
		t.Fatalf("restarts=%d reason=%q", snap.Summary.CoordinatorRestarts, snap.Reason)
	}
}

// A tick that blocks shows as DEGRADED, then UNHEALTHY, with a reason that
// says the tick is stuck, while the session still counts as running.
func TestStalledTickGoesDegradedThenUnhealthy(t *testing.T) {
	m, r := newTestManager(t, func(o *Options) {
		o.Staleness = func(time.Duration) sessionhealth.Staleness {
			return sessionhealth.Staleness{DegradedAfter: 100 * time.Millisecond, UnhealthyAfter: 400 * time.Millisecond}
		}
	})
	w := startWatch(t, m)
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a few ticks", func() bool { snap, _, _ := m.Status(); return snap.Summary.Ticks >= 3 })
	release := make(chan struct{})
	r.strat.block.Store(&release)

	eventually(t, "UNHEALTHY", func() bool {
		return w.find(func(r *Report) bool { return r.Status == sessionhealth.StatusUnhealthy }) != nil
	})
	deg := w.find(func(r *Report) bool { return r.Status == sessionhealth.StatusDegraded })
	unh := w.find(func(r *Report) bool { return r.Status == sessionhealth.StatusUnhealthy })
	if deg == nil || deg.Sequence > unh.Sequence {
		t.Fatalf("want DEGRADED before UNHEALTHY; got degraded=%v", deg)
	}
	c := component(unh, "coordinator")
	if !strings.Contains(c.Reason, "a tick has been running for") || unh.State != StateRunning {
		t.Fatalf("coordinator component = %+v, state %v", c, unh.State)
	}
	close(release)
	eventually(t, "recovery to HEALTHY", func() bool {
		return w.find(func(r *Report) bool { return r.Sequence > unh.Sequence && r.Status == sessionhealth.StatusHealthy }) != nil
	})
}

// A check that never returns must neither freeze the monitor nor delay a
// single tick.
func TestBlockedCheckDoesNotDelayTicks(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	m, _ := newTestManager(t, func(o *Options) {
		o.CheckTimeout = 20 * time.Millisecond
		o.ExtraChecks = []sessionhealth.Check{{Name: "venue", Run: func(ctx context.Context, _ time.Time) sessionhealth.Component {
			calls.Add(1)
			<-release // ignores ctx on purpose: the worst kind of check
			return sessionhealth.Component{Status: sessionhealth.StatusHealthy}
		}}}
	})
	defer close(release)
	w := startWatch(t, m)
	s := paperSettings(10 * time.Millisecond)
	s.HealthInterval = 100 * time.Millisecond
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "heartbeats that report the stuck check while ticks advance", func() bool {
		r := w.find(func(r *Report) bool {
			return strings.Contains(component(r, "venue").Reason, "did not return") && r.Ticks >= 20
		})
		return r != nil
	})
	if n := calls.Load(); n != 1 {
		t.Fatalf("stuck check started %d times, want once", n)
	}
}

// A storm of concurrent Start and Stop calls leaves at most one session
// trading, never a stuck state, and no goroutine behind (goleak).
func TestConcurrentStartStopStorm(t *testing.T) {
	m, r := newTestManager(t, nil)
	var wg sync.WaitGroup
	var started atomic.Int32
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				if _, already, err := m.Start(paperSettings(10 * time.Millisecond)); err == nil && !already {
					started.Add(1)
				}
			} else {
				_, _, _, _ = m.Stop(context.Background(), StopOptions{})
			}
		}()
	}
	wg.Wait()
	if got := r.builds.Load(); got != started.Load() {
		t.Fatalf("built %d sessions but %d starts reported a new one", got, started.Load())
	}
	snap, ok, _ := m.Status()
	if ok && snap.State == StateStopping {
		eventually(t, "the last stop to finish", func() bool { s, _, _ := m.Status(); return s.State != StateStopping })
	}
	// Every session but the current one has stopped trading.
	r.mu.Lock()
	feeds := append([]*countingFeed(nil), r.feeds...)
	r.mu.Unlock()
	before := make([]int64, len(feeds))
	for i, f := range feeds {
		before[i] = f.calls.Load()
	}
	time.Sleep(50 * time.Millisecond)
	moving := 0
	for i, f := range feeds {
		if f.calls.Load() != before[i] {
			moving++
		}
	}
	if moving > 1 {
		t.Fatalf("%d sessions are trading at once", moving)
	}
	final, _, _, err := m.Stop(context.Background(), StopOptions{})
	if err != nil || (final.State != StateStopped && final.ID != "") {
		t.Fatalf("final stop: %v %v", final.State, err)
	}
}
