package store

import (
	"context"
	"fmt"
)

// ResumeSession implements Store: it makes an INTERRUPTED session RUNNING
// again, clearing its end, with reason saying what it resumed from.
func (s *SQLite) ResumeSession(ctx context.Context, id, reason string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET state = ?, reason = ?, ended = NULL
		WHERE id = ? AND state = ?`, StateRunning, reason, id, StateInterrupted)
	if err != nil {
		return fmt.Errorf("store: resume session %q: %w", id, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: resume session %q: %w: it is not INTERRUPTED", id, ErrInvalid)
	}
	return nil
}
