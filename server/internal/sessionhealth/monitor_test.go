package sessionhealth

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"
)

type recorder struct {
	mu   sync.Mutex
	got  [][]Component
	beat []bool
}

func (r *recorder) publish(cs []Component, heartbeat bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, cs)
	r.beat = append(r.beat, heartbeat)
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestMonitorPublishesAtOnceAndOnChange(t *testing.T) {
	var mu sync.Mutex
	status := StatusHealthy
	rec := &recorder{}
	m, err := NewMonitor(MonitorConfig{
		Interval: time.Hour, EvalEvery: 5 * time.Millisecond, CheckTimeout: time.Second,
		Checks: []Check{{Name: "c", Run: func(context.Context, time.Time) Component {
			mu.Lock()
			defer mu.Unlock()
			return Component{Status: status}
		}}},
		Publish: rec.publish,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = m.Run(ctx); close(done) }()
	waitFor(t, "the first report", func() bool { return rec.len() == 1 })
	time.Sleep(30 * time.Millisecond)
	if n := rec.len(); n != 1 {
		t.Fatalf("%d reports without a change and with an hour-long interval", n)
	}
	mu.Lock()
	status = StatusDegraded
	mu.Unlock()
	waitFor(t, "a report on the change", func() bool { return rec.len() == 2 })
	cancel()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.got[1][0].Status != StatusDegraded || rec.got[1][0].Name != "c" || rec.beat[1] {
		t.Fatalf("second report = %+v heartbeat=%v", rec.got[1], rec.beat[1])
	}
}

func TestStuckCheckIsReportedAndNotRestarted(t *testing.T) {
	release := make(chan struct{})
	started := 0
	var mu sync.Mutex
	m, _ := NewMonitor(MonitorConfig{
		Interval: time.Hour, CheckTimeout: 10 * time.Millisecond,
		Checks: []Check{
			{Name: "stuck", Run: func(context.Context, time.Time) Component {
				mu.Lock()
				started++
				mu.Unlock()
				<-release
				return Component{Status: StatusHealthy}
			}},
			{Name: "fine", Run: func(context.Context, time.Time) Component { return Component{Status: StatusHealthy} }},
		},
		Publish: func([]Component, bool) {},
	})
	for range 3 {
		cs := m.Evaluate(context.Background())
		if cs[0].Status != StatusUnhealthy || !strings.Contains(cs[0].Reason, "did not return within 10ms") {
			t.Fatalf("stuck = %+v", cs[0])
		}
		if cs[1].Status != StatusHealthy {
			t.Fatalf("fine = %+v", cs[1])
		}
	}
	mu.Lock()
	if started != 1 {
		t.Fatalf("stuck check started %d times", started)
	}
	mu.Unlock()
	if got := m.Stuck(); len(got) != 1 || got[0] != "stuck" {
		t.Fatalf("Stuck() = %v", got)
	}
	if m.Close(10 * time.Millisecond) {
		t.Fatal("Close reported success while a check ignores its context")
	}
	close(release)
	if !m.Close(5 * time.Second) {
		t.Fatal("Close after release")
	}
	waitFor(t, "the check's result to be taken", func() bool {
		m.Evaluate(context.Background())
		return len(m.Stuck()) == 0
	})
}

// A panicking check is UNHEALTHY with a one-line reason that quotes an
// error id; the stack, which would reach every client through the reason,
// is in the log under that id.
func TestPanickingCheckIsUnhealthyWithoutItsStack(t *testing.T) {
	var logBuf e2e.SyncBuffer
	m, _ := NewMonitor(MonitorConfig{
		Interval: time.Hour, CheckTimeout: time.Second,
		Checks:  []Check{{Name: "boom", Run: func(context.Context, time.Time) Component { panic("kaboom") }}},
		Publish: func([]Component, bool) {},
		Logger:  slog.New(slog.NewJSONHandler(&logBuf, nil)),
	})
	cs := m.Evaluate(context.Background())
	reason := cs[0].Reason
	if cs[0].Status != StatusUnhealthy || !strings.HasPrefix(reason, "check panicked: kaboom (error id ") {
		t.Fatalf("got %+v", cs[0])
	}
	if strings.Contains(reason, "\n") || strings.Contains(reason, "goroutine") || strings.Contains(reason, ".go:") {
		t.Fatalf("the reason carries the stack: %q", reason)
	}
	id := strings.Fields(reason[strings.Index(reason, "error id ")+len("error id "):])[0]
	id = strings.TrimSuffix(id, ";")
	var entry struct {
		ErrorID string `json:"error_id"`
		Stack   string `json:"stack"`
	}
	if err := json.Unmarshal([]byte(logBuf.String()), &entry); err != nil {
		t.Fatalf("log: %v: %s", err, logBuf.String())
	}
	if entry.ErrorID != id || !strings.Contains(entry.Stack, "goroutine") {
		t.Fatalf("log entry %+v does not hold the stack under id %s", entry, id)
	}
	m.Close(time.Second)
}

// A monitor stopped while a check runs publishes nothing for that check:
// it did not fail, the monitor stopped waiting for it.
func TestMonitorStoppedMidCheckPublishesNoFalseUnhealthy(t *testing.T) {
	rec := &recorder{}
	started := make(chan struct{}, 1)
	m, _ := NewMonitor(MonitorConfig{
		Interval: time.Hour, CheckTimeout: time.Minute,
		Checks: []Check{{Name: "slow", Run: func(ctx context.Context, _ time.Time) Component {
			started <- struct{}{}
			<-ctx.Done()
			return Component{Status: StatusHealthy}
		}}},
		Publish: rec.publish,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m.Close(time.Second)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, cs := range rec.got {
		for _, c := range cs {
			if c.Status == StatusUnhealthy {
				t.Fatalf("published a false UNHEALTHY: %+v", c)
			}
		}
	}
}

func TestStalenessJudge(t *testing.T) {
	s := Staleness{DegradedAfter: time.Second, UnhealthyAfter: 5 * time.Second}
	now := time.Unix(100, 0)
	for _, c := range []struct {
		last time.Time
		want Status
	}{
		{now.Add(-500 * time.Millisecond), StatusHealthy},
		{now.Add(-2 * time.Second), StatusDegraded},
		{now.Add(-6 * time.Second), StatusUnhealthy},
	} {
		if got, _ := s.Judge(now, c.last, time.Time{}); got != c.want {
			t.Errorf("age %s: %v, want %v", now.Sub(c.last), got, c.want)
		}
	}
	if got, _ := s.Judge(now, time.Time{}, now.Add(-10*time.Second)); got != StatusUnhealthy {
		t.Errorf("never ticked since 10s: %v", got)
	}
}
