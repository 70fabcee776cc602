//go:build linux

package orderfeed

import (
	"context"
	"flag"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

// countingStore stands in for the store in benchmarks: it "holds" every
// event numbered up to committed and makes them on demand, so that a run
// of millions of events needs no memory for them.
type countingStore struct{ committed atomic.Uint64 }

func (s *countingStore) OrderEventsAfter(_ context.Context, after uint64, limit int) ([]orders.Event, error) {
	var list []orders.Event
	for seq := after + 1; seq <= s.committed.Load() && len(list) < limit; seq++ {
		list = append(list, benchEvent(seq))
	}
	return list, nil
}

func benchEvent(seq uint64) orders.Event {
	return orders.Event{Seq: seq, Order: orders.Order{ClientID: "s1-000042", SessionID: "s1",
		Spec:  venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Quantity: money.FromInt(1), Price: money.FromInt(100)},
		State: venue.StatePartiallyFilled, Filled: money.FromInt(1)},
		Fill: orders.Fill{Quantity: money.FromInt(1), Price: money.FromInt(100), Time: time.Unix(0, 0)}}
}

// threadCPU is the CPU time the calling OS thread has used, to the
// nanosecond (getrusage counts in scheduler ticks).
func threadCPU(b *testing.B) time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime,
		uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		b.Fatal(errno)
	}
	return time.Duration(ts.Nano())
}

// benchmarkPublish publishes events in bursts, as the trading loop does
// after each commit, to watchers that read every one of them; between
// bursts (off the clock) it sleeps, as the loop does between ticks, and
// waits until every watcher has read the burst, as watchers that keep up
// do. loop-cpu-ns/event is the CPU
// time the publishing thread spent per event: what the loop pays. The
// wall-clock ns/op also counts the time the publisher waited for a core
// while 10,000 watchers ran on a small machine.
func benchmarkPublish(b *testing.B, watchers int) {
	if bt := flag.Lookup("test.benchtime"); !strings.HasSuffix(bt.Value.String(), "x") {
		// b.N grows with the timed part only, and the untimed sleeps
		// between bursts (and waits for 10,000 readers) take minutes:
		// four for watchers=0 alone, close to a package's -timeout.
		b.Skip("needs a count: -benchtime 20000x")
	}
	st := &countingStore{}
	f := New(Options{Source: st})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var read atomic.Uint64
	for range watchers {
		w, err := f.Subscribe(0, true)
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer w.Close()
			for {
				if _, err := w.Next(ctx); err != nil {
					return
				}
				read.Add(1)
			}
		})
	}
	defer func() {
		cancel()
		f.Close()
		wg.Wait()
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const burst = 16
	e := benchEvent(0)
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; {
		c0 := threadCPU(b)
		for j := 0; j < burst && i < b.N; j++ {
			i++
			e.Seq = uint64(i)
			st.committed.Store(e.Seq)
			f.Publish(e)
		}
		cpu += threadCPU(b) - c0
		b.StopTimer()
		// The loop sleeps between ticks, with or without watchers: each
		// burst starts from a thread that slept, in both cases.
		time.Sleep(50 * time.Microsecond)
		for want := uint64(watchers) * uint64(i); read.Load() < want; {
			time.Sleep(50 * time.Microsecond)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "loop-cpu-ns/event")
}

func BenchmarkPublish(b *testing.B) {
	b.Run("watchers=0", func(b *testing.B) { benchmarkPublish(b, 0) })
	b.Run("watchers=1", func(b *testing.B) { benchmarkPublish(b, 1) })
	b.Run("watchers=100", func(b *testing.B) { benchmarkPublish(b, 100) }) // 100 dashboards
	b.Run("watchers=10000", func(b *testing.B) { benchmarkPublish(b, 10_000) })
}
