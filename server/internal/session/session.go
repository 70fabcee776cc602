package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/remote"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/orderfeed"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
	"github.com/tradectl/tradectl/server/internal/supervisor"
)

// Session is one run of a coordinator and its health monitor under a small
// supervisor. Its methods are safe for concurrent use.
type Session struct {
	id       string
	settings settings.Settings
	opts     Options
	log      *slog.Logger
	emit     func(*Report)
	started  time.Time
	// traded is the trading time a resumed session had before: its
	// Duration is the total, so it trades only what is left.
	traded time.Duration

	coord   *coordinator.Coordinator
	journal *journal // nil without a store
	monitor *sessionhealth.Monitor
	risk    *risk.Guard
	orders  *orders.Book
	// remote is the strategy's loop side when a client drives it
	// (remote:NAME), nil for a built-in strategy; graceOver says why its
	// client's absence ends the session (see watchAttach).
	remote    *remote.Strategy
	graceOver chan string
	// runStart is when this run began (a resumed session's started is
	// the first run's): the attach grace and the staleness of a loop that
	// has not ticked yet count from it, not from before an outage.
	runStart time.Time
	// sup runs the monitor and the coordinator (see supervise).
	sup     *supervisor.Supervisor
	stopReq chan struct{}
	done    chan struct{}

	lastErr atomic.Pointer[string]
	// refusals judges the rate of refused orders for checkRisk.
	refusals refusalRate
	// stopFailures counts children that failed while being stopped.
	stopFailures atomic.Uint32
	// exiting is set when the daemon shuts down: the process ends after
	// the stop, taking a loop that did not stop with it.
	exiting atomic.Bool

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

	// parts releases what the parts hold outside the process (a live
	// venue's connection), once, when the session ends or never starts.
	parts partsCloser
	// writeAhead: the venue is a live one, whose answers to a stop's
	// cancellations come later, on its connection (see awaitCancels).
	writeAhead bool
	// liveStart is a live session's venue and start balances for the
	// store to keep (assemble.Parts.LiveStart); nil when none to save.
	liveStart *store.LiveStart
}

func newSession(ctx context.Context, s settings.Settings, opts Options, emit func(*Report), feed *orderfeed.Feed) (*Session, error) {
	if s.Seed == 0 {
		s.Seed = randomSeed()
	}
	id := newID()
	parts, err := opts.Assembler.Build(ctx, specOf(id, s))
	if err != nil {
		return nil, fmt.Errorf("building session: %w", err)
	}
	if parts.Remote != nil && opts.Remote == nil {
		closeParts(opts.Logger, parts)
		return nil, fmt.Errorf("building session: %w: this daemon serves no remote strategies", settings.ErrInvalid)
	}
	var jr *journal
	if opts.Store != nil {
		jr = newJournal(opts.Store, id)
	}
	sess, err := build(id, time.Now(), s, parts, opts, emit, feed, jr, nil)
	if err != nil {
		closeParts(opts.Logger, parts)
	}
	return sess, err
}

// build makes a session of its parts, not started; jr is its journal (nil
// without a store), r is set for a resumed session.
func build(id string, started time.Time, s settings.Settings, parts assemble.Parts, opts Options, emit func(*Report),
	feed *orderfeed.Feed, jr *journal, r *assemble.Restored) (*Session, error) {
	var err error
	sess := &Session{
		id:         id,
		settings:   s,
		opts:       opts,
		log:        opts.Logger.With("session", id),
		emit:       emit,
		started:    started,
		stopReq:    make(chan struct{}),
		done:       make(chan struct{}),
		state:      StateStarting,
		risk:       parts.Risk,
		orders:     parts.Orders,
		journal:    jr,
		remote:     parts.Remote,
		parts:      partsCloser{close: parts.Close},
		liveStart:  parts.LiveStart,
		writeAhead: isWriteAhead(parts.Venue),
	}
	if parts.Remote != nil {
		sess.graceOver = make(chan string, 1)
	}
	if r != nil {
		sess.traded, jr.tradedBefore = r.Traded, r.Traded
	}
	w := assemble.Wiring{Publish: feed.Publish, OnHalt: func() { sess.monitor.Kick() }, Logger: sess.log}
	if jr != nil {
		w.Journal = jr // never a typed nil: the loop asks whether it has one
	}
	sess.coord, err = assemble.Coordinator(specOf(id, s), parts, w, r)
	if err != nil {
		return nil, err
	}
	sess.monitor, err = sessionhealth.NewMonitor(sessionhealth.MonitorConfig{
		Interval:     s.HealthInterval,
		EvalEvery:    min(max(s.TickInterval, 100*time.Millisecond), time.Second),
		CheckTimeout: opts.CheckTimeout,
		Checks:       append(withParts(sess.checks(), parts.Checks), opts.ExtraChecks...),
		Publish:      sess.onComponents,
		Logger:       sess.log,
	})
	if err != nil {
		return nil, err
	}
	sess.sup = sess.supervise()
	return sess, nil
}

// start launches the monitor, then the coordinator, then the goroutine that
// waits for the session's end, and returns: it never waits on either child.
// The monitor starts first so that it watches the loop from its first tick.
func (s *Session) start() {
	if s.journal != nil {
		s.journal.runStart = time.Now() // before the loop runs: it reads it
	}
	s.log.Info("session starting", "mode", modeName(s.settings.Mode), "strategy", s.settings.Strategy, "symbols", strings.Join(s.settings.Symbols, ","),
		"tick_interval", s.settings.TickInterval, "health_interval", s.settings.HealthInterval,
		"duration", s.settings.Duration, "auto_restart", s.settings.AutoRestart, "seed", s.settings.Seed)
	s.runStart = time.Now()
	if s.remote != nil {
		// Before the loop runs, so that a client attaching at once finds
		// it; one session at a time, and each unregisters at its end, so
		// the name is free.
		if err := s.opts.Remote.Register(s.remote); err != nil {
			s.log.Error("remote strategy not registered: its client cannot attach", "err", err)
		}
	}
	s.sup.Start()
	s.log.Info("health monitor started in background", "interval", s.settings.HealthInterval)
	s.log.Info("trading loop started", "tick_interval", s.settings.TickInterval)
	var timeout <-chan time.Time
	if s.settings.Duration > 0 {
		timeout = time.After(max(s.settings.Duration-s.traded, 0))
	}
	go s.await(timeout)
	s.setState(StateRunning, "")
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
