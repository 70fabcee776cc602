//go:build !unix

package store

import (
	"errors"
	"os"
)

// LockFile is the file in the data directory whose lock marks it as taken.
const LockFile = "tradingd.lock"

type dirLock struct{ f *os.File }

// lockDir refuses: without flock, a second daemon could not be kept out,
// and two writers on one data directory is what the lock exists to stop.
func lockDir(dir string) (*dirLock, error) {
	return nil, errors.New("store: locking the data directory is only implemented on unix systems")
}

func (l *dirLock) unlock() error { return nil }
