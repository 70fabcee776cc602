//go:build unix

package security

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/server/internal/ownership"
)

// nobody plays another local user: tests run as root, which may chown.
const nobody = 65534

func giveToNobody(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, nobody, nobody); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skip("chown needs root:", err)
		}
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// writeAs writes a token file into dir the way another user would: a new
// file renamed over the old, owned by them.
func writeAs(t *testing.T, path, tok string, uid int) {
	t.Helper()
	tmp := path + ".planted"
	if err := os.WriteFile(tmp, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if uid != os.Geteuid() {
		giveToNobody(t, tmp)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// Every way another user could have chosen the token is refused at start,
// naming the path and the fix.
func TestLoadTokenRefusesWhatOthersCouldWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir, file string)
		says  []string
	}{
		{"directory writable by all", func(t *testing.T, dir, file string) { chmod(t, dir, 0o777) },
			[]string{"token directory", "writable by group and others", "chmod 700"}},
		{"directory writable by its group", func(t *testing.T, dir, file string) { chmod(t, dir, 0o770) },
			[]string{"writable by its group", "chmod 700"}},
		{"directory owned by another user", func(t *testing.T, dir, file string) { giveToNobody(t, dir) },
			[]string{"owned by uid 65534", "chown"}},
		{"file owned by another user", func(t *testing.T, dir, file string) { writeAs(t, file, testToken, nobody) },
			[]string{"token file", "owned by uid 65534", "chown"}},
		{"file readable by others", func(t *testing.T, dir, file string) { writeAs(t, file, testToken, os.Geteuid()); chmod(t, file, 0o644) },
			[]string{"open to group and others", "chmod 600"}},
		{"file writable by its group", func(t *testing.T, dir, file string) { writeAs(t, file, testToken, os.Geteuid()); chmod(t, file, 0o620) },
			[]string{"open to its group", "chmod 600"}},
		{"symlink to a good token", func(t *testing.T, dir, file string) {
			other := filepath.Join(t.TempDir(), "token")
			writeAs(t, other, testToken, os.Geteuid())
			if err := os.Symlink(other, file); err != nil {
				t.Fatal(err)
			}
		}, []string{"symbolic link"}},
		// This one used to loop for ever, leaving a temporary file per turn.
		{"dangling symlink", func(t *testing.T, dir, file string) {
			if err := os.Symlink(filepath.Join(dir, "nowhere"), file); err != nil {
				t.Fatal(err)
			}
		}, []string{"symbolic link"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "token")
			tc.setup(t, dir, file)
			before := entries(t, dir)
			_, err := LoadOrCreateToken(file)
			if !errors.Is(err, ownership.ErrNotOwn) {
				t.Fatalf("LoadOrCreateToken = %v, want a refusal", err)
			}
			for _, want := range append(tc.says, dir) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal %q does not say %q", err, want)
				}
			}
			if after := entries(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("a refused start changed the directory: %v, was %v", after, before)
			}
		})
	}
}

func TestLoadTokenCreatesAPrivateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	file := filepath.Join(dir, "token")
	tok, err := LoadOrCreateToken(file)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateToken(file)
	if err != nil || again != tok {
		t.Fatalf("second load: %v (same token: %v)", err, again == tok)
	}
	if err := ownership.File(file); err != nil {
		t.Error(err)
	}
	if err := ownership.Dir(dir); err != nil {
		t.Error(err)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("data directory holds %v, want only the token", names)
	}
}

// The attack: with the data directory open to all, another user
// swaps in their own token. The reload refuses it: the operator's token
// keeps working, the attacker's does not, the log says why and /metrics
// flags it until a good file is back.
func TestReloadRefusesATokenOthersCouldWrite(t *testing.T) {
	const attacker = "attacker-token-0123456789"
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, dir, file string)
		says  string
	}{
		{"directory opened to all", func(t *testing.T, dir, file string) {
			chmod(t, dir, 0o777)
			writeAs(t, file, attacker, os.Geteuid())
		}, "writable by group and others"},
		{"file of another user", func(t *testing.T, dir, file string) { writeAs(t, file, attacker, nobody) }, "owned by uid 65534"},
		{"symlink", func(t *testing.T, dir, file string) {
			other := filepath.Join(t.TempDir(), "token")
			writeAs(t, other, attacker, os.Geteuid())
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, file); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			file := filepath.Join(dir, "token")
			tok, err := LoadOrCreateToken(file)
			if err != nil {
				t.Fatal(err)
			}
			operator := tokenIn(t, file)
			log := &e2e.SyncBuffer{}
			r := NewReloader(ReloadConfig{Logger: slog.New(slog.NewTextHandler(log, nil)), TokenFile: file}, NewCurrentToken(tok))
			refused := r.TokenRefusedMetric()

			tc.plant(t, dir, file)
			r.poll(true)
			if !r.token.Matches(operator) || r.token.Matches(attacker) {
				t.Fatalf("after the planted token: operator's accepted %v, attacker's accepted %v",
					r.token.Matches(operator), r.token.Matches(attacker))
			}
			if got := gauge(t, refused); got != 1 {
				t.Errorf("token_file_refused = %v, want 1", got)
			}
			if l := log.String(); !strings.Contains(l, "token reload failed") || !strings.Contains(l, tc.says) || strings.Contains(l, attacker) {
				t.Errorf("log does not say the reload was refused because %q (or shows the token):\n%s", tc.says, l)
			}
			// The same refusal again is not logged again within a minute.
			r.poll(true)
			if n := log.Count("token reload failed"); n != 1 {
				t.Errorf("the same refusal was logged %d times, want once", n)
			}

			// The operator repairs the directory and rotates: back to normal.
			chmod(t, dir, 0o700)
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			if err := RotateToken(file); err != nil {
				t.Fatal(err)
			}
			r.poll(true)
			if !r.token.Matches(tokenIn(t, file)) || gauge(t, refused) != 0 {
				t.Errorf("after the repair: new token accepted %v, token_file_refused %v",
					r.token.Matches(tokenIn(t, file)), gauge(t, refused))
			}
		})
	}
}

func TestRotateRefusesWhereTheDaemonWouldNotRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(dir, "token")
	if _, err := LoadOrCreateToken(file); err != nil {
		t.Fatal(err)
	}
	chmod(t, dir, 0o777)
	if err := RotateToken(file); !errors.Is(err, ownership.ErrNotOwn) {
		t.Fatalf("rotate into a directory open to all: %v", err)
	}
	chmod(t, dir, 0o700)
	giveToNobody(t, file)
	if err := RotateToken(file); !errors.Is(err, ownership.ErrNotOwn) || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Fatalf("rotate over another user's token: %v", err)
	}
}

// gauge reads a one-gauge collector as /metrics would.
func gauge(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || len(mfs[0].GetMetric()) != 1 {
		t.Fatalf("gather: %v, %v", mfs, err)
	}
	return mfs[0].GetMetric()[0].GetGauge().GetValue()
}

func tokenIn(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
