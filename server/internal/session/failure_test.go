package session

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/coordinator"
)

// A panic's value may span lines (a wrapped error, a dump): clients get one
// line with an error id, the log gets the value and the stack under it.
func TestPanicReachesClientsAsOneLineWithAnErrorID(t *testing.T) {
	var logs e2e.SyncBuffer
	m, r := newTestManager(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	release := make(chan struct{})
	close(release)
	r.strat.block.Store(&release)
	r.strat.panicWith.Store("parse failed\ninternal detail: /etc/secret line 3")
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session to fail", func() bool { snap, _, _ := m.Status(); return snap.State == StateFailed })
	snap, _, rep := m.Status()
	for what, text := range map[string]string{"session reason": snap.Reason, "health reason": rep.Reason, "last error": rep.LastError} {
		if strings.Contains(text, "\n") || strings.Contains(text, "secret") || !strings.Contains(text, "panic: parse failed (error id ") {
			t.Fatalf("%s = %q: want one line with an error id", what, text)
		}
	}
	id := rep.LastError[strings.Index(rep.LastError, "error id ")+len("error id "):]
	id = strings.TrimSuffix(id, ")")
	if !strings.Contains(logs.String(), "error_id="+id) || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("the log lacks the stack under error id %s", id)
	}
}

// The loop's deliberate "worth stopping for" panic is never restarted: its
// state is half-updated. The session ends FAILED with the reason.
func TestFatalPanicBypassesRestart(t *testing.T) {
	m, r := newTestManager(t, nil)
	r.strat.fatal.Store(&coordinator.FatalError{Err: errors.New("portfolio refused fill of x-1")})
	s := paperSettings(10 * time.Millisecond)
	s.AutoRestart = true
	if _, _, err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session to fail", func() bool { snap, _, _ := m.Status(); return snap.State == StateFailed })
	snap, _, _ := m.Status()
	if snap.Summary.CoordinatorRestarts != 0 {
		t.Fatalf("restarted %d times on half-updated state", snap.Summary.CoordinatorRestarts)
	}
	if !strings.Contains(snap.Reason, "coordinator failed: panic: fatal: portfolio refused fill of x-1") {
		t.Fatalf("reason = %q", snap.Reason)
	}
}

// A tick that panics while the session stops is not dropped: it is logged,
// counted, and the session ends FAILED saying so.
func TestPanicDuringStopIsLoggedAndCounted(t *testing.T) {
	var logs e2e.SyncBuffer
	m, r := newTestManager(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	r.strat.panicWith.Store("boom while stopping")
	r.strat.block.Store(&release)
	eventually(t, "the loop to block", func() bool { return r.strat.waiting.Load() > 0 })
	type result struct {
		snap Snapshot
		err  error
	}
	stopped := make(chan result)
	go func() {
		snap, _, _, err := m.Stop(context.Background(), StopOptions{Timeout: 10 * time.Second})
		stopped <- result{snap, err}
	}()
	eventually(t, "STOPPING", func() bool { snap, _, _ := m.Status(); return snap.State == StateStopping })
	close(release)
	res := <-stopped
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.snap.State != StateFailed || !strings.Contains(res.snap.Reason, "coordinator failed while stopping: panic: boom while stopping (error id ") {
		t.Fatalf("stop: %v %q", res.snap.State, res.snap.Reason)
	}
	if res.snap.Summary.StopFailures != 1 || m.StopFailures() != 1 {
		t.Fatalf("counted %d in the session, %d in the manager; want 1", res.snap.Summary.StopFailures, m.StopFailures())
	}
	if !strings.Contains(logs.String(), "child panicked while stopping") {
		t.Fatal("the panic during stop is not in the log")
	}
}
