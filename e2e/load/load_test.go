// Package load holds the control plane's load benchmarks: GetStatus
// against a bare gRPC floor, WatchHealth fan-out to thousands of watchers,
// and daemon cold start. They run the real daemon (a separate process where
// memory is measured) and print their figures as benchmark metrics; `make
// bench` runs them once each (-benchtime=1x) and BENCHMARKS.md records them.
package load

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
)

var built harness.LazyBinaries

func TestMain(m *testing.M) {
	code := m.Run()
	built.Remove()
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
