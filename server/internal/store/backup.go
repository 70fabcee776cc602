package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/server/internal/ownership"
)

// openBackupDir makes dir absolute, creates it 0700 if it is missing, and
// refuses it unless it is the daemon's own (ownership.Dir): not a symbolic
// link, not another user's, writable by nobody else. Nobody else can then
// plant a link in it for a backup to follow.
func openBackupDir(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("store: backup directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("store: create backup directory %s: %w", dir, classify(err))
	}
	if err := ownership.Dir(dir); err != nil {
		return "", fmt.Errorf("store: backup directory: %w", err)
	}
	return dir, nil
}

// validBackupName refuses anything but a plain file name: no separator, no
// "." or "..", nothing hidden, no control characters. The RPC checks a
// stricter charset; this is the store's own guard, whoever calls it.
func validBackupName(name string) error {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") ||
		strings.ContainsAny(name, `/\`) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) ||
		filepath.Base(name) != name {
		return fmt.Errorf("%w: %s is not a plain file name", ErrBackupPath, echo.Quote(name))
	}
	return nil
}

// Backup implements Store with VACUUM INTO, which copies one read
// snapshot: a consistent database as of the moment it began, while the
// trading loop keeps committing (WAL lets the writer go on beside it). The
// copy is written under a temporary name, synced, and only then given
// name, so a backup cut short leaves no file that looks whole. It refuses
// to overwrite anything.
//
// It writes only in the backup directory, checked again on every call (it
// may have been swapped since Open). The temporary file is created
// exclusively (O_EXCL does not follow a link at the name) and the final
// name is a hard link, which never follows or replaces one either.
//
// The copy holds everything the store does, so it is mode 0600 like the
// store from its first byte: the temporary file is created 0600 and empty
// (VACUUM INTO accepts an empty file and keeps its mode) rather than left
// to SQLite, which would create it by the umask, readable by all.
func (s *SQLite) Backup(ctx context.Context, name string) (_ string, err error) {
	if err := validBackupName(name); err != nil {
		return "", err
	}
	dir := s.opts.BackupDir
	path := filepath.Join(dir, name)
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: backup to %s: %w", path, err)
		}
	}()
	if err := ownership.Dir(dir); err != nil {
		return "", badPath(dir, err)
	}
	if !s.backupMu.TryLock() {
		return "", ErrBackupBusy
	}
	defer s.backupMu.Unlock()
	if err := s.checkBackupRoom(ctx, dir); err != nil {
		return "", err
	}
	if _, err := os.Lstat(path); err == nil {
		return "", fmt.Errorf("%w: refusing to overwrite it", os.ErrExist)
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	tmp := filepath.Join(dir, "."+name+".tmp-"+hex.EncodeToString(suffix[:]))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", badPath(dir, err)
	}
	defer os.Remove(tmp)
	// Created here, empty and 0600, for VACUUM INTO to fill: SQLite would
	// make it 0644, and Open refuses a database others can read.
	if err := f.Close(); err != nil {
		return "", classify(err)
	}
	if err := s.vacuumInto(ctx, tmp); err != nil {
		return "", classify(err)
	}
	if err := syncFile(tmp); err != nil {
		return "", classify(err)
	}
	// A hard link, unlike a rename, fails if path appeared meanwhile.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("%w: refusing to overwrite it", os.ErrExist)
		}
		// Some file systems have no hard links: rename, having checked.
		if _, serr := os.Lstat(path); serr == nil {
			return "", fmt.Errorf("%w: refusing to overwrite it", os.ErrExist)
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", classify(err)
		}
	}
	return path, classify(syncFile(dir))
}

// badPath says why no file can be created in dir, as ErrBackupPath: the
// operator's backup directory is at fault, not the store.
func badPath(dir string, err error) error {
	why := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		why = pe.Err.Error()
	}
	var oe *ownership.Error
	switch {
	case errors.As(err, &oe):
		why = oe.Problem + ": " + oe.Fix
	case errors.Is(err, fs.ErrNotExist):
		why = "does not exist"
	case errors.Is(err, syscall.ENOTDIR):
		why = "is not a directory"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		why = "tradingd may not create files in it"
	}
	return fmt.Errorf("%w: backup directory %s: %s", ErrBackupPath, dir, why)
}

// vacuumInto copies the database to path on a connection of its own: the
// readers' refuse to write any file, and the writer's must stay free for
// the trading loop.
func (s *SQLite) vacuumInto(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", dsn(s.path, s.opts, backup))
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, path)
	return errors.Join(err, db.Close())
}

// syncFile flushes a file, or a directory's entries, to the disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
