package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

// genCSV writes n rows of quotes and trades on three symbols, much as the
// gendata script writes them from the simulated market.
func genCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	syms := []string{"BTC-USD", "ETH-USD", "SOL-USD"}
	t := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := range n {
		sym := syms[i%3]
		if i%3 == 0 {
			t = t.Add(33_333_333 * time.Nanosecond)
		}
		ts := t.Format(time.RFC3339Nano)
		bid := 59994 + (i*7919)%200
		if i%2 == 0 {
			fmt.Fprintf(&b, "%s,%s,quote,,,,%d.%02d,%d.%04d,%d.%02d,0.%04d\n", ts, sym, bid, i%100, 1+i%3, i%10000, bid+12, i%100, 1+i%9999)
		} else {
			fmt.Fprintf(&b, "%s,%s,trade,%d.%02d,0.%04d,%s,,,,\n", ts, sym, bid+12, i%100, 1+i%9999, [2]string{"buy", "sell"}[i/2%2])
		}
	}
	return b.Bytes()
}

func TestNextDoesNotAllocate(t *testing.T) {
	data := genCSV(20_000)
	s, err := Open(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 100 { // warm up: symbols interned, queue grown
		s.Next(ctx, farFuture)
	}
	allocs := testing.AllocsPerRun(10_000, func() {
		if _, ok, err := s.Next(ctx, farFuture); !ok || err != nil {
			t.Fatal(ok, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Next allocated %v times per event", allocs)
	}
}

func BenchmarkReplayNext(b *testing.B) {
	data := genCSV(200_000)
	b.SetBytes(int64(len(data)) / 200_000) // per event, so MB/s is the read rate
	b.ReportAllocs()
	ctx := context.Background()
	var s *Source
	reopen := func() {
		b.StopTimer()
		var err error
		if s, err = Open(bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	reopen()
	for b.Loop() {
		_, _, err := s.Next(ctx, farFuture)
		if errors.Is(err, io.EOF) {
			reopen()
			_, _, err = s.Next(ctx, farFuture)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
