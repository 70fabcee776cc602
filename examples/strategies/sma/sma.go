package main

import (
	"cmp"
	"fmt"
	"math/bits"
	"strconv"

	"github.com/tradectl/tradectl/client/strategy"
)

// maxWindow bounds the slow window, as the built-in sma does.
const maxWindow = 500

// quantityPlaces: entries round down to 0.0001 of the base asset, then to
// the symbol's lot.
const quantityPlaces = 4

// config is the crossover's parameters, with the built-in sma's meaning
// and ranges: 1 ≤ fast < slow ≤ 500 book events, notional > 0 per entry.
type config struct {
	fast, slow int
	notional   strategy.Decimal
}

func (c config) validate() error {
	switch {
	case c.fast < 1:
		return fmt.Errorf("--fast: window must be at least 1, got %d", c.fast)
	case c.slow <= c.fast:
		return fmt.Errorf("--slow: window must be longer than the fast window (%d), got %d", c.fast, c.slow)
	case c.slow > maxWindow:
		return fmt.Errorf("--slow: window must be at most %d, got %d", maxWindow, c.slow)
	case !c.notional.IsPositive():
		return fmt.Errorf("--notional: must be positive, got %s", c.notional)
	}
	return nil
}

func (c config) params() map[string]string {
	return map[string]string{"fast": strconv.Itoa(c.fast), "slow": strconv.Itoa(c.slow), "notional": c.notional.String()}
}

// sma is the built-in sma (internal/strategy/sma.go) on the SDK, decision
// for decision: a long-only crossover of the mid of book events. For each
// symbol it keeps the last slow mids in a ring with exact running sums of
// both windows. Once slow mids have been seen, the fast average crossing
// above the slow one buys notional / ask (rounded down to 0.0001, then to
// the lot, and only if the order clears the minimum notional) at market
// when flat; crossing below sells the whole position when long. While the
// symbol has a live order (in flight or resting) it signals nothing: its
// position is not yet what it decided on. Book events with a non-positive
// bid or an ask below the bid are ignored.
type sma struct {
	strategy.Base
	cfg    config
	series map[string]*series
}

type series struct {
	ring             []strategy.Decimal // the last slow mids; next is the oldest
	next, count      int
	fastSum, slowSum strategy.Decimal
	// regime is the sign of fast − slow at the last mid where they
	// differed, 0 until then: a cross is a change of regime, so averages
	// that touch without crossing signal nothing.
	regime int
}

func newSMA(cfg config) (*sma, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &sma{cfg: cfg, series: map[string]*series{}}, nil
}

// OnBook implements strategy.Strategy.
func (s *sma) OnBook(a strategy.Account, b *strategy.Book, d *strategy.Decisions) {
	if !b.Bid.IsPositive() || b.Ask.Cmp(b.Bid) < 0 {
		return
	}
	ser := s.series[b.Symbol]
	if ser == nil {
		ser = &series{ring: make([]strategy.Decimal, s.cfg.slow)}
		s.series[b.Symbol] = ser
	}
	if !ser.push(b.Bid.Add(b.Ask).Half(), s.cfg.fast) {
		return
	}
	// fast/Fast vs slow/Slow, cross-multiplied so no division rounds.
	rel := cmpProducts(ser.fastSum, s.cfg.slow, ser.slowSum, s.cfg.fast)
	prev := ser.regime
	if rel != 0 {
		ser.regime = rel
	}
	if prev == rel || rel == 0 || a.OpenOrders(b.Symbol) > 0 {
		return
	}
	position := a.Position(b.Symbol)
	order := strategy.PlaceOrder{Tag: "sma-" + strconv.FormatUint(d.Sequence(), 10), Symbol: b.Symbol,
		Type: strategy.Market, TimeInForce: strategy.IOC}
	switch {
	case prev < 0 && rel > 0 && position.IsZero():
		qty, err := s.cfg.notional.QuoTruncate(b.Ask, quantityPlaces)
		f := a.Filters(b.Symbol)
		if qty = f.Quantity(qty); err == nil && f.Tradable(qty, b.Ask) {
			order.Side, order.Quantity = strategy.Buy, qty
			_, _ = d.Place(order) // valid by construction: a fresh tag, a positive quantity
		}
	case prev > 0 && rel < 0 && position.IsPositive():
		order.Side, order.Quantity = strategy.Sell, position
		_, _ = d.Place(order)
	}
}

// push adds a mid to both windows and reports whether the slow window is
// full.
func (s *series) push(mid strategy.Decimal, fast int) bool {
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
// non-negative sums and window lengths.
func cmpProducts(a strategy.Decimal, m int, b strategy.Decimal, n int) int {
	ahi, alo := bits.Mul64(uint64(a.Units()), uint64(m))
	bhi, blo := bits.Mul64(uint64(b.Units()), uint64(n))
	if ahi != bhi {
		return cmp.Compare(ahi, bhi)
	}
	return cmp.Compare(alo, blo)
}
