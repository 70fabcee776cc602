package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// The freeze that started this project: a monitor with a 300 s interval
// awaited in line. Start must return with the session RUNNING and the loop
// must tick long before the first heartbeat is due.
func TestStartReturnsAtOnceWithLongHealthInterval(t *testing.T) {
	m, r := newTestManager(t, nil)
	s := paperSettings(20 * time.Millisecond)
	s.HealthInterval = 300 * time.Second

	done := make(chan struct{})
	var snap Snapshot
	var err error
	go func() { snap, _, err = m.Start(s); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("StartTrading did not return: the freeze is back")
	}
	if err != nil {
		t.Fatal(err)
	}
	if snap.State != StateRunning {
		t.Fatalf("state after start = %v, want RUNNING", snap.State)
	}
	eventually(t, "the loop ticks several times within the first health interval", func() bool {
		return r.strat.calls.Load() >= 3
	})
}

// Loop and monitor run side by side: ticks advance while the monitor
// publishes reports whose counters advance too.
func TestLoopAndMonitorRunConcurrently(t *testing.T) {
	m, _ := newTestManager(t, nil)
	w := startWatch(t, m)
	s := paperSettings(10 * time.Millisecond)
	s.HealthInterval = 100 * time.Millisecond
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "heartbeats showing ticks that keep advancing", func() bool {
		first := w.find(func(r *Report) bool { return r.State == StateRunning && r.Ticks >= 2 })
		if first == nil {
			return false
		}
		return w.find(func(r *Report) bool { return r.Ticks >= first.Ticks+5 && r.Sequence > first.Sequence }) != nil
	})
}

func TestStartIsIdempotentAndRefusesOtherSettings(t *testing.T) {
	m, r := newTestManager(t, nil)
	s := paperSettings(50 * time.Millisecond)
	first, already, err := m.Start(s)
	if err != nil || already {
		t.Fatalf("first start: already=%v err=%v", already, err)
	}
	again, already, err := m.Start(s)
	if err != nil || !already || again.ID != first.ID {
		t.Fatalf("same settings: id=%s already=%v err=%v, want id=%s already", again.ID, already, err, first.ID)
	}
	other := s
	other.Symbols = []string{"ETH-USD"}
	_, _, err = m.Start(other)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, ErrAlreadyRunning) || conflict.SessionID != first.ID {
		t.Fatalf("other settings: err=%v, want ErrAlreadyRunning naming %s", err, first.ID)
	}
	if n := r.builds.Load(); n != 1 {
		t.Fatalf("built %d sessions, want 1", n)
	}
}

// Idempotent start compares effective settings: a default given
// explicitly, or the symbols in another order, ask for the same session;
// a conflict names what differs.
func TestStartComparesEffectiveSettings(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s := paperSettings(50 * time.Millisecond)
	s.Symbols = []string{"BTC-USD", "ETH-USD"}
	first, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	same := s
	same.Symbols = []string{"ETH-USD", "BTC-USD"}
	same.Params = map[string]string{"fast": "5", "notional": "1000.00"}
	limits := risk.DefaultLimits()
	same.Risk = &limits
	if again, already, err := m.Start(same); err != nil || !already || again.ID != first.ID {
		t.Fatalf("defaults spelled out: already=%v err=%v", already, err)
	}
	other := same
	other.Params = map[string]string{"fast": "10"}
	other.TickInterval = time.Second
	_, _, err = m.Start(other)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || conflict.DifferentSettings() != "tick_interval,params.fast" ||
		!strings.Contains(err.Error(), "params.fast (running 5, asked 10)") {
		t.Fatalf("conflict: %v", err)
	}
}

func TestStopIsGracefulAndReturnsSummary(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s := paperSettings(10 * time.Millisecond)
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "some ticks", func() bool { snap, _, _ := m.Status(); return snap.Summary.Ticks >= 5 })
	snap, ok, was, err := m.Stop(context.Background(), StopOptions{})
	if err != nil || !ok || !was {
		t.Fatalf("stop: ok=%v was=%v err=%v", ok, was, err)
	}
	if snap.State != StateStopped || snap.Reason != "stopped by request" || snap.EndTime.IsZero() {
		t.Fatalf("after stop: state=%v reason=%q end=%v", snap.State, snap.Reason, snap.EndTime)
	}
	if len(snap.Summary.Unstopped) != 0 || snap.Summary.Ticks < 5 || snap.Summary.Equity.IsZero() {
		t.Fatalf("summary = %+v", snap.Summary)
	}
	// Idempotent: a second stop returns the same final session.
	again, ok, was, err := m.Stop(context.Background(), StopOptions{})
	if err != nil || !ok || was || again.ID != snap.ID || again.State != StateStopped {
		t.Fatalf("second stop: id=%s state=%v ok=%v was=%v err=%v", again.ID, again.State, ok, was, err)
	}
	_, _, r := m.Status()
	if r.Status != sessionhealth.StatusIdle || r.State != StateStopped {
		t.Fatalf("final report: status=%v state=%v", r.Status, r.State)
	}
}

func TestStopWithNothingRunning(t *testing.T) {
	m, _ := newTestManager(t, nil)
	_, ok, was, err := m.Stop(context.Background(), StopOptions{})
	if err != nil || ok || was {
		t.Fatalf("stop on a fresh daemon: ok=%v was=%v err=%v", ok, was, err)
	}
}

// With an hour between ticks and five minutes between heartbeats, stop must
// still come back at once: every wait is woken, none is slept out.
func TestStopInterruptsWaitsAtOnce(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s := paperSettings(time.Hour)
	s.HealthInterval = 300 * time.Second
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first tick", func() bool { snap, _, _ := m.Status(); return snap.Summary.Ticks == 1 })
	began := time.Now()
	snap, _, _, err := m.Stop(context.Background(), StopOptions{})
	if err != nil || snap.State != StateStopped {
		t.Fatalf("stop: state=%v err=%v", snap.State, err)
	}
	// Generous: the point is minutes versus well under a few seconds.
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("stop took %s with an hour-long tick: something slept out its wait", took)
	}
}

func TestShortHealthIntervalPublishesHeartbeats(t *testing.T) {
	m, _ := newTestManager(t, nil)
	w := startWatch(t, m)
	s := paperSettings(20 * time.Millisecond)
	s.HealthInterval = 100 * time.Millisecond
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "five heartbeats of the session", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		n := 0
		for _, r := range w.reports {
			if r.SessionID == snap.ID && r.State == StateRunning {
				n++
			}
		}
		return n >= 5
	})
}

func TestDurationEndsTheSession(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s := paperSettings(10 * time.Millisecond)
	s.Duration = 100 * time.Millisecond
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session to stop by itself", func() bool {
		snap, _, _ := m.Status()
		return snap.State == StateStopped && snap.Reason == "duration elapsed"
	})
}

func TestManyStartStopCycles(t *testing.T) {
	m, r := newTestManager(t, nil)
	for i := range 50 {
		s := paperSettings(10 * time.Millisecond)
		if _, _, err := m.Start(s); err != nil {
			t.Fatalf("cycle %d start: %v", i, err)
		}
		snap, _, _, err := m.Stop(context.Background(), StopOptions{})
		if err != nil || snap.State != StateStopped {
			t.Fatalf("cycle %d stop: state=%v err=%v", i, snap.State, err)
		}
	}
	if n := r.builds.Load(); n != 50 {
		t.Fatalf("built %d sessions, want 50", n)
	}
	// goleak in TestMain checks that every cycle's goroutines are gone.
}

func TestLiveModeIsRefused(t *testing.T) {
	m, _ := newTestManager(t, nil)
	_, _, err := m.Start(settings.Settings{Mode: settings.ModeLive})
	if !errors.Is(err, settings.ErrLiveUnavailable) {
		t.Fatalf("live start: %v, want settings.ErrLiveUnavailable", err)
	}
}

func TestInvalidSettingsNameTheField(t *testing.T) {
	m, _ := newTestManager(t, nil)
	cases := []struct {
		s     settings.Settings
		field string
	}{
		{settings.Settings{Mode: settings.ModePaper, Symbols: []string{"NOPE-USD"}}, "settings.symbols"},
		{settings.Settings{Mode: settings.ModePaper, TickInterval: time.Nanosecond}, "settings.tick_interval"},
		{settings.Settings{Mode: settings.ModePaper, HealthInterval: 48 * time.Hour}, "settings.health_interval"},
		{settings.Settings{Mode: settings.ModePaper, Duration: -time.Second}, "settings.duration"},
		{settings.Settings{}, "settings.mode"},
	}
	for _, c := range cases {
		_, _, err := m.Start(c.s)
		var inv *settings.InvalidError
		if !errors.As(err, &inv) || inv.Field != c.field {
			t.Errorf("%+v: err=%v, want invalid %s", c.s, err, c.field)
		}
	}
}

// Many concurrent stops of one session: exactly one of them stopped it, all
// get the final state, nobody panics.
func TestConcurrentStopsOfOneSession(t *testing.T) {
	m, _ := newTestManager(t, nil)
	for range 20 {
		if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var stoppers atomic.Int32
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				snap, _, was, err := m.Stop(context.Background(), StopOptions{})
				if err != nil || snap.State != StateStopped {
					t.Errorf("stop: %v %v", snap.State, err)
				}
				if was {
					stoppers.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := stoppers.Load(); n != 1 {
			t.Fatalf("%d calls say they stopped the session, want 1", n)
		}
	}
}
