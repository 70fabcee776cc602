package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Audit implements Store: one row per control RPC, committed before it
// returns, under the store's Durability.
func (s *SQLite) Audit(ctx context.Context, a AuditRow) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit (time, peer, identity, method, args, code, error)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, nanos(a.Time), a.Peer, a.Identity, a.Method, a.Args, a.Code, a.Error)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", a.Method, classify(err))
	}
	return nil
}

// ListAudit implements Store, in the order the calls were recorded.
func (s *SQLite) ListAudit(ctx context.Context, limit int) (_ []AuditRow, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: list audit: %w", classify(err))
		}
	}()
	rows, err := s.r.QueryContext(ctx, `SELECT time, peer, identity, method, args, code, error FROM
		(SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id`, limitArg(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []AuditRow
	for rows.Next() {
		var a AuditRow
		var at sql.NullInt64
		if err := rows.Scan(&at, &a.Peer, &a.Identity, &a.Method, &a.Args, &a.Code, &a.Error); err != nil {
			return nil, err
		}
		a.Time = fromNanos(at)
		list = append(list, a)
	}
	return list, rows.Err()
}
