package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// A session's equity curve: points ride along with the loop's tick commits
// (Batch.Equity), so recording them costs no transaction, no fsync and no
// wait of its own; the loop offers one when the curve's period has passed
// since its last (Batch.EquityEvery tells it the period).

// EquityEvery is a new curve's period by default (Options.EquityEvery). Five seconds is fine enough to draw
// an hour as 720 points (live detail comes from WatchHealth, not from the
// store), and cheap: one small row every 5 s next to a commit every tick
// (100 ms–1 s), under 1 % of a session's writes.
const EquityEvery = 5 * time.Second

// MaxEquityPoints bounds a session's stored points. Past it the curve is
// halved (every second point dropped, the first and the newest kept) and
// its period doubled, so its points stay evenly spaced and a session
// running for months keeps between MaxEquityPoints/2 and MaxEquityPoints
// (about 30 bytes each): at 5 s the first halving comes after 14 hours, a
// month of trading settles at a point every 5m20s. It equals the most
// GetEquityCurve returns, so a curve is thinned for a reader only when
// asked for fewer. The commit that halves takes about 30ms (measured on a
// loaded 2-core box, against 0.2ms for one that adds a point): one tick
// in at least 5,000 points' time, 14 hours at first.
const MaxEquityPoints = 10_000

// EquityRow is one point of a session's equity curve. Peak is the
// session's peak equity as of Time, from every tick (EquityPeak), so the
// point's drawdown is Peak − Equity.
type EquityRow struct {
	Time   time.Time
	Equity money.Decimal
	Peak   money.Decimal
}

// EquityPeak is a session's highest equity and largest fall from a peak,
// from every tick, not only from the curve's points: what the loop last
// committed (Batch.Peak), or the end's point raised it to.
type EquityPeak struct {
	Peak, MaxDrawdown money.Decimal
}

// writeEquity appends p to the session's curve, halving the curve when it
// passes MaxEquityPoints, and returns the curve's period.
func writeEquity(t *txStmts, id string, p EquityRow, base time.Duration) (time.Duration, error) {
	res, err := t.exec(insertEquity, id, nanos(p.Time), units(p.Equity), units(p.Peak))
	if err != nil {
		return 0, classify(err)
	}
	added, err := res.RowsAffected()
	if err != nil {
		return 0, classify(err)
	}
	var every, points int64
	if err := t.get(bumpCurve).QueryRowContext(t.ctx, id, int64(base), added).Scan(&every, &points); err != nil {
		return 0, classify(err)
	}
	if points <= MaxEquityPoints {
		return time.Duration(every), nil
	}
	// Ranked oldest first, the even ranks go, but never the newest point:
	// the curve keeps its first and its last.
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM equity_points WHERE session_id = ?1 AND time IN (
		SELECT time FROM (SELECT time, row_number() OVER (ORDER BY time) AS n, count(*) OVER () AS total
			FROM equity_points WHERE session_id = ?1) WHERE n % 2 = 0 AND n < total)`, id); err != nil {
		return 0, fmt.Errorf("halve the equity curve: %w", classify(err))
	}
	every *= 2
	if err := t.tx.QueryRowContext(t.ctx, `UPDATE equity_curves SET every = ?2,
		points = (SELECT count(*) FROM equity_points WHERE session_id = ?1) WHERE session_id = ?1 RETURNING every`,
		id, every).Scan(&every); err != nil {
		return 0, fmt.Errorf("halve the equity curve: %w", classify(err))
	}
	return time.Duration(every), nil
}

// AppendEquity implements Store.
func (s *SQLite) AppendEquity(ctx context.Context, sessionID string, p EquityRow) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append equity of session %q: %w", sessionID, classify(err))
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			err = fmt.Errorf("store: append equity of session %q: %w", sessionID, err)
		}
	}()
	if _, err := writeEquity(&txStmts{ctx: ctx, tx: tx, all: s.stmts}, sessionID, p, s.opts.EquityEvery); err != nil {
		return err
	}
	// The end's point counts like a tick's: were the last commit lost, the
	// figures still cover it.
	if _, err := tx.ExecContext(ctx, `UPDATE equity_curves SET peak = max(peak, ?2),
		max_drawdown = max(max_drawdown, max(peak, ?2) - ?3) WHERE session_id = ?1`,
		sessionID, units(p.Peak), units(p.Equity)); err != nil {
		return classify(err)
	}
	return classify(tx.Commit())
}

// ListEquity implements Store.
func (s *SQLite) ListEquity(ctx context.Context, sessionID string) ([]EquityRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT time, equity, peak FROM equity_points WHERE session_id = ? ORDER BY time`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: list equity of session %q: %w", sessionID, classify(err))
	}
	defer rows.Close()
	var list []EquityRow
	for rows.Next() {
		var at, equity, peak int64
		if err := rows.Scan(&at, &equity, &peak); err != nil {
			return nil, fmt.Errorf("store: list equity of session %q: %w", sessionID, classify(err))
		}
		list = append(list, EquityRow{Time: time.Unix(0, at).UTC(), Equity: decimal(equity), Peak: decimal(peak)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list equity of session %q: %w", sessionID, classify(err))
	}
	return list, nil
}

// LoadEquityPeak implements Store.
func (s *SQLite) LoadEquityPeak(ctx context.Context, sessionID string) (EquityPeak, error) {
	var peak, maxDD int64
	err := s.r.QueryRowContext(ctx, `SELECT peak, max_drawdown FROM equity_curves WHERE session_id = ?`, sessionID).
		Scan(&peak, &maxDD)
	if errors.Is(err, sql.ErrNoRows) {
		return EquityPeak{}, fmt.Errorf("store: equity peak of session %q: %w", sessionID, ErrNotFound)
	}
	if err != nil {
		return EquityPeak{}, fmt.Errorf("store: equity peak of session %q: %w", sessionID, classify(err))
	}
	return EquityPeak{Peak: decimal(peak), MaxDrawdown: decimal(maxDD)}, nil
}
