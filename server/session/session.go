package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/server/coordinator"
	"github.com/tradectl/tradectl/server/health"
	"github.com/tradectl/tradectl/server/orders"
	"github.com/tradectl/tradectl/server/risk"
)

// Session is one run of a coordinator and its health monitor under a small
// supervisor. Its methods are safe for concurrent use.
type Session struct {
	id       string
	settings Settings
	opts     Options
	log      *slog.Logger
	emit     func(*Report)
	started  time.Time

	coord   *coordinator.Coordinator
	journal *journal // nil without a store
	monitor *health.Monitor
	risk    *risk.Guard
	orders  *orders.Book
	// children in start order; stopped in reverse.
	children []*child
	exits    chan childExit
	stopReq  chan struct{}
	done     chan struct{}

	lastErr atomic.Pointer[string]
	// refusals judges the rate of refused orders for checkRisk.
	refusals refusalRate

	mu          sync.Mutex
	state       State
	reason      string
	ended       time.Time
	stopTimeout time.Duration
	keepOrders  bool
	unstopped   []string
	// cancelled counts the open orders the stop cancelled; -1 when they
	// could not be (the loop did not stop).
	cancelled int
}

type childExit struct {
	name string
	err  error
}

// maxFinishedOrders bounds the finished orders a session remembers for
// queries; open orders are always kept.
const maxFinishedOrders = 10_000

func newSession(s Settings, opts Options, emit func(*Report), feed *orders.Feed) (*Session, error) {
	if s.Seed == 0 {
		s.Seed = randomSeed()
	}
	parts, err := opts.Build(s)
	if err != nil {
		return nil, fmt.Errorf("building session: %w", err)
	}
	return assemble(newID(), time.Now(), s, parts, opts, emit, feed, nil)
}

// resumed carries what a resumed session continues with.
type resumed struct {
	book     *orders.Book
	journal  *journal
	orderSeq uint64
}

// assemble builds a session from its parts; r is set for a resumed one.
func assemble(id string, started time.Time, s Settings, parts Parts, opts Options, emit func(*Report), feed *orders.Feed, r *resumed) (*Session, error) {
	var err error
	sess := &Session{
		id:       id,
		settings: s,
		opts:     opts,
		log:      opts.Logger.With("session", id),
		emit:     emit,
		started:  started,
		exits:    make(chan childExit, 2),
		stopReq:  make(chan struct{}),
		done:     make(chan struct{}),
		state:    StateStarting,
		risk:     parts.Risk,
		orders:   orders.NewBook(id, maxFinishedOrders),
	}
	var jr *journal
	var firstSeq uint64
	switch {
	case r != nil:
		sess.orders, jr, firstSeq = r.book, r.journal, r.orderSeq
	case opts.Store != nil:
		jr = newJournal(opts.Store, id)
	}
	cfg := coordinator.Config{
		OrderPrefix:   id[:8],
		TickInterval:  s.TickInterval,
		Source:        parts.Source,
		Venue:         parts.Venue,
		Strategy:      parts.Strategy,
		Portfolio:     parts.Portfolio,
		Risk:          parts.Risk,
		Orders:        sess.orders,
		Publish:       feed.Publish,
		FirstOrderSeq: firstSeq,
		OnHalt:        func() { sess.monitor.Kick() },
		Logger:        sess.log,
	}
	if jr != nil {
		cfg.Journal = jr
		sess.journal = jr
	}
	sess.coord, err = coordinator.New(cfg)
	if err != nil {
		return nil, err
	}
	sess.monitor, err = health.NewMonitor(health.MonitorConfig{
		Interval:     s.HealthInterval,
		EvalEvery:    min(max(s.TickInterval, 100*time.Millisecond), time.Second),
		CheckTimeout: opts.CheckTimeout,
		Checks:       append(sess.checks(), opts.ExtraChecks...),
		Publish:      sess.onComponents,
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// start launches the monitor, then the coordinator, then the goroutine that
// waits for the session's end, and returns: it never waits on either child.
// The monitor starts first so that it watches the loop from its first tick.
func (s *Session) start() {
	s.log.Info("session starting", "mode", "paper", "strategy", s.settings.Strategy, "symbols", strings.Join(s.settings.Symbols, ","),
		"tick_interval", s.settings.TickInterval, "health_interval", s.settings.HealthInterval,
		"duration", s.settings.Duration, "auto_restart", s.settings.AutoRestart, "seed", s.settings.Seed)
	s.children = []*child{
		{name: "monitor", run: s.monitor.Run, restartable: true},
		{name: "coordinator", run: s.coord.Run, restartable: s.settings.AutoRestart, limited: true},
	}
	for _, c := range s.children {
		s.launch(c)
	}
	s.log.Info("health monitor started in background", "interval", s.settings.HealthInterval)
	s.log.Info("trading loop started", "tick_interval", s.settings.TickInterval)
	var timeout <-chan time.Time
	if s.settings.Duration > 0 {
		timeout = time.After(s.settings.Duration)
	}
	go s.await(timeout)
	s.setState(StateRunning, "")
}

func (s *Session) launch(c *child) {
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		if err := s.supervise(ctx, c); err != nil {
			s.exits <- childExit{name: c.name, err: err}
		}
	}()
}

// await ends the session on the first of: a stop request, the duration
// elapsing, a child that may not be restarted failing. It then stops the
// children in reverse start order, each bounded by the stop deadline.
func (s *Session) await(timeout <-chan time.Time) {
	final, reason := StateStopped, ""
	select {
	case <-s.stopReq:
		s.mu.Lock()
		reason = s.reason
		s.mu.Unlock()
	case <-timeout:
		reason = "duration elapsed"
		s.setState(StateStopping, reason)
	case e := <-s.exits:
		final, reason = StateFailed, fmt.Sprintf("%s failed: %v", e.name, e.err)
		s.setState(StateStopping, reason)
	}
	s.mu.Lock()
	deadline := time.Now().Add(s.stopTimeoutLocked())
	s.mu.Unlock()

	var unstopped []string
	for i := len(s.children) - 1; i >= 0; i-- {
		c := s.children[i]
		// The monitor gets a moment even if the coordinator used up the
		// deadline: it is quick to stop, and reporting it as stuck when
		// it is not would hide the real culprit.
		d := deadline
		if c.name == "monitor" {
			d = later(deadline, time.Now().Add(time.Second))
		}
		if !c.stop(d) {
			unstopped = append(unstopped, c.name)
			s.log.Error("child did not stop before the deadline", "child", c.name)
			continue
		}
		if c.name == "coordinator" {
			s.settleOrders()
		}
	}
	if !s.monitor.Close(time.Second) {
		for _, name := range s.monitor.Stuck() {
			unstopped = append(unstopped, "health check "+name)
		}
	}
	if len(unstopped) > 0 {
		final = StateFailed
		reason = fmt.Sprintf("%s; did not stop in time: %s", reason, strings.Join(unstopped, ", "))
	}
	s.mu.Lock()
	s.unstopped = unstopped
	s.mu.Unlock()
	// Log before the final state frees the slot, so that in the log every
	// session ends before the next one starts.
	if s.opts.Store != nil {
		if s.journal != nil {
			s.journal.ended.Store(true)
		}
		s.recordEnd(s.opts.Store, final, reason, time.Now())
	}
	sum := s.Snapshot().Summary
	s.log.Info("session ended", "state", final.String(), "reason", reason, "ticks", sum.Ticks, "orders", sum.Orders,
		"fills", sum.Fills, "equity", sum.Equity.String(), "pnl", sum.Equity.Sub(sum.StartingEquity).String(),
		"coordinator_restarts", sum.CoordinatorRestarts)
	s.setState(final, reason)
	close(s.done)
}

// settleOrders cancels the open orders once the loop has stopped, unless
// the stop asked to keep them. It runs only after the loop returned: it
// touches what the loop owns.
func (s *Session) settleOrders() {
	s.mu.Lock()
	keep := s.keepOrders
	s.mu.Unlock()
	open := s.coord.Stats().OpenOrders
	if keep {
		if open > 0 {
			s.log.Warn("stop keeps open orders at the venue", "open_orders", open)
		}
		return
	}
	// A fresh context: this runs because the session is stopping, and
	// its cancellations must still be committed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := s.coord.CancelOpenOrders(ctx, time.Now())
	if err != nil {
		s.log.Error("could not commit the stop's order cancellations", "err", err)
	}
	s.mu.Lock()
	s.cancelled = n
	s.mu.Unlock()
	if n > 0 {
		s.log.Info("cancelled open orders at stop", "orders", n)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *Session) stopTimeoutLocked() time.Duration {
	if s.stopTimeout > 0 {
		return s.stopTimeout
	}
	return s.opts.StopTimeout
}

// requestStop asks the session to stop within timeout. It returns true if
// this call moved a running session to STOPPING.
func (s *Session) requestStop(reason string, timeout time.Duration, keepOrders bool) bool {
	// Check, transition and close under one lock: two concurrent stops
	// must not both see RUNNING and both close stopReq.
	s.mu.Lock()
	if s.state != StateStarting && s.state != StateRunning {
		s.mu.Unlock()
		return false
	}
	s.stopTimeout = timeout
	s.keepOrders = keepOrders
	s.state, s.reason = StateStopping, reason
	// Logged before the stop is signalled, so that it precedes "session
	// ended" in the log.
	s.log.Info("session stopping", "reason", reason)
	close(s.stopReq)
	s.mu.Unlock()
	s.publish()
	return true
}

// setState moves the session on and publishes a report at once, so watchers
// learn of every transition without waiting for a heartbeat.
//
// States only move forward (STARTING, RUNNING, STOPPING, then STOPPED or
// FAILED): a late "running" from start must not undo a stop that a fast
// failure already began.
func (s *Session) setState(st State, reason string) {
	s.mu.Lock()
	if st < s.state {
		s.mu.Unlock()
		return
	}
	s.state = st
	if reason != "" {
		s.reason = reason
	}
	if st == StateStopped || st == StateFailed {
		s.ended = time.Now()
	}
	s.mu.Unlock()
	s.publish()
}

// State is the session's current state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Done is closed once the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

func (s *Session) noteFailure(c *child, err error) {
	msg := fmt.Sprintf("%s: %v", c.name, err)
	s.lastErr.Store(&msg)
	var pe *PanicError
	if errors.As(err, &pe) {
		s.log.Error("child panicked", "child", c.name, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	} else {
		s.log.Error("child failed", "child", c.name, "err", err)
	}
	s.monitor.Kick()
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v | 1 // never zero: zero means "pick one"
}
