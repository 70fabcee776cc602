//go:build unix

package ownership

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the uid the tests give files to play another local user.
const nobody = 65534

// chownToNobody gives path to another user; only root may, so the test is
// skipped otherwise.
func chownToNobody(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, nobody, nobody); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skip("chown needs root:", err)
		}
		t.Fatal(err)
	}
}

func wantRefusal(t *testing.T, err error, wants ...string) {
	t.Helper()
	if !errors.Is(err, ErrNotOwn) {
		t.Fatalf("err = %v, want a refusal (ErrNotOwn)", err)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
}

func TestDirRefusals(t *testing.T) {
	base := t.TempDir()
	mk := func(name string, mode fs.FileMode) string {
		p := filepath.Join(base, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	if err := Dir(mk("ok", 0o700)); err != nil {
		t.Errorf("0700 own directory refused: %v", err)
	}
	if err := Dir(mk("readable", 0o755)); err != nil {
		t.Errorf("0755 own directory refused (it holds only 0600 files): %v", err)
	}
	for i, tc := range []struct {
		mode fs.FileMode
		says string
	}{{0o777, "writable by group and others (mode 0777)"}, {0o770, "writable by its group"}, {fs.ModeSticky | 0o777, "writable by group and others"}} {
		p := mk(fmt.Sprintf("w%d", i), tc.mode)
		wantRefusal(t, Dir(p), p, tc.says, "chmod 700 "+p)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(mk("target", 0o700), link); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, Dir(link), link, "symbolic link")
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, Dir(file), "not a directory")
	if err := Dir(filepath.Join(base, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: %v, want fs.ErrNotExist", err)
	}
	theirs := mk("theirs", 0o700)
	chownToNobody(t, theirs)
	wantRefusal(t, Dir(theirs), theirs, "owned by uid 65534", "chown")
}

func TestFileRefusals(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, mode fs.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("0123456789abcdef\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := mk("ok", 0o600)
	if err := File(ok); err != nil {
		t.Errorf("0600 own file refused: %v", err)
	}
	if b, err := ReadFile(ok, 64); err != nil || string(b) != "0123456789abcdef\n" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	for _, mode := range []fs.FileMode{0o644, 0o640, 0o604, 0o660, 0o602} {
		p := mk("m"+mode.String(), mode)
		wantRefusal(t, File(p), p, "chmod 600 "+p)
		_, err := ReadFile(p, 64)
		wantRefusal(t, err, p)
	}
	_, err := ReadFile(ok, 4)
	wantRefusal(t, err, "larger than 4 bytes")

	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dangling, link} {
		wantRefusal(t, File(p), p, "symbolic link")
		_, err := ReadFile(p, 64)
		wantRefusal(t, err, p, "symbolic link")
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(fifo, 64) // must not block waiting for a writer
	wantRefusal(t, err, "not a regular file")

	theirs := mk("theirs", 0o600)
	chownToNobody(t, theirs)
	wantRefusal(t, File(theirs), theirs, "owned by uid 65534")
	_, err = ReadFile(theirs, 64)
	wantRefusal(t, err, "owned by uid 65534")
}
