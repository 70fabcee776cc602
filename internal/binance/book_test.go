package binance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// lv parses "price:size" pairs into levels.
func lv(t testing.TB, pairs ...string) []market.Level {
	t.Helper()
	out := make([]market.Level, 0, len(pairs))
	for _, p := range pairs {
		price, size, _ := strings.Cut(p, ":")
		out = append(out, market.Level{Price: money.MustParse(price), Size: money.MustParse(size)})
	}
	return out
}

// show renders a side as "price:size" pairs, best first.
func show(levels []market.Level) string {
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = l.Price.String() + ":" + l.Size.String()
	}
	return strings.Join(parts, " ")
}

func upd(first, last int64, bids, asks []market.Level) depthUpdate {
	return depthUpdate{First: first, Last: last, Bids: bids, Asks: asks}
}

// TestBookSequencer walks the documented procedure through its cases: each
// row feeds events and snapshots in order and checks every step's verdict,
// whether the book ends in sync, and the levels a reader then sees.
func TestBookSequencer(t *testing.T) {
	snap := func(id int64) DepthSnapshot {
		return DepthSnapshot{LastUpdateID: id, Bids: lv(t, "99:1", "98:2"), Asks: lv(t, "101:1", "102:2")}
	}
	type op struct {
		u    *depthUpdate
		s    *DepthSnapshot
		want bookStep
	}
	ev := func(u depthUpdate, want bookStep) op { return op{u: &u, want: want} }
	sn := func(s DepthSnapshot, want bookStep) op { return op{s: &s, want: want} }
	none := []market.Level(nil)
	cases := []struct {
		name       string
		ops        []op
		synced     bool
		bids, asks string
	}{
		{
			name: "snapshot before any event is refused",
			ops:  []op{sn(snap(100), stepStale)},
		},
		{
			name: "stale snapshot (lastUpdateId < first U) is refused, a newer one syncs",
			ops: []op{
				ev(upd(101, 103, lv(t, "99:5"), none), stepBuffered),
				sn(snap(100), stepStale),
				ev(upd(104, 105, none, lv(t, "101:0")), stepBuffered),
				sn(snap(103), stepApplied),
			},
			synced: true, bids: "99:1 98:2", asks: "102:2",
		},
		{
			name: "events up to lastUpdateId are dropped, the first kept bridges",
			ops: []op{
				ev(upd(90, 95, lv(t, "50:1"), none), stepBuffered),
				ev(upd(96, 102, lv(t, "98:7"), none), stepBuffered), // U <= 101 <= u
				ev(upd(103, 103, lv(t, "100:1"), none), stepBuffered),
				sn(snap(100), stepApplied),
			},
			synced: true, bids: "100:1 99:1 98:7", asks: "101:1 102:2",
		},
		{
			name: "every buffered event older than the snapshot: in sync on the snapshot alone",
			ops: []op{
				ev(upd(90, 95, lv(t, "50:1"), none), stepBuffered),
				sn(snap(100), stepApplied),
				ev(upd(99, 100, lv(t, "50:1"), none), stepOld),
				ev(upd(101, 101, none, lv(t, "100.5:3")), stepApplied),
			},
			synced: true, bids: "99:1 98:2", asks: "100.5:3 101:1 102:2",
		},
		{
			name: "buffer with a hole after the snapshot: gap, not in sync",
			ops: []op{
				ev(upd(98, 101, lv(t, "99:4"), none), stepBuffered),
				ev(upd(104, 105, lv(t, "99:9"), none), stepBuffered), // 102..103 lost
				sn(snap(100), stepGap),
				// Back to step 1: new events buffer, the old ones are gone.
				ev(upd(106, 107, lv(t, "97:1"), none), stepBuffered),
				sn(snap(105), stepStale), // older than the first event kept
				sn(snap(106), stepApplied),
			},
			synced: true, bids: "99:1 98:2 97:1", asks: "101:1 102:2",
		},
		{
			name: "gap on a synced book (U > local+1) drops it",
			ops: []op{
				ev(upd(100, 101, none, none), stepBuffered),
				sn(snap(100), stepApplied),
				ev(upd(103, 104, lv(t, "99:2"), none), stepGap),
				ev(upd(105, 105, lv(t, "99:2"), none), stepBuffered),
			},
			synced: false, bids: "", asks: "",
		},
		{
			name: "out of order: a late event is ignored, a jump ahead is a gap",
			ops: []op{
				ev(upd(100, 101, none, none), stepBuffered),
				sn(snap(100), stepApplied),
				ev(upd(102, 104, lv(t, "99:3"), none), stepApplied),
				ev(upd(100, 102, lv(t, "99:8"), none), stepOld), // already in the book
				ev(upd(104, 104, lv(t, "99:8"), none), stepOld), // u == local id
				ev(upd(105, 106, none, lv(t, "101:4")), stepApplied),
			},
			synced: true, bids: "99:3 98:2", asks: "101:4 102:2",
		},
		{
			name: "absolute quantities: 0 removes a level, an unknown 0 is harmless",
			ops: []op{
				ev(upd(100, 101, none, none), stepBuffered),
				sn(snap(100), stepApplied),
				ev(upd(102, 102, lv(t, "99:0", "97:0", "98:2.5"), lv(t, "101:0", "103:0.00000001")), stepApplied),
			},
			synced: true, bids: "98:2.5", asks: "102:2 103:0.00000001",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newDepthBook(5)
			for i, o := range c.ops {
				var got bookStep
				if o.u != nil {
					got, _ = b.Update(*o.u)
				} else {
					got = b.Snapshot(*o.s)
				}
				if got != o.want {
					t.Fatalf("op %d: %v, want %v", i, got, o.want)
				}
			}
			if b.Synced() != c.synced {
				t.Fatalf("synced %v, want %v", b.Synced(), c.synced)
			}
			var top market.Book
			b.Top(&top, 5)
			if show(top.Bids) != c.bids || show(top.Asks) != c.asks {
				t.Fatalf("book bids %q asks %q, want %q and %q", show(top.Bids), show(top.Asks), c.bids, c.asks)
			}
		})
	}
}

// TestBookChangedOnlyInTop: a reader shown the top N levels is told of a
// change only when one of those moved.
func TestBookChangedOnlyInTop(t *testing.T) {
	b := newDepthBook(2)
	b.Update(upd(1, 1, nil, nil))
	b.Snapshot(DepthSnapshot{LastUpdateID: 1, Bids: lv(t, "99:1", "98:1", "97:1"), Asks: lv(t, "101:1")})
	id := int64(2)
	for _, c := range []struct {
		bids    []market.Level
		changed bool
	}{
		{lv(t, "97:5"), false},  // third level: not shown
		{lv(t, "96:5"), false},  // inserted below the top
		{lv(t, "98:1"), false},  // same quantity
		{lv(t, "98:2"), true},   // second level
		{lv(t, "100:1"), true},  // new best
		{lv(t, "100:0"), true},  // best removed
		{lv(t, "95:0"), false},  // unknown level removed
		{lv(t, "97:0"), false},  // removed below the top
		{lv(t, "98.5:1"), true}, // inserted into the top
	} {
		step, changed := b.Update(upd(id, id, c.bids, nil))
		if step != stepApplied || changed != c.changed {
			t.Fatalf("bids %s: %v changed=%v, want applied changed=%v", show(c.bids), step, changed, c.changed)
		}
		id++
	}
}

// TestBookBufferBounded: a book that never syncs keeps its newest events,
// and a snapshot is then judged against the oldest one kept.
func TestBookBufferBounded(t *testing.T) {
	b := newDepthBook(5)
	for i := int64(1); i <= maxDepthBuffered+10; i++ {
		b.Update(upd(i, i, nil, nil))
	}
	if len(b.buf) != maxDepthBuffered || b.buf[0].First != 11 {
		t.Fatalf("buffer holds %d events from U=%d, want %d from 11", len(b.buf), b.buf[0].First, maxDepthBuffered)
	}
	if got := b.Snapshot(DepthSnapshot{LastUpdateID: 10}); got != stepStale {
		t.Fatalf("snapshot older than the oldest kept event: %v, want stale", got)
	}
	if got := b.Snapshot(DepthSnapshot{LastUpdateID: 11, Bids: lv(t, "1:1"), Asks: lv(t, "2:1")}); got != stepApplied {
		t.Fatalf("snapshot at the oldest kept event: %v, want applied", got)
	}
}

func BenchmarkBookUpdate(b *testing.B) {
	book := newDepthBook(20)
	var bids, asks []market.Level
	for i := 0; i < 1000; i++ {
		bids = append(bids, market.Level{Price: money.FromInt(int64(50000 - i)), Size: money.FromInt(1)})
		asks = append(asks, market.Level{Price: money.FromInt(int64(50001 + i)), Size: money.FromInt(1)})
	}
	book.Update(upd(1, 1, nil, nil))
	book.Snapshot(DepthSnapshot{LastUpdateID: 1, Bids: bids, Asks: asks})
	u := upd(0, 0, []market.Level{{Price: money.FromInt(49990), Size: money.FromInt(2)}, {Price: money.FromInt(49500), Size: money.FromInt(0)}},
		[]market.Level{{Price: money.FromInt(50010), Size: money.FromInt(3)}, {Price: money.FromInt(50500), Size: money.FromInt(1)}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.First, u.Last = int64(i+2), int64(i+2)
		if step, _ := book.Update(u); step != stepApplied {
			b.Fatal(fmt.Sprint(step))
		}
	}
}
