package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
)

// What a user types gets an answer they can act on: the right exit code,
// one line naming what is wrong, and files as private as promised.
func TestFilesErrorsAndExitCodes(t *testing.T) {
	d := startDaemon(t)
	dir := t.TempDir()
	backup := filepath.Join(d.DataDir, "backups", "copy.db")
	if _, errOut, code := d.Ctl(t, "backup", "copy.db"); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi.Mode(), err)
	}
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"backup", filepath.Join(missing, "copy.db")}, 2, "NAME is a file name, not a path"},
		{[]string{"backup", "..copy"}, 5, `"..copy" is not a file name`},
		{[]string{"orders", "--session", "nope"}, 11, `"nope"`},
		{[]string{"fills", "--session", "nope"}, 11, `"nope"`},
		{[]string{"portfolio", "--session", "nope"}, 11, `"nope"`},
		{[]string{"--addr", "notanaddr", "status"}, 2, `bad address "notanaddr"`},
		{[]string{"start", "--paper", "--symbols", ""}, 2, "--symbols is empty"},
		{[]string{"start", "--resume"}, 6, "nothing to resume"},
	} {
		_, errOut, code := d.Ctl(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.say) {
			t.Errorf("tradectl %v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.say)
		}
		if strings.Count(errOut, "nothing to resume") > 1 {
			t.Errorf("tradectl %v says it twice: %q", tc.args, errOut)
		}
	}
}

// A watch-health left running outlives 'tradingd token rotate' and a
// restart: it reconnects with the token the file holds now.
func TestWatchHealthAfterTokenRotationAndRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	opts := harness.Options{Args: []string{"--listen", addr}, DataDir: t.TempDir()}
	d := harness.StartDaemon(t, bins, opts)
	watch := d.CtlCommand("watch-health")
	var out, errOut harness.SyncBuffer
	watch.Stdout, watch.Stderr = &out, &errOut
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed when watch-health ends, with its error in waitErr.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = watch.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = watch.Process.Kill()
		<-exited
	})
	waitFor(t, "the first report", func() bool { return out.String() != "" })
	d.Terminate(t)
	if b, err := exec.Command(filepath.Join(bins, "tradingd"), "token", "rotate", "--data-dir", d.DataDir).CombinedOutput(); err != nil {
		t.Fatalf("token rotate: %v: %s", err, b)
	}
	harness.StartDaemon(t, bins, opts)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errOut.String(), "reconnected to") {
		select {
		case <-exited:
			t.Fatalf("watch-health ended after the rotation: %v: %s", waitErr, errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch-health did not reconnect: %s", errOut.String())
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
