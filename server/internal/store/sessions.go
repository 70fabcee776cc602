package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

const sessionColumns = `id, COALESCE(resumed_from, ''), state, reason, settings, started, ended, last_tick, summary,
	ticks, events, orders, fills, refused, traded`

// CreateSession stores a new session; its ID must be new (ErrDuplicate).
func (s *SQLite) CreateSession(ctx context.Context, r SessionRecord) error {
	var resumed any
	if r.ResumedFrom != "" {
		resumed = r.ResumedFrom
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (id, resumed_from, state, reason, settings, started, ended, last_tick, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, resumed, r.State, r.Reason, string(r.SettingsJSON), nanos(r.Started), nanos(r.Ended), nanos(r.LastTick),
		jsonText(r.SummaryJSON))
	if err != nil {
		return fmt.Errorf("store: create session %q: %w", r.ID, classify(err))
	}
	return nil
}

// UpdateSession implements Store.
func (s *SQLite) UpdateSession(ctx context.Context, id, state, reason string, ended time.Time, summaryJSON []byte) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET state = ?, reason = ?, ended = COALESCE(?, ended),
		summary = COALESCE(?, summary) WHERE id = ?`, state, reason, nanos(ended), jsonText(summaryJSON), id)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: update session %q: %w", id, classify(err))
	}
	return nil
}

// GetSession implements Store; ErrNotFound if there is no such session.
func (s *SQLite) GetSession(ctx context.Context, id string) (SessionRecord, error) {
	r, err := scanSession(s.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return SessionRecord{}, fmt.Errorf("store: get session %q: %w", id, classify(err))
	}
	return r, nil
}

// ListSessions implements Store, in order of start.
func (s *SQLite) ListSessions(ctx context.Context, limit int) ([]SessionRecord, error) {
	list, err := querySessions(ctx, s.r, `SELECT * FROM (SELECT `+sessionColumns+`, rowid AS n FROM sessions
		ORDER BY started DESC, n DESC LIMIT ?) ORDER BY started, n`, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", classify(err))
	}
	return list, nil
}

// InterruptedSessions implements Store, in order of start.
func (s *SQLite) InterruptedSessions(ctx context.Context) ([]SessionRecord, error) {
	list, err := querySessions(ctx, s.r, `SELECT `+sessionColumns+`, rowid AS n FROM sessions WHERE state = ?
		ORDER BY started, n`, StateInterrupted)
	if err != nil {
		return nil, fmt.Errorf("store: list interrupted sessions: %w", classify(err))
	}
	return list, nil
}

// StateAbandoned: an interrupted session an operator chose not to resume;
// its open orders were cancelled (AbandonSession).
const StateAbandoned = "ABANDONED"

// AbandonSession implements Store.
func (s *SQLite) AbandonSession(ctx context.Context, id, reason string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET state = ?, reason = ?, ended = ? WHERE id = ? AND state = ?`,
		StateAbandoned, reason, nanos(at), id, StateInterrupted)
	if err != nil {
		return fmt.Errorf("store: abandon session %q: %w", id, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: abandon session %q: %w: it is not INTERRUPTED", id, ErrInvalid)
	}
	return nil
}

// MarkInterrupted implements Store. A session's end is taken to be its
// last committed tick (its start if it never ticked): the last moment the
// store knows it was alive.
func (s *SQLite) MarkInterrupted(ctx context.Context, reason string) (_ []SessionRecord, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: mark interrupted sessions: %w", classify(err))
		}
	}()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	list, err := querySessions(ctx, tx, `UPDATE sessions SET state = ?, reason = ?, ended = COALESCE(last_tick, started)
		WHERE state IN (?, ?, ?) RETURNING `+sessionColumns+`, rowid`,
		StateInterrupted, reason, StateStarting, StateRunning, StateStopping)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b SessionRecord) int { return a.Started.Compare(b.Started) })
	return list, tx.Commit()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// querySessions runs a query whose columns are sessionColumns and a rowid.
func querySessions(ctx context.Context, q querier, query string, args ...any) ([]SessionRecord, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []SessionRecord
	for rows.Next() {
		var n int64
		r, err := scanSession(rows, &n)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanSession(sc scanner, extra ...any) (SessionRecord, error) {
	var r SessionRecord
	var settings string
	var summary sql.NullString
	var started int64
	var ended, lastTick sql.NullInt64
	var ticks, events, orders, fills, refused, traded int64
	err := sc.Scan(append([]any{&r.ID, &r.ResumedFrom, &r.State, &r.Reason, &settings, &started, &ended, &lastTick, &summary,
		&ticks, &events, &orders, &fills, &refused, &traded}, extra...)...)
	if err != nil {
		return SessionRecord{}, err
	}
	r.SettingsJSON = []byte(settings)
	r.Started = fromNanos(sql.NullInt64{Int64: started, Valid: true})
	r.Ended, r.LastTick = fromNanos(ended), fromNanos(lastTick)
	r.Counters = Counters{Ticks: uint64(ticks), Events: uint64(events), Orders: uint64(orders), Fills: uint64(fills),
		Refused: uint64(refused), Traded: time.Duration(traded)}
	if summary.Valid {
		r.SummaryJSON = []byte(summary.String)
	}
	return r, nil
}

// jsonText stores JSON as TEXT, nil as NULL.
func jsonText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// oneRow turns an update that matched nothing into ErrNotFound.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}
