package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Audit implements Store: one row per control RPC, or per window of
// refusals, committed before it returns, under the store's Durability. A
// refused row also deletes the oldest refused rows past
// Options.MaxRefusedAudit, in the same transaction: knocking at the door
// cannot fill the disk, and never pushes out a record of what was done.
func (s *SQLite) Audit(ctx context.Context, a AuditRow) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: audit %s: %w", a.Method, classify(err))
		}
	}()
	count := max(a.Count, 1)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (time, peer, identity, method, args, code, error, refused, count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, nanos(a.Time), a.Peer, a.Identity, a.Method, a.Args, a.Code, a.Error,
		a.Refused, count); err != nil {
		return err
	}
	if a.Refused {
		keep := s.opts.MaxRefusedAudit
		if keep <= 0 {
			keep = DefaultMaxRefusedAudit
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit WHERE refused = 1 AND id <=
			(SELECT id FROM audit WHERE refused = 1 ORDER BY id DESC LIMIT 1 OFFSET ?)`, keep); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ListAudit implements Store, in the order the calls were recorded.
func (s *SQLite) ListAudit(ctx context.Context, limit int) (_ []AuditRow, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: list audit: %w", classify(err))
		}
	}()
	rows, err := s.r.QueryContext(ctx, `SELECT time, peer, identity, method, args, code, error, refused, count FROM
		(SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id`, limitArg(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []AuditRow
	for rows.Next() {
		var a AuditRow
		var at sql.NullInt64
		if err := rows.Scan(&at, &a.Peer, &a.Identity, &a.Method, &a.Args, &a.Code, &a.Error, &a.Refused, &a.Count); err != nil {
			return nil, err
		}
		a.Time = fromNanos(at)
		list = append(list, a)
	}
	return list, rows.Err()
}
