package strategy

import (
	"fmt"
	"math/bits"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
)

// MaxSMAWindow bounds the slow window, and so the memory kept per symbol.
const MaxSMAWindow = 500

// smaQuantityPlaces is the precision of the quantities the SMA orders: it
// rounds down to 0.0001 of the base asset, a lot size every paper
// instrument accepts.
const smaQuantityPlaces = 4

// SMAConfig configures the moving-average crossover.
type SMAConfig struct {
	// Fast and Slow are the window lengths, in quotes, of the two simple
	// moving averages of the mid price: 1 ≤ Fast < Slow ≤ MaxSMAWindow.
	Fast, Slow int
	// Notional is what each entry spends, in the quote currency.
	Notional money.Decimal
}

// DefaultSMAConfig is a 5/20 crossover spending 1000 per entry.
func DefaultSMAConfig() SMAConfig {
	return SMAConfig{Fast: 5, Slow: 20, Notional: money.FromInt(1000)}
}

// Validate reports the first parameter out of range, by name.
func (c SMAConfig) Validate() error {
	switch {
	case c.Fast < 1:
		return fmt.Errorf("strategy: sma fast window must be at least 1, got %d", c.Fast)
	case c.Slow <= c.Fast:
		return fmt.Errorf("strategy: sma slow window must be longer than the fast window (%d), got %d", c.Fast, c.Slow)
	case c.Slow > MaxSMAWindow:
		return fmt.Errorf("strategy: sma slow window must be at most %d, got %d", MaxSMAWindow, c.Slow)
	case !c.Notional.IsPositive():
		return fmt.Errorf("strategy: sma notional must be positive, got %s", c.Notional)
	}
	return nil
}

// SMA is a long-only moving-average crossover. For each symbol it keeps the
// last Slow mids in a ring buffer with running sums of the fast and slow
// windows (exact decimal sums, so nothing drifts). Once Slow quotes have
// been seen, a fast average crossing above the slow one buys
// Notional / Ask, rounded down to 0.0001, if the position is flat; crossing
// below sells the whole position if it is long. It ignores quotes with a
// non-positive bid or an ask below the bid.
//
// It allocates only on the first quote of a symbol.
type SMA struct {
	cfg    SMAConfig
	series map[string]*smaSeries
}

type smaSeries struct {
	ring             []money.Decimal // the last Slow mids; next is the oldest
	next, count      int
	fastSum, slowSum money.Decimal
	// regime is the sign of fast − slow at the last quote where they
	// differed, 0 until then. A cross is a change of regime, so averages
	// touching without crossing signal nothing.
	regime int
}

// NewSMA returns a crossover strategy, or the error of cfg.Validate.
func NewSMA(cfg SMAConfig) (*SMA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &SMA{cfg: cfg, series: make(map[string]*smaSeries)}, nil
}

// Config returns the configuration the strategy runs with.
func (s *SMA) Config() SMAConfig { return s.cfg }

// OnQuote implements Strategy.
func (s *SMA) OnQuote(q market.Quote, position money.Decimal, dst []Intent) []Intent {
	if !q.Bid.IsPositive() || q.Ask.Cmp(q.Bid) < 0 {
		return dst
	}
	ser := s.series[q.Symbol]
	if ser == nil {
		ser = &smaSeries{ring: make([]money.Decimal, s.cfg.Slow)}
		s.series[q.Symbol] = ser
	}
	if !ser.push(q.Mid(), s.cfg.Fast) {
		return dst
	}
	// fast/Fast vs slow/Slow, cross-multiplied so no division rounds.
	rel := cmpProducts(ser.fastSum, s.cfg.Slow, ser.slowSum, s.cfg.Fast)
	prev := ser.regime
	if rel != 0 {
		ser.regime = rel
	}
	switch {
	case prev < 0 && rel > 0 && position.IsZero():
		qty, err := s.cfg.Notional.QuoTruncate(q.Ask, smaQuantityPlaces)
		if err == nil && qty.IsPositive() {
			dst = append(dst, Intent{Symbol: q.Symbol, Side: broker.Buy, Quantity: qty})
		}
	case prev > 0 && rel < 0 && position.IsPositive():
		dst = append(dst, Intent{Symbol: q.Symbol, Side: broker.Sell, Quantity: position})
	}
	return dst
}

// push adds a mid to both windows and reports whether the slow window is
// full.
func (s *smaSeries) push(mid money.Decimal, fast int) bool {
	slow := len(s.ring)
	if s.count >= fast {
		// The mid leaving the fast window, fast places back; fast < slow,
		// so the ring still holds it.
		s.fastSum = s.fastSum.Sub(s.ring[(s.next-fast+slow)%slow])
	}
	if s.count == slow {
		s.slowSum = s.slowSum.Sub(s.ring[s.next])
	} else {
		s.count++
	}
	s.ring[s.next] = mid
	s.next = (s.next + 1) % slow
	s.fastSum = s.fastSum.Add(mid)
	s.slowSum = s.slowSum.Add(mid)
	return s.count == slow
}

// cmpProducts compares a×m with b×n exactly, in 128 bits, for the
// non-negative sums and window lengths of the SMA.
func cmpProducts(a money.Decimal, m int, b money.Decimal, n int) int {
	ahi, alo := bits.Mul64(uint64(a.Units()), uint64(m))
	bhi, blo := bits.Mul64(uint64(b.Units()), uint64(n))
	switch {
	case ahi != bhi:
		return cmpUint(ahi, bhi)
	default:
		return cmpUint(alo, blo)
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
