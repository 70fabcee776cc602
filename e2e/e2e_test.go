// Package e2e runs the real tradingd and tradectl binaries against each
// other, the way a user does.
package e2e

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
)

var bins string

func TestMain(m *testing.M) {
	os.Exit(harness.RunWithBinaries(m, &bins, "-race"))
}

func startDaemon(t *testing.T) *harness.Daemon {
	return harness.StartDaemon(t, bins, harness.Options{})
}

func TestPaperSessionEndToEnd(t *testing.T) {
	d := startDaemon(t)
	out, errOut, code := d.Ctl(t, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--tick-interval", "20ms", "--health-interval", "200ms")
	if code != 0 {
		t.Fatalf("start: exit %d: %s%s", code, out, errOut)
	}
	var status struct {
		Session struct {
			ID      string `json:"id"`
			State   string `json:"state"`
			Summary struct {
				Ticks string `json:"ticks"`
			} `json:"summary"`
		} `json:"session"`
		Health struct {
			Status string `json:"status"`
		} `json:"health"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, errOut, code = d.Ctl(t, "status", "-o", "json")
		if code != 0 {
			t.Fatalf("status: exit %d: %s", code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &status); err != nil {
			t.Fatalf("status json: %v\n%s", err, out)
		}
		if status.Session.State == "SESSION_STATE_RUNNING" && status.Session.Summary.Ticks != "" && status.Session.Summary.Ticks != "0" && status.Health.Status == "HEALTH_STATUS_HEALTHY" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session never got going: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, errOut, code = d.Ctl(t, "stop")
	if code != 0 || !strings.Contains(out, "STOPPED") {
		t.Fatalf("stop: exit %d: %s%s", code, out, errOut)
	}
	d.Terminate(t)
	for _, want := range []string{"session starting", "health monitor started in background", "trading loop started",
		"heartbeat", "session ended", "session=" + status.Session.ID} {
		if !strings.Contains(d.Log.String(), want) {
			t.Errorf("daemon log lacks %q", want)
		}
	}
}

// SIGTERM while watchers are attached and a session runs: the daemon stops
// the session, ends the streams and exits 0 without waiting on them.
func TestSigtermWithWatchersExitsPromptly(t *testing.T) {
	d := startDaemon(t)
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--tick-interval", "50ms"); code != 0 {
		t.Fatalf("start: %d %s", code, errOut)
	}
	var watchers []*exec.Cmd
	for range 3 {
		w := d.CtlCommand("watch-health")
		w.Stdout, w.Stderr = io.Discard, io.Discard
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		watchers = append(watchers, w)
	}
	defer func() {
		for _, w := range watchers {
			_ = w.Process.Signal(os.Interrupt)
			_ = w.Wait()
		}
	}()
	time.Sleep(500 * time.Millisecond) // let them subscribe
	took := d.Terminate(t)
	t.Logf("tradingd exited %s after SIGTERM with 3 watchers attached", took)
	if !strings.Contains(d.Log.String(), `reason="daemon shutting down"`) {
		t.Errorf("the session was not stopped by the shutdown:\n%s", d.Log)
	}
}

func TestCLIErrorsHaveDistinctExitCodes(t *testing.T) {
	d := startDaemon(t)
	bad := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(bad, []byte("not-the-token-at-all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := d.Ctl(t, "--token-file", bad, "status"); code != 4 || !strings.Contains(errOut, "tradectl:") {
		t.Errorf("wrong token: exit %d, stderr %q; want 4", code, errOut)
	}
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--symbols", "NOPE-USD"); code != 5 || !strings.Contains(errOut, "NOPE-USD") {
		t.Errorf("unknown symbol: exit %d, stderr %q; want 5", code, errOut)
	}
	if _, errOut, code := d.Ctl(t, "start"); code != 6 || !strings.Contains(errOut, "live trading is not available") {
		t.Errorf("live: exit %d, stderr %q; want 6", code, errOut)
	}
	if _, _, code := d.Ctl(t, "start", "--paper", "--tick-interval", "1h"); code != 0 {
		t.Fatalf("start: exit %d", code)
	}
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--symbols", "ETH-USD"); code != 6 || !strings.Contains(errOut, "already running") {
		t.Errorf("conflicting start: exit %d, stderr %q; want 6", code, errOut)
	}
	if _, errOut, code := d.Ctl(t, "--bogus-flag", "status"); code != 2 {
		t.Errorf("bad flag: exit %d, stderr %q; want 2", code, errOut)
	}
	d.Terminate(t)
	if _, errOut, code := d.Ctl(t, "--timeout", "2s", "status"); code != 3 {
		t.Errorf("daemon gone: exit %d, stderr %q; want 3", code, errOut)
	}
}

// The shipped binary has no fault-injection points: the chaos environment
// variable does nothing to it.
func TestShippedBinaryIgnoresChaosFaults(t *testing.T) {
	d := harness.StartDaemon(t, bins, harness.Options{Env: []string{"TRADINGD_CHAOS=coordinator:panic@1+,strategy:panic@1+"}})
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--tick-interval", "10ms"); code != 0 {
		t.Fatalf("start: %d %s", code, errOut)
	}
	harness.Eventually(t, 20*time.Second, "50 ticks without a fault", func() bool {
		out, _, _ := d.Ctl(t, "status", "-o", "json")
		var st struct {
			Session struct {
				State   string
				Summary struct{ Ticks string }
			}
		}
		_ = json.Unmarshal([]byte(out), &st)
		n, _ := strconv.Atoi(st.Session.Summary.Ticks)
		if st.Session.State == "SESSION_STATE_FAILED" {
			t.Fatalf("session failed in the shipped binary: %s", out)
		}
		return n >= 50
	})
	if strings.Contains(d.Log.String(), "chaos") {
		t.Fatalf("the shipped binary mentions chaos:\n%s", d.Log)
	}
	d.Terminate(t)
}

// watch-health says when the daemon goes away, reconnects when it is back
// (same address and data directory), and carries on with the new reports.
func TestWatchHealthSurvivesDaemonRestart(t *testing.T) {
	first := startDaemon(t)
	addr, dir := first.Addr, first.DataDir
	w := first.CtlCommand("watch-health", "-o", "json")
	stdout, stderr := &harness.SyncBuffer{}, &harness.SyncBuffer{}
	w.Stdout, w.Stderr = stdout, stderr
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Process.Signal(os.Interrupt); _ = w.Wait() }()
	harness.Eventually(t, 20*time.Second, "a first report", func() bool { return strings.Count(stdout.String(), "\n") >= 1 })
	first.Terminate(t)
	harness.Eventually(t, 20*time.Second, "watch-health to notice", func() bool {
		return strings.Contains(stderr.String(), "lost connection") || strings.Contains(stderr.String(), "reconnecting")
	})
	second := harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: []string{"--listen", addr}})
	if _, errOut, code := second.Ctl(t, "start", "--paper", "--tick-interval", "50ms"); code != 0 {
		t.Fatalf("start on the second daemon: %d %s", code, errOut)
	}
	harness.Eventually(t, 30*time.Second, "reports from the new session", func() bool {
		return strings.Contains(stdout.String(), "SESSION_STATE_RUNNING")
	})
	if !strings.Contains(stderr.String(), "reconnected") && !strings.Contains(stderr.String(), "connected to") {
		t.Errorf("watch-health did not say it reconnected: %s", stderr)
	}
	second.Terminate(t)
}

// runDaemonOnce runs tradingd on dir and expects it to exit by itself,
// returning its output.
func runDaemonOnce(t *testing.T, dir string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bins, "tradingd"), "--listen", "127.0.0.1:0", "--metrics-listen", "", "--http-listen", "", "--data-dir", dir)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("tradingd kept running on a store it should refuse")
	}
	return string(out), err
}
