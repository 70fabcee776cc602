//go:build unix

package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// LockFile is the file in the data directory whose flock marks it as taken.
const LockFile = "tradingd.lock"

// dirLock is an exclusive flock on LockFile. The kernel drops it when the
// process dies, however it dies, so a crash never leaves a stale lock; the
// file itself stays, because removing it would let a third daemon lock a
// new file while the second still holds the old one.
type dirLock struct{ f *os.File }

// lockDir takes the data directory or says who holds it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file: %w", classify(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(string(bytes.TrimSpace(b))); perr == nil {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
		}
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another tradingd%s holds the data directory %s (lock %s); stop it or use another --data-dir",
				ErrLocked, holder, dir, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	// The pid is for the message above: the flock, not the file's
	// content, is the lock.
	if err := writePID(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("store: write lock file %s: %w", path, classify(err))
	}
	return &dirLock{f}, nil
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// unlock releases the lock. Closing the file releases the flock.
func (l *dirLock) unlock() error { return l.f.Close() }
