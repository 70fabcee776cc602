package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/tradectl/tradectl/internal/money"
)

// SaveStartBalances implements Store: the balances a live session's
// account held when the session started, per asset, all in one
// transaction. They are written once: a session's start is a fact, and a
// second write (a resume reading the venue again) is refused with
// ErrDuplicate rather than moving the point its fills are reconciled from.
func (s *SQLite) SaveStartBalances(ctx context.Context, sessionID string, balances map[string]money.Decimal) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: save start balances of session %q: %w", sessionID, classify(err))
		}
	}()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	assets := make([]string, 0, len(balances))
	for a := range balances {
		assets = append(assets, a)
	}
	sort.Strings(assets) // a deterministic write order, for a deterministic error
	for _, a := range assets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO start_balances (session_id, asset, amount) VALUES (?, ?, ?)`,
			sessionID, a, units(balances[a])); err != nil {
			return fmt.Errorf("asset %s: %w", a, err)
		}
	}
	return tx.Commit()
}

// LoadStartBalances implements Store; ErrNotFound if none were saved.
func (s *SQLite) LoadStartBalances(ctx context.Context, sessionID string) (_ map[string]money.Decimal, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: load start balances of session %q: %w", sessionID, classify(err))
		}
	}()
	rows, err := s.r.QueryContext(ctx, `SELECT asset, amount FROM start_balances WHERE session_id = ?`, sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]money.Decimal{}
	for rows.Next() {
		var asset string
		var amount int64
		if err := rows.Scan(&asset, &amount); err != nil {
			return nil, err
		}
		out[asset] = decimal(amount)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}
