package store

import (
	"context"
	"fmt"
)

// ResumeSession implements Store: it makes an INTERRUPTED session, or a
// STOPPED or FAILED one that left orders open, RUNNING again, clearing its
// end, with reason saying what it resumed from.
func (s *SQLite) ResumeSession(ctx context.Context, id, reason string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET state = ?, reason = ?, ended = NULL
		WHERE id = ?3 AND (state = ? OR state IN (?, ?) AND EXISTS (SELECT 1 FROM orders WHERE session_id = ?3
			AND state NOT IN `+finalStates+`))`, StateRunning, reason, id, StateInterrupted, StateStopped, StateFailed)
	if err != nil {
		return fmt.Errorf("store: resume session %q: %w", id, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: resume session %q: %w: it is neither INTERRUPTED nor ended with orders open", id, ErrInvalid)
	}
	return nil
}
