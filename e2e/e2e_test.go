// Package e2e runs the real tradingd and tradectl binaries against each
// other, the way a user does.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var bins string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tradectl-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins = dir
	build := exec.Command("go", "build", "-race", "-o", dir+"/", "../cmd/tradingd", "../cmd/tradectl")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building binaries:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// daemon is a running tradingd.
type daemon struct {
	cmd     *exec.Cmd
	addr    string
	dataDir string
	log     *syncBuffer
	exited  chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingRe = regexp.MustCompile(`msg="tradingd serving" addr=(\S+)`)

func startDaemon(t *testing.T, env ...string) *daemon {
	t.Helper()
	d := &daemon{dataDir: t.TempDir(), log: &syncBuffer{}, exited: make(chan error, 1)}
	d.cmd = exec.Command(filepath.Join(bins, "tradingd"), "--listen", "127.0.0.1:0", "--metrics-listen", "",
		"--data-dir", d.dataDir, "--shutdown-timeout", "2s")
	d.cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	d.cmd.Stderr = pw
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait(); pw.Close() }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			d.log.Write([]byte(line + "\n"))
			if m := servingRe.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case d.addr = <-found:
	case err := <-d.exited:
		t.Fatalf("tradingd exited early: %v\n%s", err, d.log)
	case <-time.After(30 * time.Second):
		t.Fatalf("tradingd did not start:\n%s", d.log)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("tradingd log:\n%s", d.log)
		}
	})
	return d
}

// ctl runs tradectl against d and returns stdout, stderr and the exit code.
func (d *daemon) ctl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bins, "tradectl"), args...)
	cmd.Env = append(os.Environ(), "TRADECTL_ADDR="+d.addr, "TRADECTL_TOKEN_FILE="+filepath.Join(d.dataDir, "token"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func (d *daemon) terminate(t *testing.T) time.Duration {
	t.Helper()
	began := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		if err != nil {
			t.Fatalf("tradingd exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("tradingd did not exit after SIGTERM")
	}
	return time.Since(began)
}

func TestPaperSessionEndToEnd(t *testing.T) {
	d := startDaemon(t)
	out, errOut, code := d.ctl(t, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--tick-interval", "20ms", "--health-interval", "200ms")
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
		out, errOut, code = d.ctl(t, "status", "-o", "json")
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
	out, errOut, code = d.ctl(t, "stop")
	if code != 0 || !strings.Contains(out, "STOPPED") {
		t.Fatalf("stop: exit %d: %s%s", code, out, errOut)
	}
	d.terminate(t)
	for _, want := range []string{"session starting", "health monitor started in background", "trading loop started",
		"heartbeat", "session ended", "session=" + status.Session.ID} {
		if !strings.Contains(d.log.String(), want) {
			t.Errorf("daemon log lacks %q", want)
		}
	}
}

// SIGTERM while watchers are attached and a session runs: the daemon stops
// the session, ends the streams and exits 0 without waiting on them.
func TestSigtermWithWatchersExitsPromptly(t *testing.T) {
	d := startDaemon(t)
	if _, errOut, code := d.ctl(t, "start", "--paper", "--tick-interval", "50ms"); code != 0 {
		t.Fatalf("start: %d %s", code, errOut)
	}
	var watchers []*exec.Cmd
	for range 3 {
		w := exec.Command(filepath.Join(bins, "tradectl"), "watch-health")
		w.Env = append(os.Environ(), "TRADECTL_ADDR="+d.addr, "TRADECTL_TOKEN_FILE="+filepath.Join(d.dataDir, "token"))
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
	took := d.terminate(t)
	t.Logf("tradingd exited %s after SIGTERM with 3 watchers attached", took)
	if !strings.Contains(d.log.String(), `reason="daemon shutting down"`) {
		t.Errorf("the session was not stopped by the shutdown:\n%s", d.log)
	}
}

func TestCLIErrorsHaveDistinctExitCodes(t *testing.T) {
	d := startDaemon(t)
	bad := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(bad, []byte("not-the-token-at-all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := d.ctl(t, "--token-file", bad, "status"); code != 4 || !strings.Contains(errOut, "tradectl:") {
		t.Errorf("wrong token: exit %d, stderr %q; want 4", code, errOut)
	}
	if _, errOut, code := d.ctl(t, "start", "--paper", "--symbols", "NOPE-USD"); code != 5 || !strings.Contains(errOut, "NOPE-USD") {
		t.Errorf("unknown symbol: exit %d, stderr %q; want 5", code, errOut)
	}
	if _, errOut, code := d.ctl(t, "start"); code != 6 || !strings.Contains(errOut, "live trading is not available") {
		t.Errorf("live: exit %d, stderr %q; want 6", code, errOut)
	}
	if _, _, code := d.ctl(t, "start", "--paper", "--tick-interval", "1h"); code != 0 {
		t.Fatalf("start: exit %d", code)
	}
	if _, errOut, code := d.ctl(t, "start", "--paper", "--symbols", "ETH-USD"); code != 6 || !strings.Contains(errOut, "already running") {
		t.Errorf("conflicting start: exit %d, stderr %q; want 6", code, errOut)
	}
	if _, errOut, code := d.ctl(t, "--bogus-flag", "status"); code != 2 {
		t.Errorf("bad flag: exit %d, stderr %q; want 2", code, errOut)
	}
	d.terminate(t)
	if _, errOut, code := d.ctl(t, "--timeout", "2s", "status"); code != 3 {
		t.Errorf("daemon gone: exit %d, stderr %q; want 3", code, errOut)
	}
}
