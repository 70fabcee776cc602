package paper

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/tradectl/tradectl/internal/market"
)

// Walk parameters, in basis points of the mid price.
const (
	// maxStepBps bounds one step of the random walk: each step moves the
	// mid by a whole number of bps drawn uniformly from ±maxStepBps.
	maxStepBps = 5
	// halfSpreadBps is half the bid/ask spread; never less than a tick.
	halfSpreadBps = 1
	// maxGrowth is the reflecting ceiling, as a multiple of the start
	// price. It keeps notional arithmetic far inside money.Decimal's range
	// however long a session runs.
	maxGrowth = 1000
)

// Market is the simplest paper market: quotes only, one random-walk step
// per call (the Sim builds its books and trades on the same walk). Every symbol
// follows its own random walk of mid prices, counted in ticks so that they
// stay on the tick grid, and seeded from the session's seed and the symbol's
// name: a symbol's path depends on nothing else, so a seed reproduces it in
// any session that trades it.
//
// A Market is not safe for concurrent use: the trading loop owns it.
type Market struct {
	walks []walk
}

type walk struct {
	inst    Instrument
	rng     *rand.Rand
	mid     int64 // in ticks
	maxMid  int64
	started bool
}

// NewMarket returns a market quoting symbols, which ValidateSymbols must
// accept, in the order given.
func NewMarket(seed uint64, symbols []string) (*Market, error) {
	if err := ValidateSymbols(symbols); err != nil {
		return nil, err
	}
	m := &Market{walks: make([]walk, len(symbols))}
	for i, s := range symbols {
		inst, _ := Lookup(s)
		ticks := inst.StartPrice.Units() / inst.TickSize.Units() // listed on the grid
		m.walks[i] = walk{
			inst:   inst,
			rng:    rand.New(rand.NewPCG(seed, fnv1a(s))),
			mid:    ticks,
			maxMid: ticks * maxGrowth,
		}
	}
	return m, nil
}

// Quotes appends one quote per symbol, each one step of its walk on from the
// last call (the first call quotes the start prices), timestamped now. It
// returns ctx.Err() without stepping if ctx is done, and allocates nothing
// when dst has room.
func (m *Market) Quotes(ctx context.Context, now time.Time, dst []market.Quote) ([]market.Quote, error) {
	if err := ctx.Err(); err != nil {
		return dst, err
	}
	for i := range m.walks {
		w := &m.walks[i]
		if w.started {
			w.step()
		}
		w.started = true
		half := max(1, roundBps(w.mid, halfSpreadBps))
		dst = append(dst, market.Quote{
			Symbol: w.inst.Symbol,
			Bid:    w.inst.TickSize.MulInt(w.mid - half),
			Ask:    w.inst.TickSize.MulInt(w.mid + half),
			Time:   now,
		})
	}
	return dst, nil
}

// step moves the mid by a random few bps, at least a tick whenever the draw
// is not zero (so that cheap instruments do not freeze on the tick grid),
// and keeps it where the bid stays a positive price.
func (w *walk) step() {
	bps := int64(w.rng.IntN(2*maxStepBps+1)) - maxStepBps
	delta := roundBps(w.mid, bps)
	if delta == 0 && bps != 0 {
		delta = bps / abs(bps)
	}
	// With a mid of 2 ticks or more the bid, a spread of at least one tick
	// below, is at least one tick.
	w.mid = min(max(w.mid+delta, 2), w.maxMid)
}

// roundBps returns ticks × bps / 10000 rounded half away from zero.
func roundBps(ticks, bps int64) int64 {
	n := ticks * bps // ticks ≤ maxMid and |bps| ≤ 5: far from overflow
	if n < 0 {
		return -((-n + 5_000) / 10_000)
	}
	return (n + 5_000) / 10_000
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// fnv1a is the 64-bit FNV-1a hash of s: the per-symbol half of a walk's
// seed, stable across releases and symbol orders.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
