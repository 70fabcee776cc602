package backtest

import (
	"math"
	"time"

	"github.com/tradectl/tradectl/server/money"
)

// stats follows equity event by event: exact money for drawdown, floats
// only for the Sharpe ratio, which is a statistic, not an amount.
type stats struct {
	every       time.Duration
	first, last time.Time
	peak, maxDD money.Decimal
	peakAtMaxDD money.Decimal
	next        time.Time
	prev        float64
	returns     []float64
}

func newStats(start money.Decimal, every time.Duration) *stats {
	return &stats{every: every, peak: start, peakAtMaxDD: start}
}

// observe runs on the loop for every event: no allocation but the rare
// append of a sample.
func (s *stats) observe(t time.Time, equity money.Decimal) {
	if s.first.IsZero() {
		s.first = t
		s.next = t.Add(s.every)
		s.prev = float(equity)
	}
	s.last = t
	if equity.Cmp(s.peak) > 0 {
		s.peak = equity
	}
	if dd := s.peak.Sub(equity); dd.Cmp(s.maxDD) > 0 {
		s.maxDD, s.peakAtMaxDD = dd, s.peak
	}
	for !t.Before(s.next) {
		e := float(equity)
		if s.prev != 0 {
			s.returns = append(s.returns, e/s.prev-1)
		}
		s.prev = e
		s.next = s.next.Add(s.every)
	}
}

func (s *stats) maxDDFraction() money.Decimal {
	f, err := s.maxDD.Quo(s.peakAtMaxDD)
	if err != nil {
		return money.Decimal{}
	}
	return f
}

// sharpe is the annualized Sharpe ratio of the sampled returns (risk-free
// rate zero; crypto trades all year, so a year is 365 days of samples). It
// is 0 with fewer than two samples or no variation.
func (s *stats) sharpe() (float64, int) {
	n := len(s.returns)
	if n < 2 {
		return 0, n
	}
	var mean float64
	for _, r := range s.returns {
		mean += r
	}
	mean /= float64(n)
	var v float64
	for _, r := range s.returns {
		v += (r - mean) * (r - mean)
	}
	sd := math.Sqrt(v / float64(n-1))
	if sd == 0 {
		return 0, n
	}
	perYear := float64(365*24*time.Hour) / float64(s.every)
	return mean / sd * math.Sqrt(perYear), n
}

func float(d money.Decimal) float64 { return float64(d.Units()) / 1e8 }
