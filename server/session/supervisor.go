package session

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
)

// The restart strategy is one_for_one, on purpose: the coordinator and the
// monitor share no state but the coordinator's published stats, so a crash
// of one says nothing about the other. Restarting the loop must not reset
// the monitor that is reporting the crash, and a monitor crash must never
// touch trading. The monitor is always restarted (it holds no trading risk);
// the coordinator only with auto_restart, and only within the intensity
// limit, because a loop that keeps crashing is trading on broken state.

// child is one supervised goroutine.
type child struct {
	name string
	run  func(context.Context) error
	// restart decides whether a failure is followed by a restart.
	restartable bool
	// limited children fail the session past the restart intensity.
	limited bool

	cancel   context.CancelFunc
	done     chan struct{}
	restarts atomic.Uint32

	mu       sync.Mutex
	failures []time.Time // within the policy's period
}

// PanicError is a recovered panic with its stack. Its message is one line
// quoting ID, and is what clients see (reasons, last error); the stack and
// the whole value go to the log under the same ID.
type PanicError struct {
	Value any
	Stack []byte
	ID    string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %s (error id %s)", firstLine(fmt.Sprint(e.Value)), e.ID)
}

// Unwrap exposes an error the code panicked with, such as a
// coordinator.FatalError.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// runRecovered turns a panic in run into an error, so one bad tick cannot
// take the daemon down.
func runRecovered(ctx context.Context, run func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack(), ID: newErrorID()}
		}
	}()
	return run(ctx)
}

// supervise runs c until ctx is done, restarting it per policy. It returns
// nil when stopped and the fatal error when c may not be restarted.
func (s *Session) supervise(ctx context.Context, c *child) error {
	backoff := s.opts.Restart.BackoffMin
	for {
		began := time.Now()
		err := runRecovered(ctx, c.run)
		if ctx.Err() != nil {
			if err != nil {
				// Stopping, but not cleanly: the tick in hand was
				// abandoned half-way. Never dropped silently.
				c.recordFailure(time.Now(), s.opts.Restart.Period)
				s.noteStopFailure(c, err)
			}
			return nil
		}
		if err == nil {
			err = errors.New("returned before it was stopped")
		}
		recent := c.recordFailure(time.Now(), s.opts.Restart.Period)
		s.noteFailure(c, err)
		if fatal := (*coordinator.FatalError)(nil); errors.As(err, &fatal) {
			return err // its state is half-updated: a restart would trade on it
		}
		if !c.restartable {
			return err
		}
		if c.limited && recent > s.opts.Restart.Intensity {
			return fmt.Errorf("failed %d times within %s, more than the restart limit of %d; last failure: %w",
				recent, s.opts.Restart.Period, s.opts.Restart.Intensity, err)
		}
		if time.Since(began) > s.opts.Restart.Period {
			backoff = s.opts.Restart.BackoffMin // it ran well for a while: start afresh
		}
		wait := jitter(backoff)
		backoff = min(2*backoff, s.opts.Restart.BackoffMax)
		s.log.Warn("restarting child after backoff", "child", c.name, "backoff", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		c.restarts.Add(1)
		s.log.Info("child restarted", "child", c.name, "restarts", c.restarts.Load())
		s.monitor.Kick()
	}
}

// jitter spreads d over [0.8d, 1.2d) so that restarts of many sessions or
// daemons do not fall into step.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// recordFailure notes a failure at now and returns how many fell within the
// last period.
func (c *child) recordFailure(now time.Time, period time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = append(c.failures, now)
	return c.recentLocked(now, period)
}

// recentFailures counts failures within the last period.
func (c *child) recentFailures(now time.Time, period time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recentLocked(now, period)
}

func (c *child) recentLocked(now time.Time, period time.Duration) int {
	keep := c.failures[:0]
	for _, t := range c.failures {
		if now.Sub(t) <= period {
			keep = append(keep, t)
		}
	}
	c.failures = keep
	return len(keep)
}

// stop cancels c and waits for it until deadline. It reports false if c is
// still running then.
func (c *child) stop(deadline time.Time) bool {
	c.cancel()
	select {
	case <-c.done: // a child that has stopped is never reported stuck for a deadline already past
		return true
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-c.done:
		return true
	case <-t.C:
		return false
	}
}
