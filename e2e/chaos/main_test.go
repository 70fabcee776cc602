//go:build chaos

// Package chaos injects faults into a real tradingd built with the chaos
// build tag and checks what a user would: at most one session, no leaked
// goroutines, health that says what happened and why, a daemon that keeps
// serving. Run with `make chaos` (full) or `make chaos-short` (CI).
package chaos

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

var bins string

func TestMain(m *testing.M) {
	os.Exit(harness.RunWithBinaries(m, &bins, "-race", "-tags", "chaos"))
}

// daemon starts a chaos build of tradingd with the given faults.
func daemon(t *testing.T, faults string, args ...string) (*harness.Daemon, *client.Client) {
	t.Helper()
	d := harness.StartDaemon(t, bins, harness.Options{Env: []string{"TRADINGD_CHAOS=" + faults}, Args: args, Metrics: true})
	return d, d.Client(t)
}

func settings(tick, health time.Duration, autoRestart bool) *tradingv1.SessionSettings {
	return &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Symbols: []string{"BTC-USD"},
		TickInterval: durationpb.New(tick), HealthInterval: durationpb.New(health), AutoRestart: autoRestart,
	}
}

func status(t *testing.T, c *client.Client) *tradingv1.GetStatusResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.GetStatus(ctx)
	if err != nil {
		t.Fatalf("GetStatus: %v (the daemon must keep serving)", err)
	}
	return st
}

func start(t *testing.T, c *client.Client, s *tradingv1.SessionSettings) *tradingv1.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.StartTrading(ctx, s)
	if err != nil {
		t.Fatalf("StartTrading: %v", err)
	}
	return resp.GetSession()
}

func stop(t *testing.T, c *client.Client) *tradingv1.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.StopTrading(ctx, 10*time.Second)
	if err != nil {
		t.Fatalf("StopTrading: %v", err)
	}
	return resp.GetSession()
}

// goroutinesSettle waits until the daemon's goroutine count is back to at
// most base (plus slack for gRPC's own connection goroutines).
func goroutinesSettle(t *testing.T, d *harness.Daemon, base float64) {
	t.Helper()
	var last float64
	defer func() { t.Logf("goroutines: baseline %.0f, last seen %.0f", base, last) }()
	harness.Eventually(t, 20*time.Second, "goroutines back to baseline", func() bool {
		v, err := d.Metric("go_goroutines")
		if err != nil {
			t.Fatal(err)
		}
		last = v
		return v <= base+2
	})
}

// baseline is the daemon's goroutine count with our client connected but
// no session; it is taken after a first call, once the connection's own
// goroutines exist.
func baseline(t *testing.T, d *harness.Daemon, c *client.Client) float64 {
	t.Helper()
	// Two calls and a pause: the connection's goroutines (and the metrics
	// scrape's) exist and the first call's have ended, so the baseline is
	// the idle count, not a moment in the middle of starting up.
	status(t, c)
	status(t, c)
	time.Sleep(200 * time.Millisecond)
	if _, err := d.Metric("go_goroutines"); err != nil {
		t.Fatal(err)
	}
	v, err := d.Metric("go_goroutines")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func component(r *tradingv1.HealthReport, name string) *tradingv1.ComponentHealth {
	for _, c := range r.GetComponents() {
		if c.GetName() == name {
			return c
		}
	}
	return &tradingv1.ComponentHealth{}
}

func short() bool { return testing.Short() }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func osReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

func trimSpace(b []byte) []byte { return []byte(strings.TrimSpace(string(b))) }
