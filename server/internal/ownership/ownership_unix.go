//go:build unix

package ownership

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

func euid() int { return os.Geteuid() }

func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// openNoFollow opens path for reading, refusing a symbolic link in its last
// component; O_NONBLOCK keeps a FIFO planted there from blocking the open
// (checkFile then refuses it).
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, &Error{path, "is a symbolic link", "replace it with the file itself, or remove it"}
	}
	return f, err
}
