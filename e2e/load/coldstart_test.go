package load

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tradectl/tradectl/e2e/harness"
)

// BenchmarkDaemonColdStart measures, over ten starts, the time from exec
// of tradingd to grpc.health.v1 SERVING (polled as an orchestrator would),
// and the daemon's memory when idle: one second after start with no
// session, and with a paper session running.
func BenchmarkDaemonColdStart(b *testing.B) {
	bin := filepath.Join(built.Get(b), "tradingd")
	const starts = 10
	var ds []time.Duration
	for b.Loop() {
		for range starts {
			ds = append(ds, coldStart(b, bin))
		}
	}
	b.ReportMetric(harness.Ms(harness.Pct(ds, 0.5)), "to-serving-p50-ms")
	b.ReportMetric(harness.Ms(harness.Pct(ds, 1)), "to-serving-max-ms")

	d := harness.StartDaemon(b, built.Get(b), harness.Options{Metrics: true})
	time.Sleep(time.Second)
	rss, heap := memory(b, d)
	b.ReportMetric(float64(rss)/(1<<20), "idle-rss-MiB")
	b.ReportMetric(float64(heap)/(1<<20), "idle-heap-MiB")
	if _, errOut, code := d.Ctl(b, "start", "--paper", "--symbols", "BTC-USD,ETH-USD,SOL-USD"); code != 0 {
		b.Fatalf("start: %s", errOut)
	}
	time.Sleep(3 * time.Second)
	rss, _ = memory(b, d)
	b.ReportMetric(float64(rss)/(1<<20), "trading-rss-MiB")
	d.Terminate(b)
}

// coldStart runs tradingd on a fixed free port and returns how long it
// took to answer SERVING.
func coldStart(b *testing.B, bin string) time.Duration {
	addr := freeAddr(b)
	cmd := exec.Command(bin, "--listen", addr, "--metrics-listen", "", "--http-listen", "", "--data-dir", b.TempDir())
	cmd.Stderr = nil
	// Retry the connection every few milliseconds, not with gRPC's default
	// one-second backoff, which would be all we measured.
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: time.Millisecond, Multiplier: 1, MaxDelay: 2 * time.Millisecond}, MinConnectTimeout: time.Second}))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	hc := healthpb.NewHealthClient(conn)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	for time.Since(began) < 30*time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		r, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		cancel()
		if err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return time.Since(began)
		}
	}
	b.Fatal("tradingd never answered SERVING")
	return 0
}
