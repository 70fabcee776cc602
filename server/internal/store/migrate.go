package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrate brings db to len(steps), each step in its own transaction with
// the row that records it, so a crash mid-way leaves the database at the
// last whole version and the next start carries on from there. It refuses
// a database newer than steps: this code would misread it.
func migrate(ctx context.Context, db *sql.DB, path string, steps []string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("store: %s: create schema_migrations: %w", path, classify(err))
	}
	for {
		done, err := migrateOne(ctx, db, path, steps)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next step, if any, and reports whether there was
// none. The version is read inside the step's (immediate) transaction, so
// it cannot change between reading and applying.
func migrateOne(ctx context.Context, db *sql.DB, path string, steps []string) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: %s: migrate: %w", path, classify(err))
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return false, fmt.Errorf("store: %s: read schema version: %w", path, classify(err))
	}
	switch {
	case have > len(steps):
		return false, fmt.Errorf("%w: %s is at schema version %d and this tradingd knows up to %d: run a newer tradingd, or restore a backup made by this one",
			ErrSchemaTooNew, path, have, len(steps))
	case have == len(steps):
		return true, tx.Rollback()
	}
	next := have + 1
	if _, err := tx.ExecContext(ctx, steps[have]); err != nil {
		return false, fmt.Errorf("store: %s: migrate to schema version %d: %w", path, next, classify(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`,
		next, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("store: %s: record schema version %d: %w", path, next, classify(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: %s: commit schema version %d: %w", path, next, classify(err))
	}
	return false, nil
}
