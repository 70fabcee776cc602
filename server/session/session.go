package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	// stopFailures counts children that failed while being stopped.
	stopFailures atomic.Uint32

	mu          sync.Mutex
	state       State
	reason      string
	ended       time.Time
	stopTimeout time.Duration
	// stopDeadline bounds the whole stop, once one began.
	stopDeadline time.Time
	keepOrders   bool
	unstopped    []string
	// unsettled are the orders the stop meant to cancel but could not
	// settle by its deadline.
	unsettled []string
	// cancelled counts the open orders the stop cancelled; -1 when they
	// could not be (the loop did not stop).
	cancelled int
	// stopErrs are failures of children while they were being stopped.
	stopErrs []string
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
		Logger:       sess.log,
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
// elapsing, a child that may not be restarted failing. It then winds the
// session down under one deadline, the stop's: every wait and every store
// call below derives from it, so a stop asked to finish in 100ms does. The
// children get all of it but a reserve (endReserve) kept for settling
// orders and recording the end, so that even a loop that never returns
// leaves a session whose end is recorded, naming what did not stop.
func (s *Session) await(timeout <-chan time.Time) {
	final, reason := StateStopped, ""
	select {
	case <-s.stopReq:
		s.mu.Lock()
		reason = s.reason
		s.mu.Unlock()
	case <-timeout:
		reason = "duration elapsed"
		s.beginStop(reason)
	case e := <-s.exits:
		final, reason = StateFailed, fmt.Sprintf("%s failed: %v", e.name, e.err)
		s.beginStop(reason)
	}
	s.mu.Lock()
	deadline, budget := s.stopDeadline, s.stopTimeoutLocked()
	s.mu.Unlock()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	reserve := endReserve(budget)
	childrenBy := deadline.Add(-reserve)

	// Children stop in reverse start order, so the monitor watches the loop
	// to its last tick. The monitor, quick to stop, may use half the
	// reserve: a loop that used up its share must not get the monitor
	// reported stuck when it is not, which would hide the real culprit.
	var unstopped []string
	for i := len(s.children) - 1; i >= 0; i-- {
		c := s.children[i]
		by := childrenBy
		if c.name == "monitor" {
			by = later(childrenBy, time.Now()).Add(reserve / 2)
		}
		if !c.stop(by) {
			unstopped = append(unstopped, c.name)
			s.log.Error("child did not stop before the deadline", "child", c.name, "deadline", budget)
			continue
		}
		if c.name == "coordinator" {
			s.settleOrders(ctx)
		}
	}
	if !s.monitor.Close(time.Until(deadline.Add(-reserve / 2))) {
		for _, name := range s.monitor.Stuck() {
			unstopped = append(unstopped, "health check "+name)
		}
	}
	if slices.Contains(unstopped, "coordinator") {
		s.unsettledAtStop() // the loop owns the venue: nothing could be cancelled
	}
	if len(unstopped) > 0 {
		final = StateFailed
		reason = fmt.Sprintf("%s; did not stop within %s: %s", reason, budget, strings.Join(unstopped, ", "))
	}
	s.mu.Lock()
	stopErrs := s.stopErrs
	s.mu.Unlock()
	if len(stopErrs) > 0 {
		final = StateFailed
		reason = fmt.Sprintf("%s; %s", reason, strings.Join(stopErrs, "; "))
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
		s.recordEnd(ctx, s.opts.Store, final, reason, time.Now())
	}
	sum := s.Snapshot().Summary
	s.log.Info("session ended", "state", final.String(), "reason", reason, "ticks", sum.Ticks, "orders", sum.Orders,
		"fills", sum.Fills, "equity", sum.Equity.String(), "pnl", sum.Equity.Sub(sum.StartingEquity).String(),
		"coordinator_restarts", sum.CoordinatorRestarts)
	s.setState(final, reason)
	close(s.done)
}

// endReserve is the part of a stop's budget kept for what follows the
// children: settling orders and recording the end, quick local work that a
// short deadline must still leave room for.
func endReserve(budget time.Duration) time.Duration {
	return min(budget/2, time.Second)
}

// settleOrders cancels the open orders once the loop has stopped, unless
// the stop asked to keep them. It runs only after the loop returned: it
// touches what the loop owns. Its commit is bounded by the stop's ctx;
// cancellations it could not commit are named as unsettled.
func (s *Session) settleOrders(ctx context.Context) {
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
	ids := s.openOrderIDs()
	n, err := s.coord.CancelOpenOrders(ctx, time.Now())
	if err != nil {
		s.log.Error("could not commit the stop's order cancellations", "err", err, "orders", len(ids))
	}
	s.mu.Lock()
	s.cancelled = n
	if err != nil {
		s.unsettled = ids
	}
	s.mu.Unlock()
	if n > 0 {
		s.log.Info("cancelled open orders at stop", "orders", n)
	}
}

// unsettledAtStop names the open orders a stop meant to cancel but could
// not, because the loop that owns the venue did not stop.
func (s *Session) unsettledAtStop() {
	s.mu.Lock()
	keep := s.keepOrders
	s.mu.Unlock()
	if keep {
		return
	}
	ids := s.openOrderIDs()
	s.mu.Lock()
	s.unsettled, s.cancelled = ids, -1
	s.mu.Unlock()
	if len(ids) > 0 {
		s.log.Error("stop could not cancel open orders: the trading loop did not stop", "orders", len(ids))
	}
}

func (s *Session) openOrderIDs() []string {
	open, _ := s.orders.List(true, 0)
	ids := make([]string, len(open))
	for i := range open {
		ids[i] = open[i].ClientID
	}
	return ids
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
	s.stopDeadline = time.Now().Add(s.stopTimeoutLocked())
	s.keepOrders = keepOrders
	s.state, s.reason = StateStopping, reason
	// Logged before the stop is signalled, so that it precedes "session
	// ended" in the log.
	s.log.Info("session stopping", "reason", reason, "deadline", s.stopTimeoutLocked())
	close(s.stopReq)
	s.mu.Unlock()
	s.publish()
	return true
}

// beginStop starts a stop nobody asked for (the duration elapsed, a child
// failed), under the default stop timeout.
func (s *Session) beginStop(reason string) {
	s.mu.Lock()
	if s.stopDeadline.IsZero() {
		s.stopDeadline = time.Now().Add(s.stopTimeoutLocked())
	}
	s.mu.Unlock()
	s.setState(StateStopping, reason)
}

// stopBy is when the stop under way must be over (zero before a stop).
func (s *Session) stopBy() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopDeadline
}

// stopping names what a stop that is still under way has not finished:
// the children still running and, unless kept, the orders still open.
func (s *Session) stopping() (children, orders []string) {
	for i := len(s.children) - 1; i >= 0; i-- {
		select {
		case <-s.children[i].done:
		default:
			children = append(children, s.children[i].name)
		}
	}
	s.mu.Lock()
	keep := s.keepOrders
	s.mu.Unlock()
	if !keep {
		orders = s.openOrderIDs()
	}
	return children, orders
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
	s.logFailure("child failed", c, err)
	s.monitor.Kick()
}

// noteStopFailure records a child that failed (panicked, say) while it
// was being stopped: it is logged and counted, and the session's end says
// so, because the tick it abandoned may have left its state half-updated.
func (s *Session) noteStopFailure(c *child, err error) {
	msg := fmt.Sprintf("%s: %v", c.name, err)
	s.lastErr.Store(&msg)
	s.logFailure("child failed while stopping", c, err)
	s.stopFailures.Add(1)
	if s.opts.stopFailures != nil {
		s.opts.stopFailures.Add(1)
	}
	s.mu.Lock()
	s.stopErrs = append(s.stopErrs, fmt.Sprintf("%s failed while stopping: %v", c.name, err))
	s.mu.Unlock()
}

// logFailure logs err in full: a panic's value and stack stay in the log,
// under the error id its one-line message quotes to clients.
func (s *Session) logFailure(msg string, c *child, err error) {
	var pe *PanicError
	if errors.As(err, &pe) {
		s.log.Error(msg, "child", c.name, "error_id", pe.ID, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		return
	}
	s.log.Error(msg, "child", c.name, "err", err)
}

func newErrorID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
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
