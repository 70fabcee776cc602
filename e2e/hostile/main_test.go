//go:build hostile

// Package hostile floods the real tradingd the way an unauthenticated
// client on the network could (issue 10), on loopback only, and checks the
// ceilings SECURITY.md promises: under each flood the daemon's RSS grows by
// less than 64 MiB and a legitimate GetStatus, on a fresh connection as
// tradectl makes it, answers within 1 s. Every flood is bounded in count
// and time and stops by itself. `make hostile` runs the full sizes,
// `make hostile-short` (CI) smaller ones.
package hostile

import (
	"context"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

var bins string

func TestMain(m *testing.M) {
	// The floods hold thousands of sockets: take the hard limit.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	// No race detector: memory is what is measured.
	os.Exit(harness.RunWithBinaries(m, &bins))
}

const (
	// The acceptance ceilings of issue 10.
	maxGrowth  = 64 << 20
	maxLatency = time.Second
	// The attacker is another peer than the operator: 127.0.0.2 and up
	// (all of 127/8 is loopback on Linux), the operator 127.0.0.1.
	attacker = "127.0.0.2"
)

// size picks the full or the -short size of a flood.
func size(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// target is the daemon under attack, as the attack sees it.
type target struct {
	addr, metricsAddr string
}

// flood starts a daemon, runs attack against it (attack returns once its
// flood is in place and must stop when ctx ends), then for hold checks
// every 200 ms that a legitimate call answers within maxLatency while
// sampling RSS; then it ends the attack and checks the growth.
func flood(t *testing.T, hold time.Duration, attack func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup)) {
	d := harness.StartDaemon(t, bins, harness.Options{Metrics: true})
	tok, err := os.ReadFile(d.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))
	if _, err := legit(d.Addr, token); err != nil {
		t.Fatalf("GetStatus before the flood: %v", err)
	}
	base, err := d.RSS()
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), hold+2*time.Minute)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	began := time.Now()
	attack(ctx, t, target{addr: d.Addr, metricsAddr: d.MetricsAddr}, &wg)
	t.Logf("flood in place after %s", time.Since(began).Round(time.Millisecond))

	var peak int64
	var calls int
	var slowest time.Duration
	for end := time.Now().Add(hold); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if rss, err := d.RSS(); err == nil && rss > peak {
			peak = rss
		}
		took, err := legit(d.Addr, token)
		if err != nil {
			t.Fatalf("legitimate GetStatus during the flood (call %d): %v", calls+1, err)
		}
		calls++
		slowest = max(slowest, took)
	}
	if rss, err := d.RSS(); err == nil && rss > peak {
		peak = rss
	}
	t.Logf("RSS %d MiB before, peak %d MiB (growth %d MiB); %d legitimate calls, slowest %s",
		base>>20, peak>>20, (peak-base)>>20, calls, slowest.Round(time.Millisecond))
	if peak-base >= maxGrowth {
		t.Errorf("RSS grew by %d MiB under the flood, want < %d MiB", (peak-base)>>20, maxGrowth>>20)
	}
}

// legit is a tradectl status: a fresh connection from 127.0.0.1 and a
// GetStatus with the token, all within maxLatency.
func legit(addr, token string) (time.Duration, error) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), maxLatency)
	defer cancel()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dialerFrom("127.0.0.1")))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	if _, err := tradingv1.NewTradingServiceClient(conn).GetStatus(ctx, &tradingv1.GetStatusRequest{}, grpc.WaitForReady(true)); err != nil {
		return 0, err
	}
	return time.Since(began), nil
}

func dialerFrom(ip string) func(ctx context.Context, addr string) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
}
