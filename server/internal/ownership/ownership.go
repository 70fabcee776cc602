// Package ownership decides whether a file or directory of the daemon's is
// its own: not a symbolic link, owned by the daemon's user, and writable by
// nobody else. Mode bits alone are not enough: a 0600 file that another user
// owns is theirs to rewrite, and a file in a directory that others may write
// can be replaced by theirs however it is moded.
//
// It owns those checks and the one read made safe by them (ReadFile); the
// bearer token (server/internal/security) and the store call it. It must
// never change a file's mode or owner to make it pass, follow a symbolic
// link, or write anything: what to do with a file that fails is the
// caller's.
package ownership

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotOwn is wrapped by every refusal, so callers can tell a refusal from
// an I/O error.
var ErrNotOwn = errors.New("not the daemon's own")

// Error says which path was refused, what is wrong with it, and how to fix it.
type Error struct {
	Path, Problem, Fix string
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %s", e.Path, e.Problem, e.Fix) }

func (e *Error) Unwrap() error { return ErrNotOwn }

// Dir refuses path unless it is a directory (not a symbolic link to one),
// owned by the daemon's user or by root, and writable by neither group nor
// others: whoever may write a directory may replace any file in it. Root
// may own it because root is out of reach anyway, and a root-owned
// directory the daemon only reads (a token under /etc) is safer still.
func Dir(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return &Error{path, "is a symbolic link", "give the directory it points to instead (--data-dir, --token-file)"}
	}
	if !fi.IsDir() {
		return &Error{path, "is not a directory", "move it aside or give another directory"}
	}
	if uid, ok := ownerOf(fi); ok && uid != euid() && uid != 0 {
		return &Error{path, fmt.Sprintf("is owned by uid %d, not by uid %d that this process runs as", uid, euid()),
			fmt.Sprintf("chown %d %s, or run as its owner", euid(), path)}
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return &Error{path, fmt.Sprintf("is writable by %s (mode %#o)", whom(perm, 0o020, 0o002), perm),
			"chmod 700 " + path}
	}
	return nil
}

// File refuses path unless it is a regular file (not a symbolic link),
// owned by the daemon's user, and neither readable nor writable by group or
// others. A path that does not exist is no refusal: it returns an error
// wrapping fs.ErrNotExist, for the caller to create the file.
func File(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	return checkFile(path, fi)
}

func checkFile(path string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		return &Error{path, "is a symbolic link", "replace it with the file itself, or remove it"}
	}
	if !fi.Mode().IsRegular() {
		return &Error{path, "is not a regular file", "move it aside"}
	}
	if uid, ok := ownerOf(fi); ok && uid != euid() {
		return &Error{path, fmt.Sprintf("is owned by uid %d, not by uid %d that this process runs as", uid, euid()),
			fmt.Sprintf("chown %d %s, or remove it if you did not put it there", euid(), path)}
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return &Error{path, fmt.Sprintf("is open to %s (mode %#o)", whom(perm, 0o070, 0o007), perm), "chmod 600 " + path}
	}
	return nil
}

// ReadFile reads at most limit bytes of path after the checks of File,
// made on the file it opened, so that a file swapped in between the check
// and the read is not the one read. A symbolic link is refused, never
// followed, even one that leads nowhere.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &Error{path, fmt.Sprintf("is larger than %d bytes", limit), "check that it is the right file"}
	}
	return b, nil
}

// whom names who a permission reaches: group, others, or both.
func whom(perm, group, other fs.FileMode) string {
	switch {
	case perm&group != 0 && perm&other != 0:
		return "group and others"
	case perm&group != 0:
		return "its group"
	}
	return "others"
}
