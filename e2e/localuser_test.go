package e2e

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tradingd refuses, at start and with exit 2, a data directory or token that
// another local user could have written, naming the path and the fix, and
// leaves the directory as it found it. The dangling token symlink once sent
// start-up into a loop that filled the directory with temporary files.
func TestStartRefusesWhatAnotherUserCouldWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"data directory writable by all", func(t *testing.T, dir string) {
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}, []string{"writable by group and others", "chmod 700"}},
		{"token of another user", func(t *testing.T, dir string) {
			tok := filepath.Join(dir, "token")
			if err := os.WriteFile(tok, []byte("their-token-0123456789\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(tok, 65534, 65534); err != nil {
				if errors.Is(err, syscall.EPERM) {
					t.Skip("chown needs root:", err)
				}
				t.Fatal(err)
			}
		}, []string{"token", "owned by uid 65534", "chown"}},
		{"dangling token symlink", func(t *testing.T, dir string) {
			if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "token")); err != nil {
				t.Fatal(err)
			}
		}, []string{"token", "symbolic link"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			before, _ := os.ReadDir(dir)
			out, err := runUntilServing(t, "--data-dir", dir, "--listen", "127.0.0.1:0", "--metrics-listen", "", "--http-listen", "")
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("tradingd: %v, want exit 2:\n%s", err, out)
			}
			for _, want := range append(tc.want, dir) {
				if !strings.Contains(string(out), want) {
					t.Errorf("output does not say %q:\n%s", want, out)
				}
			}
			if n := strings.Count(strings.TrimSpace(string(out)), "\n") + 1; n != 1 {
				t.Errorf("want one line, got %d:\n%s", n, out)
			}
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Errorf("a refused start left files: %d entries, had %d", len(after), len(before))
			}
		})
	}
}

// runUntilServing runs tradingd and returns its output and exit error; a
// tradingd that gets as far as serving is stopped and the test fails, since
// it should have refused. The context is only a backstop for a start-up
// that never ends.
func runUntilServing(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bins, "tradingd"), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "tradingd starting") {
			cancel()
			_ = cmd.Wait()
			t.Fatalf("tradingd started instead of refusing:\n%s", out.String())
		}
	}
	return out.String(), cmd.Wait()
}
