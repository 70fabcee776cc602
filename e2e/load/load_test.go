// Package load holds the control plane's load benchmarks: GetStatus
// against a bare gRPC floor, WatchHealth fan-out to thousands of watchers,
// and daemon cold start. They run the real daemon (a separate process where
// memory is measured) and print their figures as benchmark metrics; `make
// bench` runs them once each (-benchtime=1x) and BENCHMARKS.md records them.
package load

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
)

var (
	buildOnce sync.Once
	bins      string
	buildErr  error
)

// binaries builds tradingd and tradectl once, without the race detector:
// these are performance figures.
func binaries(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		bins, buildErr = os.MkdirTemp("", "tradectl-load-")
		if buildErr == nil {
			buildErr = harness.Build(bins)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return bins
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bins != "" {
		os.RemoveAll(bins)
	}
	os.Exit(code)
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, ds...)
	l.mu.Unlock()
}

// pct returns the p-th percentile (0..1) of ds, sorting it.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(float64(len(ds)-1)*p)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
