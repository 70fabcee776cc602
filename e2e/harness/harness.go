// Package harness builds and runs the real tradingd and tradectl binaries
// for end-to-end tests, fault-injection tests and load benchmarks. It is
// test support: nothing in the shipped binaries imports it.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
)

// Build compiles tradingd, tradectl and the rehearsal venue
// (venue-emulator) into dir with the given extra go build flags (for
// example -race, or -tags chaos).
func Build(dir string, flags ...string) error {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	args := append([]string{"build"}, flags...)
	args = append(args, "-o", dir+string(os.PathSeparator), "./cmd/tradingd", "./cmd/tradectl", "./cmd/venue-emulator")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// RunWithBinaries is an e2e package's TestMain: it builds the binaries
// (Build, with flags) into a temporary directory, sets *bins to it, runs
// the tests and removes the directory. It returns the exit code; a build
// that fails ends the process.
func RunWithBinaries(m *testing.M, bins *string, flags ...string) int {
	dir, err := os.MkdirTemp("", "tradectl-e2e-bins-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := Build(dir, flags...); err != nil {
		fmt.Fprintln(os.Stderr, "building binaries:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	*bins = dir
	defer os.RemoveAll(dir)
	return m.Run()
}

// Daemon is a running tradingd.
type Daemon struct {
	Bins        string
	Addr        string
	MetricsAddr string
	// HTTPAddr is the dashboard's address ("" when Options.HTTP was).
	HTTPAddr string
	DataDir  string
	Log      *SyncBuffer // stderr, where it logs
	Stdout   *SyncBuffer
	cmd      *exec.Cmd
	exited   chan error
	exitErr  error
	done     bool
}

// SyncBuffer is a bytes.Buffer safe for a writer and readers at once.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Count returns how many lines contain sub.
func (s *SyncBuffer) Count(sub string) int {
	return strings.Count(s.String(), sub)
}

var servingRe = regexp.MustCompile(`msg="tradingd serving" addr=(\S+)(?: metrics_addr=(\S+))?(?: http_addr=(\S+))?`)

// Options for StartDaemon.
type Options struct {
	Env     []string
	Args    []string
	Metrics bool
	// HTTP is the dashboard's --http-listen: "127.0.0.1:0" for a free
	// port, or a restarted daemon's former HTTPAddr (a browser's cookie
	// and page belong to one host:port); "" serves none.
	HTTP string
	// DataDir reuses a data directory (and so its token); default: fresh.
	DataDir string
}

// StartDaemon runs tradingd on a free loopback port with a fresh data
// directory and waits until it serves. The daemon is killed when the test
// ends if it is still running.
func StartDaemon(tb testing.TB, bins string, o Options) *Daemon {
	tb.Helper()
	d := &Daemon{Bins: bins, DataDir: o.DataDir, Log: &SyncBuffer{}, Stdout: &SyncBuffer{}, exited: make(chan error, 1)}
	if d.DataDir == "" {
		d.DataDir = tb.TempDir()
	}
	metrics := ""
	if o.Metrics {
		metrics = "127.0.0.1:0"
	}
	args := append([]string{"--listen", "127.0.0.1:0", "--metrics-listen", metrics, "--http-listen", o.HTTP, "--data-dir", d.DataDir,
		// Tests poll and storm from one address; o.Args can set a rate.
		"--shutdown-timeout", "2s", "--control-rate", "off"}, o.Args...)
	d.cmd = exec.Command(filepath.Join(bins, "tradingd"), args...)
	d.cmd.Env = append(os.Environ(), o.Env...)
	pr, pw := io.Pipe()
	d.cmd.Stderr, d.cmd.Stdout = pw, d.Stdout
	if err := d.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait(); pw.Close() }()
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			d.Log.Write([]byte(line + "\n"))
			if m := servingRe.FindStringSubmatch(line); m != nil {
				select {
				case found <- m:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case m := <-found:
		d.Addr, d.MetricsAddr, d.HTTPAddr = m[1], m[2], m[3]
	case err := <-d.exited:
		tb.Fatalf("tradingd exited early: %v\n%s", err, d.Log)
	case <-time.After(60 * time.Second):
		tb.Fatalf("tradingd did not start:\n%s", d.Log)
	}
	tb.Cleanup(func() {
		if !d.done {
			_ = d.cmd.Process.Kill()
			d.Wait()
		}
		if tb.Failed() {
			tb.Logf("tradingd log:\n%s", tail(d.Log.String(), 200))
		}
	})
	return d
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// PID is the daemon's process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// TokenFile is where the daemon wrote its token.
func (d *Daemon) TokenFile() string { return filepath.Join(d.DataDir, "token") }

// Client returns a Go client for the daemon, closed when the test ends.
func (d *Daemon) Client(tb testing.TB) *client.Client {
	tb.Helper()
	c, err := client.New(d.Addr, client.WithTokenFile(d.TokenFile()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Ctl runs tradectl against the daemon and returns stdout, stderr and the
// exit code.
func (d *Daemon) Ctl(tb testing.TB, args ...string) (string, string, int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(d.Bins, "tradectl"), args...)
	cmd.Env = append(os.Environ(), "TRADECTL_ADDR="+d.Addr, "TRADECTL_TOKEN_FILE="+d.TokenFile())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// CtlCommand returns an unstarted tradectl command aimed at the daemon.
func (d *Daemon) CtlCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(d.Bins, "tradectl"), args...)
	cmd.Env = append(os.Environ(), "TRADECTL_ADDR="+d.Addr, "TRADECTL_TOKEN_FILE="+d.TokenFile())
	return cmd
}

// Signal sends sig to the daemon.
func (d *Daemon) Signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		tb.Fatal(err)
	}
}

// Wait waits for the daemon to exit and returns its exit error.
func (d *Daemon) Wait() error {
	if !d.done {
		d.exitErr = <-d.exited
		d.done = true
	}
	return d.exitErr
}

// Terminate sends SIGTERM and waits (at most 60 s) for a clean exit,
// returning how long it took.
func (d *Daemon) Terminate(tb testing.TB) time.Duration {
	tb.Helper()
	began := time.Now()
	d.Signal(tb, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- d.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatalf("tradingd exit after SIGTERM: %v", err)
		}
	case <-time.After(60 * time.Second):
		tb.Fatal("tradingd did not exit after SIGTERM")
	}
	return time.Since(began)
}

// RSS is the daemon's resident set size in bytes, from /proc.
func (d *Daemon) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.PID()))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", d.PID())
}

// Metric scrapes the daemon's /metrics and returns the value of an
// unlabelled metric.
func (d *Daemon) Metric(name string) (float64, error) {
	if d.MetricsAddr == "" {
		return 0, fmt.Errorf("daemon started without metrics")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return scrape(ctx, "http://"+d.MetricsAddr+"/metrics", name)
}

// Kill ends the daemon with SIGKILL, as a crash or the OOM killer would,
// and waits for it to be gone.
func (d *Daemon) Kill(tb testing.TB) {
	tb.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatal(err)
	}
	_ = d.Wait()
}
