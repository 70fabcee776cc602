package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tradectl/tradectl/server/internal/ownership"
)

// probeWritable writes, syncs and removes a small file in dir, so that a
// read-only directory or a full disk is reported at start, in plain words,
// rather than on the first tick.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".tradingd-probe-*")
	if err != nil {
		return fmt.Errorf("store: data directory %s is not writable: %w", dir, classify(err))
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, 4096))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: cannot write to data directory %s: %w", dir, classify(err))
	}
	return nil
}

// checkOwnership refuses a data directory, or a database, WAL, shared
// memory or lock file in it, that is not the daemon's own (ownership.Dir,
// ownership.File): a symlink, another user's, or open to others. A
// pre-created 0644 database would be readable by all, and SQLite gives its
// -wal and -shm the database's mode, so the trades would be too. Nothing
// is tightened in place: the fix is the operator's, and the message says it.
func checkOwnership(dir string) error {
	if err := ownership.Dir(dir); err != nil {
		return fmt.Errorf("store: data directory: %w", err)
	}
	for _, name := range []string{LockFile, DBFile, DBFile + "-wal", DBFile + "-shm"} {
		if err := ownership.File(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

// checkFilesWritable refuses a database (or its WAL) that exists but
// cannot be written: SQLite would open it read-only and fail later.
func checkFilesWritable(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: %s is not writable: %w", p, classify(err))
		}
		_ = f.Close()
	}
	return nil
}

// check vouches for the file before anything is written to it, and only
// then puts it in WAL mode. It must be a database, ours (or new), and pass
// quick_check, which reads every page: O(size), where integrity_check
// would also cross-check every index against its table and make a start
// take minutes on a big file.
func check(ctx context.Context, db *sql.DB, path string) error {
	corrupt := func(cause error) error {
		return fmt.Errorf("%w: %s is damaged or not a tradectl database: %w; move it aside (with its -wal and -shm files) and restore a backup",
			ErrCorrupt, path, cause)
	}
	fail := func(err error) error {
		if kindOf(err) == ErrCorrupt {
			return corrupt(err)
		}
		return fmt.Errorf("store: open %s: %w", path, classify(err))
	}
	var appID, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fail(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name != 'schema_migrations'").Scan(&tables); err != nil {
		return fail(err)
	}
	if appID != applicationID && (appID != 0 || tables > 0) {
		return corrupt(fmt.Errorf("application id %d with %d tables: another program's database", appID, tables))
	}
	problems, err := quickCheck(ctx, db)
	if err != nil {
		return fail(err)
	}
	if len(problems) > 0 {
		return corrupt(fmt.Errorf("quick_check: %s", strings.Join(problems, "; ")))
	}
	// Only now, vouched for, may the file be changed: WAL mode is written
	// into its header.
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fail(err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store: %s: the file system does not support SQLite's WAL mode (journal mode is %q)", path, mode)
	}
	return nil
}

// quickCheck returns the first few problems quick_check finds.
func quickCheck(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, strings.ReplaceAll(line, "\n", "; "))
		}
	}
	return problems, rows.Err()
}
