package backtest

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Past the 584 years a uint64 of nanoseconds holds, sampling every
// nanosecond, the samples stay bounded and the period stays positive.
func TestStatsBeyondAnyRange(t *testing.T) {
	eq := money.FromInt(100_000)
	s := newStats(eq, time.Nanosecond, MaxSamples)
	start := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{start, start.AddDate(1000, 0, 0)} {
		s.observe(at, eq)
	}
	if n := len(s.equity); n < MaxSamples/2 || n > MaxSamples || s.every <= 0 {
		t.Fatalf("%d samples every %s", n, s.every)
	}
}
