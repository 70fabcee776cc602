package backtest

import (
	"math"
	"math/bits"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/money"
)

// MaxSamples bounds the equity samples a run keeps (8 MiB of float64s). A
// tiny --sample-every, or data with a gap of centuries, would otherwise
// grow memory without end; past the bound the period doubles instead.
const MaxSamples = 1 << 20

// MinSharpeSamples is the fewest sampled returns a Sharpe ratio is shown
// from: below it the estimate is noise.
const MinSharpeSamples = 30

// stats follows equity event by event: exact money for drawdown, floats
// only for the Sharpe ratio, which is a statistic, not an amount.
type stats struct {
	requested, every time.Duration
	limit            int
	first, last      time.Time
	// dd is the peak and largest drawdown, taken as a session's are;
	// peakAtMaxDD is the peak the largest drawdown fell from, for the
	// drawdown's fraction.
	dd          coordinator.EquityPeak
	peakAtMaxDD money.Decimal
	// equity[i] is the equity after the first event at or past
	// first + i×every. The grid of sample times is fixed by first and
	// every, so halving it (keeping the even indexes) gives exactly the
	// samples a doubled period would have taken from the start.
	equity []float64
	// next is the time of the next sample, or the zero time if the grid
	// has passed the end of time.Duration's range.
	next time.Time
}

func newStats(start money.Decimal, every time.Duration, limit int) *stats {
	return &stats{requested: every, every: every, limit: limit, dd: coordinator.EquityPeak{Peak: start}, peakAtMaxDD: start}
}

// observe runs on the loop for every event: no allocation but the rare
// growth of the samples.
func (s *stats) observe(t time.Time, equity money.Decimal) {
	if s.equity == nil {
		s.first = t
		s.equity = make([]float64, 0, min(64, s.limit))
		s.sample(t, float(equity))
	}
	s.last = t
	before := s.dd.MaxDrawdown
	s.dd.Observe(equity)
	if s.dd.MaxDrawdown.Cmp(before) > 0 {
		s.peakAtMaxDD = s.dd.Peak
	}
	if !s.next.IsZero() && !t.Before(s.next) {
		s.sample(t, float(equity))
	}
}

// sample records e at every sample time up to t, doubling the period
// first while the grid up to t would hold more than the limit. The work
// is bounded by the limit, not by how much time passed since the last
// event.
func (s *stats) sample(t time.Time, e float64) {
	since := s.since(t)
	// last is the index of the last sample time at or before t.
	last := since / uint64(s.every)
	for last >= uint64(s.limit) {
		s.coarsen()
		last = since / uint64(s.every)
	}
	for uint64(len(s.equity)) <= last {
		if len(s.equity) == cap(s.equity) {
			grown := make([]float64, len(s.equity), min(2*cap(s.equity), s.limit))
			copy(grown, s.equity)
			s.equity = grown
		}
		s.equity = append(s.equity, e)
	}
	s.next = time.Time{}
	if hi, lo := bits.Mul64(uint64(len(s.equity)), uint64(s.every)); hi == 0 {
		// In two steps: lo may pass time.Duration's range.
		s.next = s.first.Add(time.Duration(lo / 2)).Add(time.Duration(lo - lo/2))
	}
}

// since is how long after the first event t is, in nanoseconds. A uint64
// holds 584 years: all the replay format can hold (1678 to 2262), where
// time.Duration saturates at 292.
func (s *stats) since(t time.Time) uint64 {
	if d := t.Sub(s.first); d < math.MaxInt64 {
		return uint64(max(d, 0))
	}
	secs := uint64(t.Unix() - s.first.Unix())
	if secs >= math.MaxUint64/1_000_000_000-1 {
		return math.MaxUint64
	}
	// Wraps in between when t's nanoseconds are fewer, exactly right in the end.
	return secs*1e9 + uint64(t.Nanosecond()) - uint64(s.first.Nanosecond())
}

// coarsen doubles the period and keeps the samples that fall on it.
func (s *stats) coarsen() {
	kept := s.equity[:0]
	for i := 0; i < len(s.equity); i += 2 {
		kept = append(kept, s.equity[i])
	}
	s.equity = kept
	s.every *= 2
}

func (s *stats) maxDDFraction() money.Decimal {
	f, err := s.dd.MaxDrawdown.Quo(s.peakAtMaxDD)
	if err != nil {
		return money.Decimal{}
	}
	return f
}

// sharpe is the annualized Sharpe ratio of the returns between samples
// (risk-free rate zero; crypto trades all year, so a year is 365 days of
// samples), and how many returns it comes from. ok is false when it is
// not meaningful: fewer than MinSharpeSamples returns, or returns that
// never vary (a ratio over a zero deviation).
func (s *stats) sharpe() (ratio float64, n int, ok bool) {
	var sum float64
	for i := 1; i < len(s.equity); i++ {
		if prev := s.equity[i-1]; prev != 0 {
			sum += s.equity[i]/prev - 1
			n++
		}
	}
	if n < MinSharpeSamples {
		return 0, n, false
	}
	mean := sum / float64(n)
	var v float64
	for i := 1; i < len(s.equity); i++ {
		if prev := s.equity[i-1]; prev != 0 {
			d := s.equity[i]/prev - 1 - mean
			v += d * d
		}
	}
	sd := math.Sqrt(v / float64(n-1))
	if sd == 0 {
		return 0, n, false
	}
	perYear := float64(365*24*time.Hour) / float64(s.every)
	return mean / sd * math.Sqrt(perYear), n, true
}

func float(d money.Decimal) float64 { return float64(d.Units()) / 1e8 }
