package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/server/matching"
	"github.com/tradectl/tradectl/server/orders"
	"github.com/tradectl/tradectl/server/portfolio"
	"github.com/tradectl/tradectl/server/risk"
	"github.com/tradectl/tradectl/server/store"
)

// Resume carries on the last session if a crash interrupted it: same id,
// same settings, its account, its open orders (at the venue and in the
// books) and its risk state (a halt stays a halt), all as of its last
// committed tick. Client order ids continue after the last one used, so
// none is reused. Like Start, it returns once the session's goroutines
// are launched.
//
// Startup and resume share one path for the account: both build the
// venue, portfolio and guard, a resume from their stored state. The market
// does not carry over: the paper simulator starts afresh, so prices may
// jump from the last marks.
func (m *Manager) Resume(ctx context.Context) (Snapshot, error) {
	st := m.opts.Store
	if st == nil {
		return Snapshot{}, ErrNoStore
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Snapshot{}, ErrShuttingDown
	}
	if cur := m.cur; cur != nil && cur.State().Active() {
		return Snapshot{}, &ConflictError{SessionID: cur.id, Err: ErrAlreadyRunning}
	}
	recs, err := st.ListSessions(ctx, 1)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%w: %w", ErrStore, err)
	}
	if len(recs) == 0 {
		return Snapshot{}, ErrNothingToResume
	}
	if ok, err := resumable(ctx, st, recs[0]); err != nil {
		return Snapshot{}, fmt.Errorf("%w: %w", ErrStore, err)
	} else if !ok {
		return Snapshot{}, ErrNothingToResume
	}
	rec := recs[0]
	old, err := snapshotFromRecord(rec)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%w: %w", ErrStore, err)
	}
	s := old.Settings.withDefaults(m.opts.HealthInterval) // settings stored before a field was added
	parts, r, err := m.restore(ctx, rec.ID, s)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%w: cannot resume session %s: %w", ErrStore, rec.ID, err)
	}
	sess, err := assemble(rec.ID, rec.Started, s, parts, m.opts, m.emit, m.feed, r)
	if err != nil {
		return Snapshot{}, err
	}
	if err := st.ResumeSession(ctx, rec.ID, "resumed after: "+rec.Reason); err != nil {
		return Snapshot{}, fmt.Errorf("%w: %w", ErrStore, err)
	}
	sess.log.Warn("resuming interrupted session", "interrupted", rec.Reason, "last_commit", rec.LastTick,
		"open_orders", parts.Venue.OpenTotal(), "risk", parts.Risk.State().String())
	sess.start()
	m.cur = sess
	return sess.Snapshot(), nil
}

// restore rebuilds a session's parts and books from the store.
func (m *Manager) restore(ctx context.Context, id string, s Settings) (Parts, *resumed, error) {
	st := m.opts.Store
	parts, err := m.opts.Build(s) // a fresh market and strategy
	if err != nil {
		return Parts{}, nil, err
	}
	if ps, err := st.LoadPortfolio(ctx, id); err == nil {
		if parts.Portfolio, err = portfolio.Restore(ps); err != nil {
			return Parts{}, nil, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return Parts{}, nil, err
	}
	if rr, err := st.LoadRisk(ctx, id); err == nil {
		if parts.Risk, err = risk.RestoreGuard(*s.Risk, guardState(rr)); err != nil {
			return Parts{}, nil, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return Parts{}, nil, err
	}
	if vs, err := st.LoadVenue(ctx, id, finishedIDs); err == nil {
		if parts.Venue, err = matching.Restore(venueConfig(s), vs); err != nil {
			return Parts{}, nil, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return Parts{}, nil, err
	}
	open, _, err := st.ListOrders(ctx, id, true, 0)
	if err != nil {
		return Parts{}, nil, err
	}
	r := &resumed{book: orders.NewBook(id, maxFinishedOrders), journal: newJournal(st, id)}
	for _, o := range open {
		hist, err := st.OrderHistory(ctx, id, o.ClientID)
		if err != nil {
			return Parts{}, nil, err
		}
		if err := r.book.Adopt(o); err != nil {
			return Parts{}, nil, err
		}
		if err := r.journal.adopt(o.ClientID, len(hist)-1, len(o.Fills)); err != nil {
			return Parts{}, nil, err
		}
	}
	if r.orderSeq, err = st.MaxOrderSeq(ctx, id); err != nil {
		return Parts{}, nil, err
	}
	return parts, r, nil
}
