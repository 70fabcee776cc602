package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tradectl/tradectl/internal/venue"
)

// ListRefusals implements Store.
func (s *SQLite) ListRefusals(ctx context.Context, sessionID string) ([]RefusalRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT rule, symbol, side, count, first, last, reason FROM refusals
		WHERE session_id = ? ORDER BY count DESC, rule, symbol, side`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: list refusals of session %q: %w", sessionID, classify(err))
	}
	defer rows.Close()
	var list []RefusalRow
	for rows.Next() {
		var r RefusalRow
		var side int
		var count int64
		var first, last sql.NullInt64
		if err := rows.Scan(&r.Rule, &r.Symbol, &side, &count, &first, &last, &r.Reason); err != nil {
			return nil, fmt.Errorf("store: list refusals of session %q: %w", sessionID, classify(err))
		}
		r.Side, r.Count, r.First, r.Last = venue.Side(side), uint64(count), fromNanos(first), fromNanos(last)
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list refusals of session %q: %w", sessionID, classify(err))
	}
	return list, nil
}
