package strategy

import (
	"cmp"
	"fmt"
	"math/bits"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// MaxSMAWindow bounds the slow window, and so the memory kept per symbol.
const MaxSMAWindow = 500

// smaQuantityPlaces is the precision of the quantities the SMA orders: it
// rounds down to 0.0001 of the base asset, then to the instrument's lot.
const smaQuantityPlaces = 4

// SMAConfig configures the moving-average crossover.
type SMAConfig struct {
	// Fast and Slow are the window lengths, in book events, of the two simple
	// moving averages of the mid price: 1 ≤ Fast < Slow ≤ MaxSMAWindow.
	Fast, Slow int
	// Notional is what each entry spends, in the quote currency.
	Notional money.Decimal
}

// DefaultSMAConfig is a 5/20 crossover spending 1000 per entry.
func DefaultSMAConfig() SMAConfig {
	return SMAConfig{Fast: 5, Slow: 20, Notional: money.FromInt(1000)}
}

// Validate returns a *ParamError naming the first parameter out of range.
func (c SMAConfig) Validate() error {
	bad := func(param, format string, args ...any) error {
		return &ParamError{Strategy: "sma", Param: param, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.Fast < 1:
		return bad("fast", "window must be at least 1, got %d", c.Fast)
	case c.Slow <= c.Fast:
		return bad("slow", "window must be longer than the fast window (%d), got %d", c.Fast, c.Slow)
	case c.Slow > MaxSMAWindow:
		return bad("slow", "window must be at most %d, got %d", MaxSMAWindow, c.Slow)
	case !c.Notional.IsPositive():
		return bad("notional", "must be positive, got %s", c.Notional)
	}
	return nil
}

// SMA is a long-only moving-average crossover on the mid of book events;
// it ignores trades. For each symbol it keeps the last Slow mids in a ring
// buffer with running sums of the fast and slow windows (exact decimal
// sums, so nothing drifts). Once Slow mids have been seen, a fast average
// crossing above the slow one buys Notional / Ask, rounded down to 0.0001,
// with a market order if the position is flat; crossing below sells the
// whole position if it is long. While the symbol has a live order (the
// last one still in flight) it signals nothing: its position is not yet
// what it decided on. It ignores book events with a non-positive bid or an
// ask below the bid.
//
// It allocates only on the first event of a symbol.
type SMA struct {
	cfg    SMAConfig
	series map[string]*smaSeries
}

type smaSeries struct {
	ring             []money.Decimal // the last Slow mids; next is the oldest
	next, count      int
	fastSum, slowSum money.Decimal
	// regime is the sign of fast − slow at the last mid where they
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

// OnEvent implements Strategy.
func (s *SMA) OnEvent(ev *market.Event, ctx Context, dst []Action) []Action {
	if !usableQuote(ev) {
		return dst
	}
	ser := s.series[ev.Symbol]
	if ser == nil {
		ser = &smaSeries{ring: make([]money.Decimal, s.cfg.Slow)}
		s.series[ev.Symbol] = ser
	}
	if !ser.push(ev.Bid.Add(ev.Ask).Half(), s.cfg.Fast) {
		return dst
	}
	// fast/Fast vs slow/Slow, cross-multiplied so no division rounds.
	rel := cmpProducts(ser.fastSum, s.cfg.Slow, ser.slowSum, s.cfg.Fast)
	prev := ser.regime
	if rel != 0 {
		ser.regime = rel
	}
	if prev == rel || rel == 0 || ctx.OpenOrders(ev.Symbol) > 0 {
		return dst
	}
	position := ctx.Position(ev.Symbol)
	order := venue.OrderSpec{Symbol: ev.Symbol, Type: venue.Market, TIF: venue.IOC}
	switch {
	case prev < 0 && rel > 0 && position.IsZero():
		qty, err := s.cfg.Notional.QuoTruncate(ev.Ask, smaQuantityPlaces)
		f := ctx.Filters(ev.Symbol)
		if qty = f.Quantity(qty); err == nil && f.Tradable(qty, ev.Ask) {
			order.Side, order.Quantity = venue.Buy, qty
			dst = append(dst, place(order))
		}
	case prev > 0 && rel < 0 && position.IsPositive():
		order.Side, order.Quantity = venue.Sell, position
		dst = append(dst, place(order))
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
	if ahi != bhi {
		return cmp.Compare(ahi, bhi)
	}
	return cmp.Compare(alo, blo)
}
