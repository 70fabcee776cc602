//go:build unix

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tradectl/tradectl/server/internal/ownership"
)

// Open refuses a data directory or store file another local user could
// have written or could read, names it and says the fix, and writes
// nothing: in particular no -wal or -shm beside a refused database, which
// SQLite would have made with the database's 0644.
func TestOpenRefusesWhatOthersCouldTouch(t *testing.T) {
	db := func(dir string) string { return filepath.Join(dir, DBFile) }
	precreate := func(t *testing.T, path string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	toNobody := func(t *testing.T, path string) {
		t.Helper()
		if err := os.Lchown(path, 65534, 65534); err != nil {
			if errors.Is(err, syscall.EPERM) {
				t.Skip("chown needs root:", err)
			}
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) (open string)
		says  []string
	}{
		{"directory writable by all", func(t *testing.T, dir string) string {
			return dir
		}, []string{"data directory", "writable by group and others", "chmod 700"}},
		{"directory owned by another user", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			toNobody(t, dir)
			return dir
		}, []string{"owned by uid 65534", "chown"}},
		{"directory is a symlink", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(t.TempDir(), "link")
			if err := os.Symlink(dir, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, []string{"symbolic link"}},
		{"pre-created 0644 database", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			precreate(t, db(dir), 0o644)
			return dir
		}, []string{DBFile, "open to group and others", "chmod 600"}},
		{"database of another user", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			precreate(t, db(dir), 0o600)
			toNobody(t, db(dir))
			return dir
		}, []string{DBFile, "owned by uid 65534"}},
		{"WAL is a symlink", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), db(dir)+"-wal"); err != nil {
				t.Fatal(err)
			}
			return dir
		}, []string{DBFile + "-wal", "symbolic link"}},
		{"lock file open to others", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			precreate(t, filepath.Join(dir, LockFile), 0o666)
			return dir
		}, []string{LockFile, "chmod 600"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			open := tc.setup(t, dir)
			_, err := Open(context.Background(), open, Options{})
			if !errors.Is(err, ownership.ErrNotOwn) {
				t.Fatalf("Open = %v, want a refusal", err)
			}
			for _, want := range tc.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal %q does not say %q", err, want)
				}
			}
			for _, name := range []string{DBFile + "-wal", DBFile + "-shm"} {
				if _, err := os.Lstat(filepath.Join(dir, name)); err == nil && !strings.Contains(tc.name, "WAL") {
					t.Errorf("a refused Open left %s", name)
				}
			}
			if fi, err := os.Stat(db(dir)); err == nil && fi.Size() != 0 {
				t.Errorf("a refused Open wrote %d bytes into the database", fi.Size())
			}
		})
	}
}

// What Open creates is private, WAL and shared memory included.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := openStore(t, dir, Options{})
	createSession(t, s, "s1", "RUNNING")
	for _, name := range []string{LockFile, DBFile, DBFile + "-wal", DBFile + "-shm"} {
		if err := ownership.File(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if err := ownership.Dir(dir); err != nil {
		t.Error(err)
	}
}
