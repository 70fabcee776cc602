package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors the store returns, each wrapped with what it was doing, the file
// it was doing it to, and the underlying error. The daemon refuses to trade
// on ErrLocked, ErrReadOnly, ErrDiskFull, ErrCorrupt and ErrSchemaTooNew.
var (
	// ErrLocked: another tradingd holds the data directory, or another
	// process holds a write lock on the database.
	ErrLocked = errors.New("store: data directory is in use")
	// ErrReadOnly: the data directory or database file cannot be written.
	ErrReadOnly = errors.New("store: data directory is read-only")
	// ErrDiskFull: the disk (or the database's size limit) is full.
	ErrDiskFull = errors.New("store: disk full")
	// ErrCorrupt: the database file is damaged or is not a tradectl
	// database.
	ErrCorrupt = errors.New("store: database is corrupt")
	// ErrSchemaTooNew: the database was written by a newer tradingd.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this tradingd")
	// ErrDuplicate: a row with the same key is stored already, such as a
	// fill with the same (session, client order id, seq): the write was
	// made before, and the transaction carrying it was rolled back.
	ErrDuplicate = errors.New("store: already stored")
	// ErrInvalid: a write that contradicts what is stored: an unknown
	// session or order, a transition out of sequence, a value a column
	// refuses.
	ErrInvalid = errors.New("store: write contradicts the stored data")
	// ErrNotFound: no such session, or nothing stored for it yet.
	ErrNotFound = errors.New("store: not found")
	// ErrBackupPath: no backup can be written under the name asked for
	// (not a plain file name), or the backup directory is unusable (gone,
	// not writable, not the daemon's own). The store is fine.
	ErrBackupPath = errors.New("unusable backup path")
)

// classify wraps err with the sentinel its cause deserves, keeping err in
// the chain, or returns err as it is.
func classify(err error) error {
	if kind := kindOf(err); kind != nil && !errors.Is(err, kind) {
		return fmt.Errorf("%w: %w", kind, err)
	}
	return err
}

// kindOf maps SQLite result codes and system errors to the sentinels.
func kindOf(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch code := se.Code(); code {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return ErrDuplicate
		default:
			switch code & 0xff {
			case sqlite3.SQLITE_CONSTRAINT:
				return ErrInvalid
			case sqlite3.SQLITE_FULL:
				return ErrDiskFull
			case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
				return ErrReadOnly
			case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
				return ErrCorrupt
			case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
				return ErrLocked
			}
		}
		return nil
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return ErrDiskFull
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return ErrReadOnly
	}
	return nil
}
