package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tradectl/tradectl/server/health"
	"github.com/tradectl/tradectl/server/orders"
)

// Manager holds the daemon's one session slot. Start and Stop are
// linearizable: the slot changes hands only under mu, and Start does nothing
// slow under it (it launches goroutines and returns), so a storm of
// concurrent calls yields one session, never two and never a stuck state.
type Manager struct {
	opts Options
	hub  *health.Hub[Report]
	// feed streams order events across sessions.
	feed *orders.Feed

	mu     sync.Mutex
	cur    *Session // the running or the last session
	closed bool

	pubMu sync.Mutex
	seq   uint64
}

// NewManager returns a manager with no session. Its hub already holds an
// idle report, so a watcher that subscribes before any session sees one.
func NewManager(opts Options) *Manager {
	m := &Manager{opts: opts.withDefaults(), hub: health.NewHub[Report](), feed: orders.NewFeed()}
	idle := &Report{Time: time.Now(), Status: health.StatusIdle, Reason: "no session has run yet"}
	if last, ok := m.lastStored(); ok {
		idle.SessionID, idle.State = last.ID, last.State
		idle.Reason = fmt.Sprintf("no session running; the last one ended %s: %s", last.State, last.Reason)
		if last.State == StateInterrupted {
			idle.Status = health.StatusUnhealthy
		}
	}
	m.emit(idle)
	return m
}

// DefaultHealthInterval is the heartbeat period of sessions that name none.
func (m *Manager) DefaultHealthInterval() time.Duration { return m.opts.HealthInterval }

// Start starts a session, or returns the running one if it was started with
// the same settings (already=true). It returns as soon as the session's
// goroutines are launched.
func (m *Manager) Start(req Settings) (snap Snapshot, already bool, err error) {
	if err := req.Validate(); err != nil {
		return Snapshot{}, false, err
	}
	want := req.withDefaults(m.opts.HealthInterval)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Snapshot{}, false, ErrShuttingDown
	}
	if cur := m.cur; cur != nil {
		switch cur.State() {
		case StateStarting, StateRunning:
			diffs := cur.settings.differences(want)
			if len(diffs) == 0 {
				return cur.Snapshot(), true, nil
			}
			return Snapshot{}, false, &ConflictError{SessionID: cur.id, Err: ErrAlreadyRunning, Differences: diffs}
		case StateStopping:
			return Snapshot{}, false, &ConflictError{SessionID: cur.id, Err: ErrStopping}
		}
	}
	s, err := newSession(want, m.opts, m.emit, m.feed)
	if err != nil {
		return Snapshot{}, false, err
	}
	if m.opts.Store != nil {
		if err := s.recordStart(m.opts.Store); err != nil {
			return Snapshot{}, false, fmt.Errorf("%w: %w", ErrStore, err)
		}
	}
	s.start()
	m.cur = s
	return s.Snapshot(), false, nil
}

// StopOptions shape a stop.
type StopOptions struct {
	// Timeout bounds the wind-down; zero takes the default.
	Timeout time.Duration
	// KeepOpenOrders leaves resting orders at the venue; by default a
	// stop cancels them.
	KeepOpenOrders bool
}

// Stop stops the running session, waiting for it to wind down within the
// timeout. It returns the final snapshot, or the last session's if none was
// running; ok is false when no session ever ran. wasRunning is true only
// for the call that began the stop.
func (m *Manager) Stop(ctx context.Context, o StopOptions) (snap Snapshot, ok, wasRunning bool, err error) {
	timeout := o.Timeout
	m.mu.Lock()
	cur := m.cur
	m.mu.Unlock()
	if cur == nil {
		return Snapshot{}, false, false, nil
	}
	if timeout <= 0 {
		timeout = m.opts.StopTimeout
	}
	wasRunning = cur.requestStop("stopped by request", timeout, o.KeepOpenOrders)
	// The session bounds its own stop by timeout; the extra second covers
	// the monitor's grace so that we return the final state, not STOPPING.
	t := time.NewTimer(timeout + 2*time.Second)
	defer t.Stop()
	select {
	case <-cur.Done():
	case <-t.C:
	case <-ctx.Done():
		return cur.Snapshot(), true, wasRunning, ctx.Err()
	}
	return cur.Snapshot(), true, wasRunning, nil
}

// Status returns the current or last session (ok=false if none ran) and a
// report. While a session is active the report is made now, from the
// latest checks (at most one evaluation old) and live counters, rather
// than the last published one, which may be a whole health interval old;
// it carries the sequence of the last published report.
func (m *Manager) Status() (snap Snapshot, ok bool, r *Report) {
	m.mu.Lock()
	cur := m.cur
	m.mu.Unlock()
	r = m.hub.Latest()
	if cur == nil {
		last, ok := m.lastStored()
		return last, ok, r
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
func (m *Manager) Subscribe() (*health.Subscription[Report], error) {
	return m.hub.Subscribe()
}

// Watchers is the number of health subscribers.
func (m *Manager) Watchers() int { return m.hub.Len() }

// Shutdown refuses new sessions, stops the running one (bounded by ctx and
// the stop timeout) and ends every health subscription.
func (m *Manager) Shutdown(ctx context.Context) {
	m.mu.Lock()
	m.closed = true
	cur := m.cur
	m.mu.Unlock()
	defer m.hub.Close()
	if cur == nil {
		m.feed.Close()
		return
	}
	defer m.feed.Close()
	cur.requestStop("daemon shutting down", m.opts.StopTimeout, false)
	select {
	case <-cur.Done():
	case <-ctx.Done():
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
	if last := m.hub.Latest(); last != nil && last.SessionID == r.SessionID && r.SessionID != "" &&
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
	snap, err := snapshotFromRecord(recs[0])
	return snap, err == nil
}
