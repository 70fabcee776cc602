package supervisor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fast = Policy{Intensity: 3, Period: time.Minute, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond}

// block serves until stopped.
func block(ctx context.Context) error { <-ctx.Done(); return nil }

func awaitExit(t *testing.T, s *Supervisor) Exit {
	t.Helper()
	select {
	case e := <-s.Exits():
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("the supervisor did not give up")
		return Exit{}
	}
}

func stopAll(t *testing.T, s *Supervisor) {
	t.Helper()
	if left := s.Stop(func(string) time.Time { return time.Now().Add(5 * time.Second) }, nil); len(left) > 0 {
		t.Fatalf("unstopped: %v", left)
	}
}

func TestRestartIntensityExceededGivesUp(t *testing.T) {
	var runs int
	var restarts []string
	s := New(Config{Policy: fast, OnRestart: func(name string) { restarts = append(restarts, name) }},
		Child{Name: "loop", Restart: true, Limited: true, Serve: func(context.Context) error {
			runs++
			return errors.New("boom")
		}})
	s.Start()
	e := awaitExit(t, s)
	stopAll(t, s)
	if e.Name != "loop" || !strings.Contains(e.Err.Error(), "failed 4 times within 1m0s, more than the restart limit of 3") ||
		!strings.Contains(e.Err.Error(), "boom") {
		t.Fatalf("exit = %+v", e)
	}
	if runs != 4 || s.Restarts("loop") != 3 || len(restarts) != 3 {
		t.Fatalf("runs %d, restarts %d (%v): want 4 runs, 3 restarts", runs, s.Restarts("loop"), restarts)
	}
	if f := s.RecentFailures(time.Now()); len(f) != 1 || f[0] != (Failures{Name: "loop", N: 4}) {
		t.Fatalf("recent failures = %v", f)
	}
}

func TestUnlimitedChildIsRestartedPastIntensity(t *testing.T) {
	var mu sync.Mutex
	runs := 0
	s := New(Config{Policy: fast}, Child{Name: "monitor", Restart: true, Serve: func(ctx context.Context) error {
		mu.Lock()
		runs++
		n := runs
		mu.Unlock()
		if n <= 2*fast.Intensity {
			return errors.New("flaky")
		}
		return block(ctx)
	}})
	s.Start()
	deadline := time.Now().Add(5 * time.Second)
	for s.Restarts("monitor") < uint32(2*fast.Intensity) {
		if time.Now().After(deadline) {
			t.Fatalf("restarts = %d", s.Restarts("monitor"))
		}
		time.Sleep(time.Millisecond)
	}
	stopAll(t, s)
	select {
	case e := <-s.Exits():
		t.Fatalf("gave up on an unlimited child: %+v", e)
	default:
	}
}

func TestPermanentFailureIsNotRestarted(t *testing.T) {
	fatal := errors.New("half-updated")
	s := New(Config{Policy: fast, Permanent: func(err error) bool { return errors.Is(err, fatal) }},
		Child{Name: "loop", Restart: true, Limited: true, Serve: func(context.Context) error { panic(fatal) }})
	s.Start()
	e := awaitExit(t, s)
	stopAll(t, s)
	if !errors.Is(e.Err, fatal) || s.Restarts("loop") != 0 {
		t.Fatalf("exit %+v after %d restarts: want the panic's error, no restart", e, s.Restarts("loop"))
	}
}

func TestPanicBecomesErrorWithStack(t *testing.T) {
	var failed error
	s := New(Config{Policy: fast, OnFailure: func(_ string, err error) { failed = err }},
		Child{Name: "loop", Serve: func(context.Context) error { panic("kaboom\nsecond line") }})
	s.Start()
	e := awaitExit(t, s)
	stopAll(t, s)
	var pe *PanicError
	if !errors.As(e.Err, &pe) || failed != e.Err {
		t.Fatalf("exit %+v (OnFailure saw %v): want a *PanicError", e, failed)
	}
	if msg := pe.Error(); msg != "panic: kaboom (error id "+pe.ID+")" || len(pe.ID) != 12 {
		t.Fatalf("message %q: want one line quoting the id", msg)
	}
	if !strings.Contains(string(pe.Stack), "supervisor_test.go") {
		t.Fatalf("stack does not name the panicking code:\n%s", pe.Stack)
	}
}

func TestStopsInReverseOrder(t *testing.T) {
	var mu sync.Mutex
	var order []string
	serve := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			<-ctx.Done()
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}
	}
	s := New(Config{Policy: fast},
		Child{Name: "first", Serve: serve("first")}, Child{Name: "second", Serve: serve("second")},
		Child{Name: "third", Serve: serve("third")})
	s.Start()
	var asked, stopped []string
	left := s.Stop(func(name string) time.Time {
		asked = append(asked, name)
		return time.Now().Add(5 * time.Second)
	}, func(name string) { stopped = append(stopped, name) })
	want := []string{"third", "second", "first"}
	if len(left) > 0 || !slices.Equal(order, want) || !slices.Equal(asked, want) || !slices.Equal(stopped, want) {
		t.Fatalf("stopped %v (asked %v, after %v), unstopped %v: want %v", order, asked, stopped, left, want)
	}
}

func TestUnstoppedChildIsReported(t *testing.T) {
	release := make(chan struct{})
	s := New(Config{Policy: fast},
		Child{Name: "monitor", Serve: block},
		Child{Name: "stuck", Serve: func(context.Context) error { <-release; return nil }})
	s.Start()
	var stopped []string
	left := s.Stop(func(string) time.Time { return time.Now().Add(20 * time.Millisecond) },
		func(name string) { stopped = append(stopped, name) })
	if !slices.Equal(left, []string{"stuck"}) || !slices.Equal(stopped, []string{"monitor"}) {
		t.Fatalf("unstopped %v, stopped %v: want [stuck], [monitor]", left, stopped)
	}
	if r := s.Running(); !slices.Equal(r, []string{"stuck"}) {
		t.Fatalf("running = %v", r)
	}
	close(release)
	<-s.Done("stuck")
	if r := s.Running(); len(r) > 0 {
		t.Fatalf("running after release = %v", r)
	}
}

func TestFailureWhileStoppingIsReported(t *testing.T) {
	var name string
	var err error
	s := New(Config{Policy: fast, OnStopFailure: func(n string, e error) { name, err = n, e }},
		Child{Name: "loop", Serve: func(ctx context.Context) error { <-ctx.Done(); panic("mid-tick") }})
	s.Start()
	stopAll(t, s)
	var pe *PanicError
	if name != "loop" || !errors.As(err, &pe) {
		t.Fatalf("stop failure %q %v: want loop's panic", name, err)
	}
	select {
	case e := <-s.Exits():
		t.Fatalf("a child failing while stopped is not an exit: %+v", e)
	default:
	}
}

func TestNeverStartedHasNothingToStop(t *testing.T) {
	s := New(Config{Policy: fast}, Child{Name: "loop", Serve: block})
	if left := s.Stop(func(string) time.Time { return time.Now() }, nil); left != nil || s.Running() != nil {
		t.Fatalf("unstopped %v", left)
	}
}
