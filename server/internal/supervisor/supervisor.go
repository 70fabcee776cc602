package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Child is one supervised service.
type Child struct {
	Name  string
	Serve func(context.Context) error
	// Restart: a failure is followed by a restart after backoff. A child
	// without it gives up on its first failure.
	Restart bool
	// Limited children give up past the restart intensity; unlimited ones
	// (which hold no risk, a monitor, say) are restarted however often
	// they fail.
	Limited bool
}

// Policy bounds restarts of a failing child, as OTP's restart intensity
// does: more than Intensity failures within Period is not bad luck but a
// broken child, and the supervisor gives up rather than thrash.
type Policy struct {
	Intensity  int
	Period     time.Duration
	BackoffMin time.Duration
	BackoffMax time.Duration
}

// Config shapes a Supervisor. The callbacks run on the child's goroutine
// and must not block; nil ones are skipped.
type Config struct {
	Policy Policy
	Logger *slog.Logger
	// Permanent reports a failure after which a restart is never safe
	// (the child's state is half-updated), whatever Restart says.
	Permanent func(error) bool
	// OnFailure sees each failure of a running child, before any restart.
	OnFailure func(name string, err error)
	// OnStopFailure sees a child that failed while being stopped: the
	// work it abandoned may have left its state half-updated.
	OnStopFailure func(name string, err error)
	// OnRestart sees each restart, once the backoff has passed.
	OnRestart func(name string)
}

// Exit is a child the supervisor gave up on.
type Exit struct {
	Name string
	Err  error
}

// Supervisor runs its children. Its methods are safe for concurrent use.
type Supervisor struct {
	cfg      Config
	children []*child // in start order
	exits    chan Exit
	started  atomic.Bool
}

type child struct {
	Child
	cancel   context.CancelFunc
	done     chan struct{}
	restarts atomic.Uint32

	mu       sync.Mutex
	failures []time.Time // within the policy's period
}

// New returns a supervisor of children, not started.
func New(cfg Config, children ...Child) *Supervisor {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Supervisor{cfg: cfg, exits: make(chan Exit, len(children))}
	for _, c := range children {
		s.children = append(s.children, &child{Child: c, done: make(chan struct{})})
	}
	return s
}

// Start launches the children in order and returns: it never waits on one.
// It must be called at most once.
func (s *Supervisor) Start() {
	if !s.started.CompareAndSwap(false, true) {
		panic("supervisor: Start called twice")
	}
	for _, c := range s.children {
		ctx, cancel := context.WithCancel(context.Background())
		c.cancel = cancel
		go func() {
			defer close(c.done)
			if err := s.supervise(ctx, c); err != nil {
				s.exits <- Exit{Name: c.Name, Err: err} // buffered: one per child
			}
		}()
	}
}

// Exits delivers each child the supervisor gave up on, once.
func (s *Supervisor) Exits() <-chan Exit { return s.exits }

// supervise runs c until ctx is done, restarting it per policy. It returns
// nil when stopped and the last error when c may not be restarted.
func (s *Supervisor) supervise(ctx context.Context, c *child) error {
	p := s.cfg.Policy
	backoff := p.BackoffMin
	for {
		began := time.Now()
		err := runRecovered(ctx, c.Serve)
		if ctx.Err() != nil {
			if err != nil {
				// Stopping, but not cleanly: the work in hand was
				// abandoned half-way. Never dropped silently.
				c.recordFailure(time.Now(), p.Period)
				s.logFailure("child failed while stopping", c.Name, err)
				if s.cfg.OnStopFailure != nil {
					s.cfg.OnStopFailure(c.Name, err)
				}
			}
			return nil
		}
		if err == nil {
			err = errors.New("returned before it was stopped")
		}
		recent := c.recordFailure(time.Now(), p.Period)
		s.logFailure("child failed", c.Name, err)
		if s.cfg.OnFailure != nil {
			s.cfg.OnFailure(c.Name, err)
		}
		if s.cfg.Permanent != nil && s.cfg.Permanent(err) {
			return err
		}
		if !c.Restart {
			return err
		}
		if c.Limited && recent > p.Intensity {
			return fmt.Errorf("failed %d times within %s, more than the restart limit of %d; last failure: %w",
				recent, p.Period, p.Intensity, err)
		}
		if time.Since(began) > p.Period {
			backoff = p.BackoffMin // it ran well for a while: start afresh
		}
		wait := jitter(backoff)
		backoff = min(2*backoff, p.BackoffMax)
		s.cfg.Logger.Warn("restarting child after backoff", "child", c.Name, "backoff", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		c.restarts.Add(1)
		s.cfg.Logger.Info("child restarted", "child", c.Name, "restarts", c.restarts.Load())
		if s.cfg.OnRestart != nil {
			s.cfg.OnRestart(c.Name)
		}
	}
}

// logFailure logs err in full: a panic's value and stack stay in the log,
// under the error id its one-line message quotes to clients.
func (s *Supervisor) logFailure(msg, name string, err error) {
	var pe *PanicError
	if errors.As(err, &pe) {
		s.cfg.Logger.Error(strings.Replace(msg, "failed", "panicked", 1), "child", name, "error_id", pe.ID,
			"panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		return
	}
	s.cfg.Logger.Error(msg, "child", name, "err", err)
}

// jitter spreads d over [0.8d, 1.2d) so that restarts of many supervisors
// do not fall into step.
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
