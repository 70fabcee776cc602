package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver: pure Go, no cgo
)

// DBFile is the database's name in the data directory. SQLite keeps two
// more files beside it while it is open: DBFile-wal and DBFile-shm.
const DBFile = "tradectl.db"

// readers is the size of the read pool: WAL lets readers run beside the
// one writer, each on its own snapshot.
const readers = 4

// SQLite is the Store in a SQLite database in the data directory.
type SQLite struct {
	path string
	lock *dirLock
	// w has one connection: SQLite allows one writer at a time, and
	// queueing writers here, on the pool, keeps their wait in Go, bounded
	// by their context, instead of in SQLite's busy handler.
	w     *sql.DB
	r     *sql.DB
	stmts *writeStmts
	ckpt  *checkpointer
	opts  Options
	// backupMu lets one backup run at a time (TryLock: a second is
	// refused, not queued).
	backupMu sync.Mutex
	once     sync.Once
	err      error
}

// Open takes the data directory dir (creating it if needed) for this
// process and opens its database, creating or migrating it. It refuses,
// with an error wrapping one of the package's sentinels and naming the
// file: a directory another tradingd holds (ErrLocked), a directory or file
// it cannot write (ErrReadOnly), a full disk (ErrDiskFull), a damaged or
// foreign file (ErrCorrupt) and a schema newer than this code
// (ErrSchemaTooNew), and a directory or file another local user could have
// written or could read (ownership.ErrNotOwn; see checkOwnership). It writes
// nothing into a file it refuses.
func Open(ctx context.Context, dir string, opts Options) (_ *SQLite, err error) {
	if dir == "" {
		return nil, errors.New("store: no data directory")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory %s: %w", dir, classify(err))
	}
	if err := checkOwnership(dir); err != nil {
		return nil, err
	}
	if opts.EquityEvery <= 0 {
		opts.EquityEvery = EquityEvery
	}
	if opts.BackupDir == "" {
		opts.BackupDir = filepath.Join(dir, BackupsDir)
	}
	if opts.BackupDir, err = openBackupDir(opts.BackupDir); err != nil {
		return nil, err
	}
	// Backups named by a client must not land beside the database: a
	// backup named tradectl.db-journal would be a hot journal to SQLite.
	if a, aerr := os.Stat(opts.BackupDir); aerr == nil {
		if b, berr := os.Stat(dir); berr == nil && os.SameFile(a, b) {
			return nil, fmt.Errorf("store: backup directory %s is the data directory: give it one of its own (default %s)",
				opts.BackupDir, filepath.Join(dir, BackupsDir))
		}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &SQLite{path: filepath.Join(dir, DBFile), lock: lock, opts: opts}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	if err := probeWritable(dir); err != nil {
		return nil, err
	}
	if err := checkFilesWritable(s.path); err != nil {
		return nil, err
	}
	// Create the file ourselves, private: SQLite would make it readable by
	// all, and its -wal and -shm take the database's permissions.
	if f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		_ = f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("store: create %s: %w", s.path, classify(err))
	}
	if s.w, err = sql.Open("sqlite", dsn(s.path, opts, writer)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	if err := check(ctx, s.w, s.path); err != nil {
		return nil, err
	}
	if err := migrate(ctx, s.w, s.path, migrations); err != nil {
		return nil, err
	}
	if s.stmts, err = prepareWrites(ctx, s.w); err != nil {
		return nil, fmt.Errorf("store: %s: prepare statements: %w", s.path, classify(err))
	}
	if s.r, err = sql.Open("sqlite", dsn(s.path, opts, reader)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)
	if err := s.r.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("store: open %s for reading: %w", s.path, classify(err))
	}
	if s.ckpt, err = startCheckpointer(s.path, opts); err != nil {
		return nil, fmt.Errorf("store: open %s for checkpoints: %w", s.path, err)
	}
	return s, nil
}

// role is what a connection is for.
type role int

const (
	writer role = iota
	reader
	// backup reads, but writes another file (VACUUM INTO), which
	// query_only would refuse.
	backup
	// checkpointing copies the WAL into the database file.
	checkpointing
)

// dsn is the driver's data source name for path: the pragmas run on every
// new connection, since most of them are per connection.
func dsn(path string, opts Options, r role) string {
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	switch r {
	case writer:
		sync := "NORMAL" // in WAL mode: fsync at checkpoints, not commits
		if opts.Durability == DurabilityMachine {
			sync = "FULL" // fsync the WAL at every commit
		}
		q.Add("_pragma", "synchronous("+sync+")")
		q.Add("_pragma", "foreign_keys(1)")
		// A WAL file is reused from its start after a checkpoint; cap what
		// it keeps of a burst so the data directory does not stay swollen.
		q.Add("_pragma", "journal_size_limit("+strconv.Itoa(walSafetyPages*4096)+")")
		q.Add("_pragma", "wal_autocheckpoint("+strconv.Itoa(walSafetyPages)+")")
		// Take the write lock at BEGIN: a transaction that read first and
		// upgraded later could fail with SQLITE_BUSY half-way.
		q.Set("_txlock", "immediate")
	case reader:
		q.Add("_pragma", "query_only(1)")
	case checkpointing:
		// A checkpoint syncs the database file under NORMAL or FULL
		// before the WAL may be reused, which is what makes NORMAL safe.
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// Close closes the database and releases the data directory. Calls in
// flight finish first. The last connection to close checkpoints the WAL
// into the database file.
func (s *SQLite) Close() error {
	s.once.Do(func() {
		var errs []error
		if s.ckpt != nil {
			errs = append(errs, s.ckpt.close())
		}
		if s.stmts != nil {
			errs = append(errs, s.stmts.close())
		}
		if s.r != nil {
			errs = append(errs, s.r.Close())
		}
		if s.w != nil {
			errs = append(errs, s.w.Close())
		}
		errs = append(errs, s.lock.unlock())
		s.err = errors.Join(errs...)
	})
	return s.err
}
