package paper

import (
	"math/rand/v2"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// Book model parameters.
const (
	// levelGapBps is the distance between two levels of a side, in bps of
	// the mid; never less than a tick.
	levelGapBps = 1
	// A level is worth minLevelUSD to maxLevelUSD at the start price.
	minLevelUSD = 10_000
	maxLevelUSD = 100_000
	// A lot is the power of ten of the base worth at least minLotUSD at
	// the start price: 0.01 BTC, 1000 DOGE. Sizes are whole lots.
	minLotUSD = 100
	// bookSalt separates the stream that draws sizes and trades from the
	// walk's, so that the walk stays the paper Market's.
	bookSalt = 0x9e3779b97f4a7c15
)

// simSymbol is one symbol of a Sim: its walk, its book and the trades it
// still has to print this step.
type simSymbol struct {
	walk
	rng       *rand.PCG // sizes and trades; the walk has its own
	lot       int64     // units of base in a lot
	minLots   int64
	spanLots  uint64 // sizes are minLots + [0, spanLots) lots
	levels    int
	maxTrades int
	trades    int   // trades to print this step
	gap       int64 // ticks between levels at this step's mid
	impact    int64 // ticks the next update moves the mid: sweeps' impact
	book      market.Book
	bids      [MaxSimLevels]market.Level
	asks      [MaxSimLevels]market.Level
}

func (s *simSymbol) init(seed uint64, inst Instrument, levels, maxTrades int) {
	ticks := inst.StartPrice.Units() / inst.TickSize.Units() // listed on the grid
	s.walk = walk{
		inst:   inst,
		rng:    rand.New(rand.NewPCG(seed, fnv1a(inst.Symbol))), // as NewMarket seeds it
		mid:    ticks,
		maxMid: ticks * maxGrowth,
	}
	s.rng = rand.NewPCG(seed^bookSalt, fnv1a(inst.Symbol))
	s.levels, s.maxTrades = levels, maxTrades
	s.lot = 1
	for inst.StartPrice.Mul(money.FromUnits(s.lot)).Cmp(money.FromInt(minLotUSD)) < 0 {
		s.lot *= 10
	}
	lotUSD := inst.StartPrice.Mul(money.FromUnits(s.lot)).Units()
	s.minLots = (money.FromInt(minLevelUSD).Units() + lotUSD - 1) / lotUSD
	s.spanLots = uint64(money.FromInt(maxLevelUSD).Units()/lotUSD - s.minLots + 1)
}

// update redraws the book around the mid, first stepping the mid unless this
// is the opening book. Prices are ticks × tick size computed without the
// overflow check of MulInt: the walk keeps the mid within maxGrowth of the
// start, far inside a Decimal.
func (s *simSymbol) update(step bool) {
	if step {
		s.step()
		s.mid = min(max(s.mid+s.impact, 2), s.maxMid)
		s.impact = 0
	}
	tick := s.inst.TickSize.Units()
	half := max(1, roundBps(s.mid, halfSpreadBps))
	s.gap = max(1, roundBps(s.mid, levelGapBps))
	// Bids stop above zero: a mid of 2 ticks or more leaves room for one.
	nb := min(int64(s.levels), (s.mid-half-1)/s.gap+1)
	for i := range nb {
		s.bids[i] = market.Level{Price: money.FromUnits((s.mid - half - i*s.gap) * tick), Size: s.drawSize()}
	}
	for i := range int64(s.levels) {
		s.asks[i] = market.Level{Price: money.FromUnits((s.mid + half + i*s.gap) * tick), Size: s.drawSize()}
	}
	s.book.Bids, s.book.Asks = s.bids[:nb], s.asks[:s.levels]
	s.trades = int(draw(s.rng.Uint64(), uint64(s.maxTrades+1)))
}

func (s *simSymbol) drawSize() money.Decimal {
	return money.FromUnits((s.minLots + int64(draw(s.rng.Uint64(), s.spanLots))) * s.lot)
}

func (s *simSymbol) bookEvent(ev *market.Event) {
	ev.Kind = market.EventBook
	ev.Bid, ev.Ask = s.book.Bids[0].Price, s.book.Asks[0].Price
	ev.Book = &s.book
}

// trade prints one trade at the touch on ev and takes it out of the book. A
// quarter of trades sweep the whole top level, the rest take a uniform part
// of it. The last level of a side is never swept, so the book always has a
// touch; when the drawn side cannot trade the other side does, and when
// neither can (a one-level book drained to a lot a side) no trade prints and
// trade reports false.
func (s *simSymbol) trade(ev *market.Event) bool {
	r := s.rng.Uint64()
	buy := r&1 == 1
	sweep := r>>1&3 == 0
	if !s.canTrade(buy) {
		buy = !buy
		if !s.canTrade(buy) {
			return false
		}
	}
	ev.Kind = market.EventTrade
	ev.Bid, ev.Ask = s.book.Bids[0].Price, s.book.Asks[0].Price
	ev.Book = &s.book
	side, dir := &s.book.Bids, int64(-1)
	if buy {
		side, dir = &s.book.Asks, 1
	}
	ev.Aggressor = int8(dir)
	top := &(*side)[0]
	lots := top.Size.Units() / s.lot
	ev.Price = top.Price
	if (sweep || lots == 1) && len(*side) > 1 {
		ev.Size = top.Size
		*side = (*side)[1:]
		s.impact += dir * s.gap
		return true
	}
	take := 1 + int64(draw(r, uint64(lots-1))) // lots ≥ 2: canTrade
	ev.Size = money.FromUnits(take * s.lot)
	top.Size = money.FromUnits((lots - take) * s.lot)
	return true
}

// canTrade reports whether the side a buyer (or seller) takes has a level to
// sweep or more than a lot to take from.
func (s *simSymbol) canTrade(buy bool) bool {
	side := s.book.Bids
	if buy {
		side = s.book.Asks
	}
	return len(side) > 1 || side[0].Size.Units() > s.lot
}

// draw maps a random 64-bit r to [0, n) by multiplying its top 32 bits: no
// division, and a bias below n/2^32, which for a few hundred lots is nothing.
func draw(r, n uint64) uint64 {
	return (r >> 32) * n >> 32
}
