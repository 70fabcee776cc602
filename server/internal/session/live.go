package session

import (
	"context"
	"errors"
	"time"

	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/server/internal/orderfeed"
	"github.com/tradectl/tradectl/server/internal/store"
)

// ErrNoSession: the call needs a session and none is running.
var ErrNoSession = errors.New("no trading session is running")

// last returns the current or last session, nil if none ran.
func (m *Manager) last() *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur
}

// Last is the snapshot of the session this daemon runs, or ran last, as it
// is now; ok is false when none ran since the daemon started. Queries show
// it so rather than as last committed.
func (m *Manager) Last() (snap Snapshot, ok bool) {
	if s := m.last(); s != nil {
		return s.Snapshot(), true
	}
	return Snapshot{}, false
}

// LastID is the id of the session Last shows, "" when none ran.
func (m *Manager) LastID() string {
	if s := m.last(); s != nil {
		return s.id
	}
	return ""
}

// ResetKillSwitch returns a halted (or reducing) session to ACTIVE. The
// reset runs on the trading loop's goroutine, which owns the guard, so it
// waits for the loop between ticks, bounded by ctx. sessionID, when set,
// resets only that session's guard: if the current (or last) session is
// another, nothing is done (*SessionChangedError). The reset acts on the
// session the check was made on, never on one started since: a session's
// loop and guard are its own.
func (m *Manager) ResetKillSwitch(ctx context.Context, reason, sessionID string) (RiskStatus, error) {
	m.mu.Lock()
	cur, stored := m.cur, m.stored
	m.mu.Unlock()
	if err := checkSession(sessionID, currentID(cur, stored)); err != nil {
		return RiskStatus{}, err
	}
	if cur == nil || !cur.State().Active() {
		return RiskStatus{}, ErrNoSession
	}
	s := cur
	var resetErr error
	if err := s.coord.Do(ctx, func() { resetErr = s.risk.Reset(time.Now()) }); err != nil {
		return RiskStatus{}, err
	}
	if resetErr != nil {
		return RiskStatus{}, resetErr
	}
	s.log.Warn("kill switch reset: trading may resume", "reason", reason)
	s.monitor.Kick()
	return s.Snapshot().Summary.Risk, nil
}

// Orders lists the current or last session's orders; sessionID is "" when
// no session ran.
func (m *Manager) Orders(openOnly bool, limit int) (sessionID string, list []orders.Order, omitted uint64) {
	s := m.last()
	if s == nil {
		return "", nil, 0
	}
	list, omitted = s.orders.List(openOnly, limit)
	return s.id, list, omitted
}

// Portfolio returns the current or last session's account as of its last
// tick; ok is false when no session ran.
func (m *Manager) Portfolio() (sessionID string, p portfolio.Snapshot, risk RiskStatus, at time.Time, ok bool) {
	s := m.last()
	if s == nil {
		return "", portfolio.Snapshot{}, RiskStatus{}, time.Time{}, false
	}
	st := s.coord.Stats()
	return s.id, *st.Account, s.Snapshot().Summary.Risk, st.LastTick, true
}

// SubscribeOrders streams order events across sessions: those after
// sequence number after (read from the store while the feed's ring no
// longer holds them), or those from now on when fromNow.
func (m *Manager) SubscribeOrders(after uint64, fromNow bool) (*orderfeed.Watcher, error) {
	return m.feed.Subscribe(after, fromNow)
}

// OrderWatchers is the number of order event subscribers.
func (m *Manager) OrderWatchers() int { return m.feed.Watchers() }

// newFeed numbers live events after the last stored one, and lets a
// watcher that fell behind catch up from the store.
func newFeed(st store.Store) *orderfeed.Feed {
	if st == nil {
		return orderfeed.New(orderfeed.Options{})
	}
	// A failed read leaves the feed at 0: the first commit's numbers jump
	// ahead of it, and a watcher that started before then is handed the
	// stored events before them too: more than it asked for, never less.
	last, _ := st.LastOrderEvent(context.Background())
	return orderfeed.New(orderfeed.Options{Source: st, Last: last})
}
