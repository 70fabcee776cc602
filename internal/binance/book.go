package binance

import (
	"sort"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// This file keeps one symbol's local order book by Binance Spot's
// documented procedure ("How to manage a local order book correctly",
// web-socket-streams.md, in its current wording where a gap is U > local
// id + 1):
//
//  1. open the diff stream and buffer its events;
//  2. fetch a REST snapshot (lastUpdateId);
//  3. a snapshot older than the first buffered event (lastUpdateId < its U)
//     is stale: fetch again;
//  4. drop buffered events with u <= lastUpdateId; the first kept one must
//     bridge (U <= lastUpdateId+1 <= u);
//  5. from the snapshot on, an event with u <= local id is old and ignored,
//     one with U > local id + 1 is a gap (updates were lost, the book is
//     wrong): drop the book and start again at 1; any other sets each of its
//     levels to the absolute quantity it carries (0 removes the level, also
//     one we do not have) and moves the local id to u.
//
// depthBook is pure (no clock, no network, no locks): marketdata.go owns
// the locking and decides when to fetch a snapshot.

// depthUpdate is one event of <symbol>@depth: update ids First (U) to Last
// (u), and levels carrying absolute quantities.
type depthUpdate struct {
	First, Last int64
	Bids, Asks  []market.Level
}

// bookStep is what an update or a snapshot did to the book.
type bookStep uint8

const (
	// stepBuffered: the book is not in sync; the event waits for a snapshot.
	stepBuffered bookStep = iota + 1
	// stepApplied: the book is in sync and took the event (or the snapshot).
	stepApplied
	// stepOld: the event is older than the book (u <= local id): ignored.
	stepOld
	// stepGap: update ids are missing; the book was dropped and is not in
	// sync until a new snapshot bridges the events buffered from now on.
	stepGap
	// stepStale: the snapshot is older than the first buffered event, or
	// there is no buffered event to check it against: fetch another.
	stepStale
)

var stepNames = [...]string{"", "buffered", "applied", "old", "gap", "stale"}

func (s bookStep) String() string { return stepNames[s] }

// Bounds on what one symbol may hold: a stream that never lets the book
// sync, or a venue that streams ever more levels, must not grow memory
// without end. Dropping the oldest buffered event is safe: the snapshot is
// then checked against the oldest one kept (step 3). Dropping the levels
// farthest from the top changes nothing a top-N reader sees.
const (
	maxDepthBuffered = 4096
	maxDepthLevels   = 10000
)

// depthBook is one symbol's local book and its sequencing state.
type depthBook struct {
	// top is how many levels per side the readers see: a change below it
	// is not a change of the book they are shown.
	top    int
	synced bool
	last   int64 // local update id, valid while synced
	bids   bookSide
	asks   bookSide
	buf    []depthUpdate
}

func newDepthBook(top int) *depthBook {
	return &depthBook{top: top, bids: bookSide{desc: true}}
}

// Synced reports whether the book follows the venue's: a snapshot was
// bridged and no update has gone missing since.
func (b *depthBook) Synced() bool { return b.synced }

// NeedsSnapshot reports whether a snapshot would be checked against
// something: the book is not in sync and holds buffered events.
func (b *depthBook) NeedsSnapshot() bool { return !b.synced && len(b.buf) > 0 }

// Reset forgets the book and everything buffered: the stream that fed it
// is gone, so whatever comes next cannot be known to continue it.
func (b *depthBook) Reset() {
	b.synced, b.last = false, 0
	b.bids.lv, b.asks.lv = b.bids.lv[:0], b.asks.lv[:0]
	clear(b.buf) // drop the level slices the events point to
	b.buf = b.buf[:0]
}

// Update takes one diff event. changed reports whether the levels a reader
// sees (the top of each side) changed.
func (b *depthBook) Update(u depthUpdate) (step bookStep, changed bool) {
	if !b.synced {
		if len(b.buf) == maxDepthBuffered {
			copy(b.buf, b.buf[1:])
			b.buf = b.buf[:len(b.buf)-1]
		}
		b.buf = append(b.buf, u)
		return stepBuffered, false
	}
	return b.apply(u)
}

// apply is step 5 for one event on a synced book.
func (b *depthBook) apply(u depthUpdate) (bookStep, bool) {
	if u.Last <= b.last {
		return stepOld, false
	}
	if u.First > b.last+1 {
		b.Reset()
		return stepGap, false
	}
	changed := false
	for _, l := range u.Bids {
		changed = b.bids.set(l, b.top) || changed
	}
	for _, l := range u.Asks {
		changed = b.asks.set(l, b.top) || changed
	}
	b.last = u.Last
	return stepApplied, changed
}

// Snapshot takes a REST snapshot (steps 3 and 4) and replays the buffered
// events after it. stepApplied means the book is now in sync.
func (b *depthBook) Snapshot(s DepthSnapshot) bookStep {
	if b.synced {
		return stepApplied // a late answer to a request already served
	}
	if len(b.buf) == 0 || s.LastUpdateID < b.buf[0].First {
		return stepStale
	}
	b.bids.load(s.Bids)
	b.asks.load(s.Asks)
	b.last, b.synced = s.LastUpdateID, true
	buf := b.buf
	b.buf = b.buf[len(b.buf):] // apply may Reset; buf keeps the events
	for _, u := range buf {
		if step, _ := b.apply(u); step == stepGap {
			clear(buf)
			b.buf = buf[:0]
			return stepGap
		}
	}
	clear(buf)
	b.buf = buf[:0]
	return stepApplied
}

// Top copies the best n levels of each side into dst, reusing its slices.
func (b *depthBook) Top(dst *market.Book, n int) {
	dst.Bids = append(dst.Bids[:0], b.bids.lv[:min(n, len(b.bids.lv))]...)
	dst.Asks = append(dst.Asks[:0], b.asks.lv[:min(n, len(b.asks.lv))]...)
}

// Best returns the best bid and ask; ok is false while a side is empty.
func (b *depthBook) Best() (bid, ask money.Decimal, ok bool) {
	if len(b.bids.lv) == 0 || len(b.asks.lv) == 0 {
		return bid, ask, false
	}
	return b.bids.lv[0].Price, b.asks.lv[0].Price, true
}

// bookSide is one side's levels, best first: bids by falling price, asks
// by rising price. Prices are unique.
type bookSide struct {
	desc bool
	lv   []market.Level
}

// before reports whether price p sorts before q on this side.
func (s *bookSide) before(p, q money.Decimal) bool {
	if s.desc {
		return p.Cmp(q) > 0
	}
	return p.Cmp(q) < 0
}

// set sets the level at l.Price to l.Size (zero removes it) and reports
// whether that touched one of the best top levels.
func (s *bookSide) set(l market.Level, top int) bool {
	i := sort.Search(len(s.lv), func(i int) bool { return !s.before(s.lv[i].Price, l.Price) })
	found := i < len(s.lv) && s.lv[i].Price == l.Price
	switch {
	case found && l.Size.IsZero():
		s.lv = append(s.lv[:i], s.lv[i+1:]...)
	case found:
		if s.lv[i].Size == l.Size {
			return false
		}
		s.lv[i].Size = l.Size
	case l.Size.IsZero():
		return false // removing a level we never had is normal
	default:
		s.lv = append(s.lv, market.Level{})
		copy(s.lv[i+1:], s.lv[i:])
		s.lv[i] = l
		if len(s.lv) > maxDepthLevels {
			s.lv = s.lv[:maxDepthLevels]
		}
	}
	return i < top
}

// load replaces the side with a snapshot's levels, sorted best first,
// without empty levels.
func (s *bookSide) load(levels []market.Level) {
	s.lv = s.lv[:0]
	for _, l := range levels {
		if l.Size.IsPositive() {
			s.lv = append(s.lv, l)
		}
	}
	sort.Slice(s.lv, func(i, j int) bool { return s.before(s.lv[i].Price, s.lv[j].Price) })
	if len(s.lv) > maxDepthLevels {
		s.lv = s.lv[:maxDepthLevels]
	}
}
