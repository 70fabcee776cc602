package store

import (
	"context"
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

// EquityRow is one point of a session's equity curve.
type EquityRow struct {
	Time   time.Time
	Equity money.Decimal
}

// writeEquity appends p to the session's curve, halving the curve when it
// passes MaxEquityPoints, and returns the curve's period.
func writeEquity(t *txStmts, id string, p EquityRow, base time.Duration) (time.Duration, error) {
	res, err := t.exec(insertEquity, id, nanos(p.Time), units(p.Equity))
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
	return classify(tx.Commit())
}

// ListEquity implements Store.
func (s *SQLite) ListEquity(ctx context.Context, sessionID string) ([]EquityRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT time, equity FROM equity_points WHERE session_id = ? ORDER BY time`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: list equity of session %q: %w", sessionID, classify(err))
	}
	defer rows.Close()
	var list []EquityRow
	for rows.Next() {
		var at, equity int64
		if err := rows.Scan(&at, &equity); err != nil {
			return nil, fmt.Errorf("store: list equity of session %q: %w", sessionID, classify(err))
		}
		list = append(list, EquityRow{Time: time.Unix(0, at).UTC(), Equity: decimal(equity)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list equity of session %q: %w", sessionID, classify(err))
	}
	return list, nil
}
