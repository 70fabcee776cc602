package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// A token holder may call Backup as often as the rate limit allows, and
// each call writes a whole copy of the database: left alone, that fills the
// disk the store itself needs. So backups run one at a time, the backup
// directory holds at most Options.MaxBackups of them, and a backup starts
// only if the disk keeps backupReserve free beyond the copy.

var (
	// ErrBackupBusy: another backup is being written.
	ErrBackupBusy = errors.New("a backup is already being written")
	// ErrBackupLimit: the backup directory holds as many backups as it may.
	ErrBackupLimit = errors.New("the backup directory is full")
	// ErrBackupNoSpace: the copy would leave the disk without its reserve.
	ErrBackupNoSpace = errors.New("not enough free disk space for a backup")
)

// DefaultMaxBackups is Options.MaxBackups's default.
const DefaultMaxBackups = 20

// backupReserve is the free space a backup must leave on its disk, so that
// the store's own commits (on the same disk, by default) keep room.
var backupReserve uint64 = 256 << 20 // a var so that a test can ask for more than any disk has

// checkBackupRoom refuses a backup that would pass the count or leave the
// disk without its reserve.
func (s *SQLite) checkBackupRoom(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return badPath(dir, err)
	}
	n := 0
	for _, e := range entries {
		// Hidden names are backups being written (or cut short).
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	if max := s.maxBackups(); n >= max {
		return fmt.Errorf("%w: %s holds %d backups, at most %d (--max-backups); remove old ones", ErrBackupLimit, dir, n, max)
	}
	size, err := s.databaseSize(ctx)
	if err != nil {
		return err
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return badPath(dir, err)
	}
	free := uint64(fs.Bavail) * uint64(fs.Bsize)
	if need := uint64(size) + backupReserve; free < need {
		return fmt.Errorf("%w: %s has %d MiB free; a copy of %d MiB must leave %d MiB", ErrBackupNoSpace, dir,
			free>>20, size>>20, backupReserve>>20)
	}
	return nil
}

func (s *SQLite) maxBackups() int {
	if s.opts.MaxBackups > 0 {
		return s.opts.MaxBackups
	}
	return DefaultMaxBackups
}

// databaseSize bounds what VACUUM INTO writes: the database's pages.
func (s *SQLite) databaseSize(ctx context.Context) (int64, error) {
	var pages, size int64
	if err := s.r.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, classify(err)
	}
	if err := s.r.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, classify(err)
	}
	return pages * size, nil
}
