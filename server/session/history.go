package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/server/store"
)

// ErrNoStore: the call needs the durable store and the daemon runs
// without one.
var ErrNoStore = errors.New("the daemon runs without a store")

// ErrUnknownSession: no stored session has that id.
var ErrUnknownSession = errors.New("no such session")

// Sessions lists one page of the stored sessions, newest first (see
// store.Page); next is nil on the last page. The running session is shown
// as it is now, not as last committed.
func (m *Manager) Sessions(ctx context.Context, p store.Page) (list []Snapshot, next *store.Cursor, err error) {
	if m.opts.Store == nil {
		if s := m.last(); s != nil {
			return []Snapshot{s.Snapshot()}, nil, nil
		}
		return nil, nil, nil
	}
	page, err := m.opts.Store.PageSessions(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	live := m.last()
	out := make([]Snapshot, 0, len(page.Sessions))
	for _, rec := range page.Sessions {
		if live != nil && rec.ID == live.id {
			out = append(out, live.Snapshot())
			continue
		}
		snap, err := m.storedSnapshot(ctx, rec)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, snap)
	}
	return out, page.Next, nil
}

// resolve names the session a query is about: id, or the current or last
// one ("" when none ran). An id that names no session is ErrUnknownSession,
// on every query alike: an empty answer would read as "no orders".
func (m *Manager) resolve(ctx context.Context, id string) (string, error) {
	live := m.last()
	switch {
	case id != "" && live != nil && live.id == id:
		return id, nil
	case id != "" && m.opts.Store == nil:
		return "", fmt.Errorf("%w %s (the daemon keeps only the current session without a store)", ErrUnknownSession, echo.Quote(id))
	case id != "":
		if _, err := m.opts.Store.GetSession(ctx, id); errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("%w %s", ErrUnknownSession, echo.Quote(id))
		} else if err != nil {
			return "", err
		}
		return id, nil
	case live != nil:
		return live.id, nil
	case m.opts.Store != nil:
		recs, err := m.opts.Store.ListSessions(ctx, 1)
		if err != nil || len(recs) == 0 {
			return "", err
		}
		return recs[0].ID, nil
	}
	return "", nil
}

// StoredOrders lists one page of a session's committed orders: what a
// crash cannot take back. Without a store it lists the in-memory book of
// the current or last session, cut into pages as it is at each call.
func (m *Manager) StoredOrders(ctx context.Context, sessionID string, openOnly bool, p store.Page) (string, store.OrdersPage, error) {
	id, err := m.resolve(ctx, sessionID)
	if err != nil || id == "" {
		return "", store.OrdersPage{}, err
	}
	if m.opts.Store == nil {
		id, list, omitted := m.Orders(openOnly, p.Limit)
		page := store.OrdersPage{Omitted: int(omitted)}
		page.Orders, page.Next = pageOf(list, p)
		return id, page, nil
	}
	page, err := m.opts.Store.PageOrders(ctx, id, openOnly, p)
	return id, page, err
}

// pageOf cuts one page out of a list held in memory, the cursor's After
// counting the items already listed.
func pageOf[T any](list []T, p store.Page) ([]T, *store.Cursor) {
	from := min(max(p.Cursor.After, 0), int64(len(list)))
	list = list[from:]
	if p.Size <= 0 || len(list) <= p.Size {
		return list, nil
	}
	return list[:p.Size], &store.Cursor{After: from + int64(p.Size)}
}

// Fills lists one page of a session's committed fills, oldest first.
func (m *Manager) Fills(ctx context.Context, sessionID string, p store.Page) (string, store.FillsPage, error) {
	if m.opts.Store == nil {
		return "", store.FillsPage{}, ErrNoStore
	}
	id, err := m.resolve(ctx, sessionID)
	if err != nil || id == "" {
		return "", store.FillsPage{}, err
	}
	page, err := m.opts.Store.PageFills(ctx, id, p)
	return id, page, err
}

// StoredPortfolio returns a session's account: the live one for the
// running session, else the last committed one.
func (m *Manager) StoredPortfolio(ctx context.Context, sessionID string) (string, portfolio.Snapshot, RiskStatus, time.Time, bool, error) {
	id, err := m.resolve(ctx, sessionID)
	if err != nil || id == "" {
		return "", portfolio.Snapshot{}, RiskStatus{}, time.Time{}, false, err
	}
	if s := m.last(); s != nil && id == s.id {
		id, p, r, at, ok := m.Portfolio()
		return id, p, r, at, ok, nil
	}
	st, err := m.opts.Store.LoadPortfolio(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return id, portfolio.Snapshot{}, RiskStatus{}, time.Time{}, false, nil
	}
	if err != nil {
		return id, portfolio.Snapshot{}, RiskStatus{}, time.Time{}, false, err
	}
	pf, err := portfolio.Restore(st)
	if err != nil {
		return id, portfolio.Snapshot{}, RiskStatus{}, time.Time{}, false, fmt.Errorf("stored portfolio of %s: %w", id, err)
	}
	rec, _ := m.opts.Store.GetSession(ctx, id)
	// The count of refused orders is the one status and sessions show,
	// from the same function: an interrupted session has no summary of
	// its own, only the counters of its last commit.
	stored, _ := m.storedSnapshot(ctx, rec)
	rs := RiskStatus{Rejects: stored.Summary.Risk.Rejects}
	if r, err := m.opts.Store.LoadRisk(ctx, id); err == nil {
		rs.State, rs.Reason, rs.Since = r.State, r.Reason, r.Since
	}
	return id, pf.Snapshot(), rs, rec.LastTick, true, nil
}

// Backup writes a consistent copy of the store, while trading goes on, to
// the file name in the store's backup directory, and returns its path.
func (m *Manager) Backup(ctx context.Context, name string) (string, error) {
	if m.opts.Store == nil {
		return "", ErrNoStore
	}
	return m.opts.Store.Backup(ctx, name)
}
