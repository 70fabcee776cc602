package harness

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// LazyBinaries builds the binaries without the race detector (these are
// performance figures) the first time a benchmark asks, so that a package
// whose benchmarks are not run builds nothing.
type LazyBinaries struct {
	once sync.Once
	dir  string
	err  error
}

// Get returns the directory of the built binaries, building them once.
func (l *LazyBinaries) Get(tb testing.TB) string {
	tb.Helper()
	l.once.Do(func() {
		if l.dir, l.err = os.MkdirTemp("", "tradectl-bench-bins-"); l.err == nil {
			l.err = Build(l.dir)
		}
	})
	if l.err != nil {
		tb.Fatal(l.err)
	}
	return l.dir
}

// Remove deletes what Get built, if anything; TestMain calls it last.
func (l *LazyBinaries) Remove() {
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
}

// Phase is what a closed-loop load phase measured.
type Phase struct {
	Calls int
	Dur   time.Duration
	Lat   []time.Duration // every call's latency
}

// Add sums q into p (several phases of one kind, interleaved with others).
func (p *Phase) Add(q Phase) {
	p.Calls += q.Calls
	p.Dur += q.Dur
	p.Lat = append(p.Lat, q.Lat...)
}

// RPS is the calls per second over the phases' wall time.
func (p *Phase) RPS() float64 { return float64(p.Calls) / p.Dur.Seconds() }

// Drive runs workers goroutines, each calling call(worker) back to back
// for d, and measures them; a failed call fails tb.
func Drive(tb testing.TB, workers int, d time.Duration, call func(worker int) error) Phase {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	began := time.Now()
	deadline := began.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds := make([]time.Duration, 0, 1<<13)
			for {
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				if err := call(w); err != nil {
					tb.Error(err)
					return
				}
				ds = append(ds, time.Since(t0))
			}
			mu.Lock()
			all = append(all, ds...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return Phase{Calls: len(all), Dur: time.Since(began), Lat: all}
}

// Pct returns the p-th percentile (0..1) of ds, sorting it.
func Pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(float64(len(ds)-1)*p)]
}

// Ms is d in milliseconds, to the microsecond, for b.ReportMetric.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
