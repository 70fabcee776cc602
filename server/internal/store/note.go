package store

import (
	"context"
	"fmt"
	"time"
)

// NoteOpenOrders implements Store: every open order of the session gets
// reason, in a history row of its own (same state, same quantities) and
// as its current reason, all in one transaction.
func (s *SQLite) NoteOpenOrders(ctx context.Context, sessionID, reason string, at time.Time) (n int, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: note open orders of session %q: %w", sessionID, classify(err))
		}
	}()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_history (session_id, client_id, seq, state, reason, filled, remaining, time)
		SELECT session_id, client_id, last_seq + 1, state, ?, filled, remaining, ? FROM orders
		WHERE session_id = ? AND state NOT IN `+finalStates, reason, nanos(at), sessionID); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE orders SET reason = ?, updated = ?, last_seq = last_seq + 1
		WHERE session_id = ? AND state NOT IN `+finalStates, reason, nanos(at), sessionID)
	if err != nil {
		return 0, err
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(rows), tx.Commit()
}
