package session

import (
	"context"
	"errors"
	"time"

	"github.com/tradectl/tradectl/server/orders"
	"github.com/tradectl/tradectl/server/portfolio"
)

// ErrNoSession: the call needs a session and none is running.
var ErrNoSession = errors.New("no trading session is running")

// active returns the running session or ErrNoSession.
func (m *Manager) active() (*Session, error) {
	m.mu.Lock()
	cur := m.cur
	m.mu.Unlock()
	if cur == nil || !cur.State().Active() {
		return nil, ErrNoSession
	}
	return cur, nil
}

// last returns the current or last session, nil if none ran.
func (m *Manager) last() *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur
}

// ResetKillSwitch returns a halted (or reducing) session to ACTIVE. The
// reset runs on the trading loop's goroutine, which owns the guard, so it
// waits for the loop between ticks, bounded by ctx.
func (m *Manager) ResetKillSwitch(ctx context.Context, reason string) (RiskStatus, error) {
	s, err := m.active()
	if err != nil {
		return RiskStatus{}, err
	}
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

// SubscribeOrders streams order events from now on, across sessions, with
// room for buffer events before a slow subscriber is cut off.
func (m *Manager) SubscribeOrders(buffer int) (*orders.Subscription, error) {
	return m.feed.Subscribe(buffer)
}
