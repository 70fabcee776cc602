package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/tradectl/tradectl/internal/money"
)

// LiveStart is where a live session trades and its account's balances
// when it started, per asset.
type LiveStart struct {
	Venue, Environment, Quote string
	Balances                  map[string]money.Decimal
}

// SaveLiveStart implements Store, in one transaction. It is written once:
// a session's start is a fact, and a second write (a resume reading the
// venue again) is refused with ErrDuplicate rather than moving the point
// its fills are reconciled from.
func (s *SQLite) SaveLiveStart(ctx context.Context, sessionID string, ls LiveStart) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: save the live start of session %q: %w", sessionID, classify(err))
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO live_sessions (session_id, venue, environment, quote) VALUES (?, ?, ?, ?)`,
		sessionID, ls.Venue, ls.Environment, ls.Quote); err != nil {
		return err
	}
	assets := make([]string, 0, len(ls.Balances))
	for a := range ls.Balances {
		assets = append(assets, a)
	}
	sort.Strings(assets) // a deterministic write order, for a deterministic error
	for _, a := range assets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO start_balances (session_id, asset, amount) VALUES (?, ?, ?)`,
			sessionID, a, units(ls.Balances[a])); err != nil {
			return fmt.Errorf("asset %s: %w", a, err)
		}
	}
	return tx.Commit()
}

// LoadLiveStart implements Store; ErrNotFound if none was saved.
func (s *SQLite) LoadLiveStart(ctx context.Context, sessionID string) (_ LiveStart, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: load the live start of session %q: %w", sessionID, classify(err))
		}
	}()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for both tables
	if err != nil {
		return LiveStart{}, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	var ls LiveStart
	err = tx.QueryRowContext(ctx, `SELECT venue, environment, quote FROM live_sessions WHERE session_id = ?`, sessionID).
		Scan(&ls.Venue, &ls.Environment, &ls.Quote)
	if errors.Is(err, sql.ErrNoRows) {
		return LiveStart{}, ErrNotFound
	}
	if err != nil {
		return LiveStart{}, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT asset, amount FROM start_balances WHERE session_id = ?`, sessionID)
	if err != nil {
		return LiveStart{}, err
	}
	defer rows.Close()
	ls.Balances = map[string]money.Decimal{}
	for rows.Next() {
		var asset string
		var amount int64
		if err := rows.Scan(&asset, &amount); err != nil {
			return LiveStart{}, err
		}
		ls.Balances[asset] = decimal(amount)
	}
	return ls, rows.Err()
}
