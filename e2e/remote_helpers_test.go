package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	grpcstatus "google.golang.org/grpc/status"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

var (
	smaOnce sync.Once
	smaErr  error
)

// smaExample builds examples/strategies/sma (with -race, like the binaries)
// into the package's binary directory, once per package run.
func smaExample(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(bins, "sma-example")
	smaOnce.Do(func() {
		cmd := exec.Command("go", "build", "-race", "-o", bin, "./examples/strategies/sma")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			smaErr = errors.New("building examples/strategies/sma: " + err.Error() + "\n" + string(out))
		}
	})
	if smaErr != nil {
		t.Fatal(smaErr)
	}
	return bin
}

// process is a strategy process the test runs, killed when the test ends.
type process struct {
	cmd    *exec.Cmd
	out    *harness.SyncBuffer
	exited chan error
	err    error
	done   bool
}

func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), out: &harness.SyncBuffer{}, exited: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if !p.done {
			_ = p.cmd.Process.Kill()
			p.wait(time.Minute)
		}
		if t.Failed() {
			t.Logf("%s %s:\n%s", filepath.Base(bin), strings.Join(args, " "), p.out)
		}
	})
	return p
}

// wait waits at most d for the process to exit and says whether it did.
func (p *process) wait(d time.Duration) bool {
	if p.done {
		return true
	}
	select {
	case p.err = <-p.exited:
		p.done = true
		return true
	case <-time.After(d):
		return false
	}
}

// kill9 ends the process as a crash would: no goodbye on its stream.
func (p *process) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !p.wait(time.Minute) {
		t.Fatal("a killed process did not exit")
	}
}

// ctlOK runs tradectl and fails the test unless it exits 0.
func ctlOK(t *testing.T, d *harness.Daemon, args ...string) string {
	t.Helper()
	out, errOut, code := d.Ctl(t, args...)
	if code != 0 {
		t.Fatalf("tradectl %s: exit %d: %s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func rpcCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func getStatus(t *testing.T, c *client.Client) *tradingv1.GetStatusResponse {
	t.Helper()
	st, err := c.GetStatus(rpcCtx(t))
	if err != nil {
		t.Fatalf("GetStatus: %v", err)
	}
	return st
}

// strategyHealth is the health component "strategy" of the daemon's last
// report.
func strategyHealth(h *tradingv1.HealthReport) *tradingv1.ComponentHealth {
	for _, c := range h.GetComponents() {
		if c.GetName() == "strategy" {
			return c
		}
	}
	return nil
}

// waitStrategy waits until the strategy component satisfies ok and
// returns it.
func waitStrategy(t *testing.T, c *client.Client, what string, ok func(*tradingv1.ComponentHealth) bool) *tradingv1.ComponentHealth {
	t.Helper()
	var comp *tradingv1.ComponentHealth
	harness.Eventually(t, 30*time.Second, what, func() bool {
		comp = strategyHealth(getStatus(t, c).GetHealth())
		return comp != nil && ok(comp)
	})
	return comp
}

func degradedSaying(sub string) func(*tradingv1.ComponentHealth) bool {
	return func(c *tradingv1.ComponentHealth) bool {
		return c.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED && strings.Contains(c.GetReason(), sub)
	}
}

func healthy(c *tradingv1.ComponentHealth) bool {
	return c.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY
}

// waitTicks waits until the session has ticked n more times than now: the
// loop ran on, whatever it did.
func waitTicks(t *testing.T, c *client.Client, n uint64) {
	t.Helper()
	from := getStatus(t, c).GetSession().GetSummary().GetTicks()
	harness.Eventually(t, 30*time.Second, strconv.FormatUint(n, 10)+" more ticks", func() bool {
		return getStatus(t, c).GetSession().GetSummary().GetTicks() >= from+n
	})
}

func listOrders(t *testing.T, c *client.Client) []*tradingv1.Order {
	t.Helper()
	resp, err := c.ListOrders(rpcCtx(t), false, 10000)
	if err != nil {
		t.Fatalf("ListOrders: %v", err)
	}
	if resp.GetOmitted() != 0 {
		t.Fatalf("ListOrders omitted %d orders", resp.GetOmitted())
	}
	return resp.GetOrders()
}

func orderTagged(t *testing.T, c *client.Client, tag string) *tradingv1.Order {
	t.Helper()
	for _, o := range listOrders(t, c) {
		if o.GetTag() == tag {
			return o
		}
	}
	return nil
}

// reasonOf is the ErrorReason of a gRPC error (UNSPECIFIED if none).
func reasonOf(err error) tradingv1.ErrorReason {
	st, _ := grpcstatus.FromError(err)
	r, _ := tradingv1.ReasonOf(st)
	return r
}

// writeToken writes a token file for a backtest (which presents no daemon's).
func writeToken(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("e2e-backtest-token-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// stripRate drops tradectl's events/s line, the one part of a backtest's
// output that is the machine's, not the data's.
func stripRate(b []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(line, []byte("events/s")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}
