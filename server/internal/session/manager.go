package session

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/orderfeed"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Manager holds the daemon's one session slot. Start and Stop are
// linearizable: the slot changes hands only under mu, and Start does nothing
// slow under it (it launches goroutines and returns), so a storm of
// concurrent calls yields one session, never two and never a stuck state.
type Manager struct {
	opts Options
	hub  *sessionhealth.Hub[Report]
	// feed streams order events across sessions.
	feed *orderfeed.Feed

	mu  sync.Mutex
	cur *Session // the running or the last session
	// closed is set by Shutdown. It stays a flag under mu, not a latch:
	// it is read and written with cur in one critical section (publish
	// checks it and installs cur, Shutdown sets it and takes cur), which
	// is what guarantees that no session is published after Shutdown took
	// the one to stop. A latch would still need mu for that.
	closed bool
	// starting is set while a start or resume holds the slot (see claim)
	// and closed when it lets go.
	starting chan struct{}
	// stored is the newest stored session as the daemon found it, shown
	// until a session runs: read once, so that Status reads no disk.
	stored   Snapshot
	storedOK bool

	pubMu sync.Mutex
	seq   uint64

	// storeGate admits the store writes of sessions' goroutines until
	// Shutdown; the store is closed only after it (see storeGate).
	storeGate *storeGate
}

// NewManager returns a manager with no session. Its hub already holds an
// idle report, so a watcher that subscribes before any session sees one.
func NewManager(opts Options) *Manager {
	if opts.Assembler == nil {
		panic("session: Options.Assembler is required")
	}
	opts = opts.withDefaults()
	opts.stopFailures = new(atomic.Uint64)
	gate := newStoreGate()
	if opts.Store != nil {
		opts.Store = gatedStore{Store: opts.Store, gate: gate}
	}
	m := &Manager{opts: opts, hub: sessionhealth.NewHub[Report](), feed: newFeed(opts.Store), storeGate: gate}
	idle := &Report{Time: time.Now(), Status: sessionhealth.StatusIdle, Reason: "no session has run yet"}
	m.stored, m.storedOK = m.lastStored()
	if last, ok := m.stored, m.storedOK; ok {
		idle.SessionID, idle.State = last.ID, last.State
		sum := last.Summary
		idle.Ticks, idle.Orders, idle.Fills, idle.Equity = sum.Ticks, sum.Orders, sum.Fills, sum.Equity
		idle.PeakEquity, idle.MaxDrawdown = sum.PeakEquity, sum.MaxDrawdown
		idle.PnL = sum.RealizedPnL.Add(sum.UnrealizedPnL).Sub(sum.FeesPaid)
		idle.Reason = fmt.Sprintf("no session running; the last one ended %s: %s", last.State, last.Reason)
		if last.State == StateInterrupted {
			idle.Status = sessionhealth.StatusUnhealthy
		}
	}
	m.emit(idle)
	return m
}

// DefaultHealthInterval is the heartbeat period of sessions that name none.
func (m *Manager) DefaultHealthInterval() time.Duration { return m.opts.HealthInterval }

// StartOptions shape a start.
type StartOptions struct {
	// AbandonInterrupted lets a new session start although sessions are
	// INTERRUPTED: their open orders are cancelled at the venue and they
	// are marked ABANDONED first. Without it such a start fails with an
	// *InterruptedError, so that no session is orphaned with live orders.
	AbandonInterrupted bool
}

// Start is StartWith without a request's context or options.
func (m *Manager) Start(req settings.Settings) (snap Snapshot, already bool, err error) {
	return m.StartWith(context.Background(), req, StartOptions{})
}

// StartWith starts a session, or returns the running one if it was started
// with the same settings (already=true). It returns as soon as the
// session's goroutines are launched. Its store I/O is bounded by ctx and
// done outside mu (see claim).
func (m *Manager) StartWith(ctx context.Context, req settings.Settings, o StartOptions) (snap Snapshot, already bool, err error) {
	if err := req.Validate(); err != nil {
		return Snapshot{}, false, err
	}
	if err := m.opts.Assembler.Preflight(req); err != nil {
		return Snapshot{}, false, err
	}
	want := req.WithDefaults(m.opts.HealthInterval)
	cur, release, err := m.claim(ctx)
	if err != nil {
		return Snapshot{}, false, err
	}
	defer release()
	if cur != nil {
		switch cur.State() {
		case StateStarting, StateRunning:
			diffs := cur.settings.Differences(want)
			if len(diffs) == 0 {
				return cur.Snapshot(), true, nil
			}
			return Snapshot{}, false, &ConflictError{SessionID: cur.id, Err: ErrAlreadyRunning, Differences: diffs}
		case StateStopping:
			return Snapshot{}, false, &ConflictError{SessionID: cur.id, Err: ErrStopping}
		}
	}
	if m.opts.Store != nil {
		if err := m.settleInterrupted(ctx, o.AbandonInterrupted); err != nil {
			return Snapshot{}, false, err
		}
	}
	s, err := newSession(ctx, want, m.opts, m.emit, m.feed)
	if err != nil {
		return Snapshot{}, false, err
	}
	if m.opts.Store != nil {
		if err := s.recordStart(ctx, m.opts.Store); err != nil {
			s.closeParts()
			return Snapshot{}, false, storeFailed(ctx, err)
		}
	}
	failed := func(ctx context.Context, st store.Store) error {
		return st.UpdateSession(ctx, s.id, StateFailed.String(), "the daemon shut down before the session started", time.Now(), nil)
	}
	if err := m.publish(ctx, s, failed); err != nil {
		s.closeParts()
		return Snapshot{}, false, err
	}
	return s.Snapshot(), false, nil
}

// claim reserves the session slot for a start or resume and returns the
// current session. Whoever holds the slot does its store I/O without mu,
// so Status and the other readers never wait on a disk, while starts stay
// linearizable: a second start waits (outside mu, bounded by its ctx) for
// the first to publish or give up, then sees its outcome. release frees
// the slot.
func (m *Manager) claim(ctx context.Context) (cur *Session, release func(), err error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, nil, ErrShuttingDown
		}
		if m.starting == nil {
			claimed := make(chan struct{})
			m.starting, cur = claimed, m.cur
			m.mu.Unlock()
			return cur, func() {
				m.mu.Lock()
				m.starting = nil
				m.mu.Unlock()
				close(claimed)
			}, nil
		}
		busy := m.starting
		m.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// publish launches a session built and recorded under a claim and makes
// it the current one, unless the daemon began shutting down meanwhile:
// then the session never runs, and unstarted puts its record right (a new
// session failed; a resumed one is as the resume found it).
func (m *Manager) publish(ctx context.Context, s *Session, unstarted func(context.Context, store.Store) error) error {
	m.mu.Lock()
	if !m.closed {
		s.start()
		m.cur = s
		m.mu.Unlock()
		return nil
	}
	m.mu.Unlock()
	if st := m.opts.Store; st != nil {
		if err := unstarted(ctx, st); err != nil {
			s.log.Error("could not record that the session never started", "err", err)
		}
	}
	return ErrShuttingDown
}

// Stop stops the running session, waiting for it to wind down within the
// timeout. It returns the final snapshot, or the last session's if none was
// running; ok is false when no session ever ran. wasRunning is true only
// for the call that began the stop.
//
// It returns by the stop's deadline, not later: the session bounds every
// step of its stop by the same deadline, and a stop that is not over then
// is answered as it stands (STOPPING), naming the children still running
// and the orders not yet settled.
func (m *Manager) Stop(ctx context.Context, o StopOptions) (snap Snapshot, ok, wasRunning bool, err error) {
	timeout := o.Timeout
	m.mu.Lock()
	cur, last, lastOK := m.cur, m.stored, m.storedOK
	m.mu.Unlock()
	if err := checkSession(o.SessionID, currentID(cur, last)); err != nil {
		return Snapshot{}, false, false, err
	}
	if cur == nil {
		// Nothing ran since the daemon started: the last session is the
		// one in the store, as Status shows it.
		return last, lastOK, false, nil
	}
	if timeout <= 0 {
		timeout = m.opts.StopTimeout
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d).Round(time.Millisecond) // the caller's own deadline comes first
	}
	wasRunning = cur.requestStop("stopped by request", timeout, o.KeepOpenOrders)
	if err := waitStop(ctx, cur); err != nil {
		return cur.stoppingSnapshot(), true, wasRunning, err
	}
	return cur.stoppingSnapshot(), true, wasRunning, nil
}

// Status returns the current or last session (ok=false if none ran) and a
// report. While a session is active the report is made now, from the
// latest checks (at most one evaluation old) and live counters, rather
// than the last published one, which may be a whole health interval old;
// it carries the sequence of the last published report.
func (m *Manager) Status() (snap Snapshot, ok bool, r *Report) {
	m.mu.Lock()
	cur, last, lastOK := m.cur, m.stored, m.storedOK
	m.mu.Unlock()
	r = m.hub.Latest()
	if cur == nil {
		return last, lastOK, r
	}
	snap = cur.Snapshot()
	if snap.State.Active() {
		fresh := cur.reportFrom(snap, time.Now())
		fresh.Sequence = r.Sequence
		r = fresh
	}
	return snap, true, r
}

// Subscribe returns a subscription to health reports whose channel already
// holds the latest one.
func (m *Manager) Subscribe() (*sessionhealth.Subscription[Report], error) {
	return m.hub.Subscribe()
}

// StopFailures counts the children of every session so far that failed
// (panicked, say) while being stopped.
func (m *Manager) StopFailures() uint64 { return m.opts.stopFailures.Load() }

// Watchers is the number of health subscribers.
func (m *Manager) Watchers() int { return m.hub.Len() }

// Shutdown refuses new sessions, stops the running one (bounded by ctx and
// the stop timeout), ends every health subscription, and then admits no
// more store writes from the session's goroutines, waiting for those in
// flight: once it has returned, the caller may close the store.
func (m *Manager) Shutdown(ctx context.Context) {
	m.mu.Lock()
	m.closed = true
	cur := m.cur
	m.mu.Unlock()
	defer m.hub.Close()
	defer m.feed.Close()
	if cur != nil {
		timeout := m.opts.StopTimeout
		if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
			timeout = time.Until(d).Round(time.Millisecond)
		}
		cur.exiting.Store(true)
		cur.requestStop("daemon shutting down", timeout, false)
		_ = waitStop(ctx, cur)
	}
	if !m.storeGate.close(ctx, time.Second) {
		m.opts.Logger.Error("store writes still in flight after shutdown's deadline; they were cancelled")
	}
}

// emit stamps a report's sequence and publishes it. Sequencing and
// publishing under one lock keeps reports in order for every watcher.
// Reports are built before the lock is taken, so one built earlier can
// arrive later (a stop's STOPPING report overtaken by the session's final
// one); such a stale report is dropped rather than let it undo what
// watchers were already told.
func (m *Manager) emit(r *Report) {
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	// Only a report of the same run can be stale: a resumed session
	// starts over from RUNNING after its INTERRUPTED (or kept-open
	// STOPPED) end, and its reports must not be dropped as older.
	if last := m.hub.Latest(); last != nil && last.run == r.run && r.run != nil &&
		(r.State < last.State || r.Time.Before(last.Time)) {
		return
	}
	m.seq++
	r.Sequence = m.seq
	m.hub.Publish(r)
	if m.opts.OnReport != nil {
		m.opts.OnReport(r)
	}
}

// lastStored is the newest session in the store, for a daemon that has not
// run one since it started.
func (m *Manager) lastStored() (Snapshot, bool) {
	if m.opts.Store == nil {
		return Snapshot{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	recs, err := m.opts.Store.ListSessions(ctx, 1)
	if err != nil || len(recs) == 0 {
		return Snapshot{}, false
	}
	snap, err := StoredSnapshot(ctx, m.opts.Store, recs[0])
	return snap, err == nil
}
