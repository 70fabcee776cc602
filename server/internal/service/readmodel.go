package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// readModel answers the queries about sessions, their orders, fills and
// accounts. It reads the store, and asks the manager only about the
// session this daemon runs or ran last, which is shown as it is now rather
// than as last committed. Without a store it knows that session alone.
type readModel struct {
	m  *session.Manager
	st store.Store // nil: the daemon runs without one
}

// sessions lists one page of the stored sessions, newest first (see
// store.Page); next is nil on the last page. The running session is shown
// as it is now, not as last committed.
func (q readModel) sessions(ctx context.Context, p store.Page) (list []session.Snapshot, next *store.Cursor, err error) {
	if q.st == nil {
		if live, ok := q.m.Last(); ok {
			return []session.Snapshot{live}, nil, nil
		}
		return nil, nil, nil
	}
	page, err := q.st.PageSessions(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	live, liveOK := q.m.Last()
	out := make([]session.Snapshot, 0, len(page.Sessions))
	for _, rec := range page.Sessions {
		if liveOK && rec.ID == live.ID {
			out = append(out, live)
			continue
		}
		snap, err := session.StoredSnapshot(ctx, q.st, rec)
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
func (q readModel) resolve(ctx context.Context, id string) (string, error) {
	live := q.m.LastID()
	switch {
	case id != "" && live == id:
		return id, nil
	case id != "" && q.st == nil:
		return "", fmt.Errorf("%w %s (the daemon keeps only the current session without a store)", session.ErrUnknownSession, echo.Quote(id))
	case id != "":
		if _, err := q.st.GetSession(ctx, id); errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("%w %s", session.ErrUnknownSession, echo.Quote(id))
		} else if err != nil {
			return "", err
		}
		return id, nil
	case live != "":
		return live, nil
	case q.st != nil:
		recs, err := q.st.ListSessions(ctx, 1)
		if err != nil || len(recs) == 0 {
			return "", err
		}
		return recs[0].ID, nil
	}
	return "", nil
}

// orders lists one page of a session's committed orders: what a
// crash cannot take back. Without a store it lists the in-memory book of
// the current or last session, cut into pages as it is at each call.
func (q readModel) orders(ctx context.Context, sessionID string, openOnly bool, p store.Page) (string, store.OrdersPage, error) {
	id, err := q.resolve(ctx, sessionID)
	if err != nil || id == "" {
		return "", store.OrdersPage{}, err
	}
	if q.st == nil {
		id, list, omitted := q.m.Orders(openOnly, p.Limit)
		page := store.OrdersPage{Omitted: int(omitted)}
		page.Orders, page.Next = pageOf(list, p)
		return id, page, nil
	}
	page, err := q.st.PageOrders(ctx, id, openOnly, p)
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

// fills lists one page of a session's committed fills, oldest first.
func (q readModel) fills(ctx context.Context, sessionID string, p store.Page) (string, store.FillsPage, error) {
	if q.st == nil {
		return "", store.FillsPage{}, session.ErrNoStore
	}
	id, err := q.resolve(ctx, sessionID)
	if err != nil || id == "" {
		return "", store.FillsPage{}, err
	}
	page, err := q.st.PageFills(ctx, id, p)
	return id, page, err
}

// portfolio returns a session's account: the live one for the session this
// daemon runs or ran last, else the last committed one.
func (q readModel) portfolio(ctx context.Context, sessionID string) (string, portfolio.Snapshot, session.RiskStatus, time.Time, bool, error) {
	id, err := q.resolve(ctx, sessionID)
	if err != nil || id == "" {
		return "", portfolio.Snapshot{}, session.RiskStatus{}, time.Time{}, false, err
	}
	if id == q.m.LastID() {
		id, p, r, at, ok := q.m.Portfolio()
		return id, p, r, at, ok, nil
	}
	st, err := q.st.LoadPortfolio(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return id, portfolio.Snapshot{}, session.RiskStatus{}, time.Time{}, false, nil
	}
	if err != nil {
		return id, portfolio.Snapshot{}, session.RiskStatus{}, time.Time{}, false, err
	}
	pf, err := portfolio.Restore(st)
	if err != nil {
		return id, portfolio.Snapshot{}, session.RiskStatus{}, time.Time{}, false, fmt.Errorf("stored portfolio of %s: %w", id, err)
	}
	rec, _ := q.st.GetSession(ctx, id)
	// The count of refused orders is the one status and sessions show,
	// from the same function: an interrupted session has no summary of
	// its own, only the counters of its last commit.
	stored, _ := session.StoredSnapshot(ctx, q.st, rec)
	rs := session.RiskStatus{Rejects: stored.Summary.Risk.Rejects}
	if r, err := q.st.LoadRisk(ctx, id); err == nil {
		rs.State, rs.Reason, rs.Since = r.State, r.Reason, r.Since
	}
	return id, pf.Snapshot(), rs, rec.LastTick, true, nil
}

// backup writes a consistent copy of the store, while trading goes on, to
// the file name in the store's backup directory, and returns its path.
func (q readModel) backup(ctx context.Context, name string) (string, error) {
	if q.st == nil {
		return "", session.ErrNoStore
	}
	return q.st.Backup(ctx, name)
}
