package orders

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/venue"
)

func TestSubmittedIsNew(t *testing.T) {
	b := NewBook("s1", 4)
	e, err := b.Submitted("a", buy("2"), dec("99.5"), t0)
	if err != nil {
		t.Fatal(err)
	}
	o := e.Order
	if o.State != venue.StateNew || o.SessionID != "s1" || o.Remaining != dec("2") || !o.Filled.IsZero() ||
		o.DecisionPrice != dec("99.5") || !o.Created.Equal(t0) || !o.Updated.Equal(t0) || e.HasFill() {
		t.Fatalf("event = %+v", e)
	}
	if _, err := b.Submitted("a", buy("1"), dec("1"), t0); !errors.Is(err, ErrDuplicateOrder) {
		t.Fatalf("duplicate: error = %v", err)
	}
	if c := b.Counts(); c.Submitted != 1 || b.OpenCount() != 1 {
		t.Fatalf("counts %+v, open %d", c, b.OpenCount())
	}
}

func TestFillsAndAveragePrice(t *testing.T) {
	b := NewBook("s1", 4)
	mustSubmit(t, b, "a", buy("1"))
	step(t, b, "a", venue.StateAccepted, "", "")
	e1 := step(t, b, "a", venue.StatePartiallyFilled, "0.3", "100")
	step(t, b, "a", venue.StatePartiallyFilled, "0.3", "101")
	e3 := step(t, b, "a", venue.StateFilled, "0.4", "102.5")

	o := mustGet(t, b, "a")
	// 30 + 30.3 + 41 = 101.3 for 1 unit.
	if o.AveragePrice != dec("101.3") || o.Filled != dec("1") || !o.Remaining.IsZero() || o.State != venue.StateFilled {
		t.Fatalf("order = %+v", o)
	}
	// 5 bps of each notional: 0.015 + 0.01515 + 0.0205.
	if o.Fees != dec("0.05065") {
		t.Fatalf("fees = %s", o.Fees)
	}
	if len(o.Fills) != 3 || o.Fills[1].Price != dec("101") || o.Fills[1].Slippage != dec("1") ||
		o.Fills[2].Slippage != dec("2.5") || o.Fills[0].Liquidity != venue.Taker {
		t.Fatalf("fills = %+v", o.Fills)
	}
	if !o.Updated.Equal(t0.Add(4 * time.Second)) {
		t.Fatalf("updated = %s", o.Updated)
	}
	if !e1.HasFill() || e1.Fill.Quantity != dec("0.3") || e1.Order.Fills != nil || e1.Order.Filled != dec("0.3") ||
		e1.Order.AveragePrice != dec("100") {
		t.Fatalf("first fill's event = %+v", e1)
	}
	if e3.Order.State != venue.StateFilled || e3.Fill.Price != dec("102.5") {
		t.Fatalf("last fill's event = %+v", e3)
	}
	if c := b.Counts(); c.Fills != 3 || c.Filled != 1 || b.OpenCount() != 0 {
		t.Fatalf("counts %+v, open %d", c, b.OpenCount())
	}
}

// The average divides the exact notional once; summing rounded products
// would get these wrong.
func TestAveragePriceIsExact(t *testing.T) {
	tests := []struct {
		name  string
		qty   string
		fills [][2]string // quantity, price
		want  string
	}{
		{"one unit at a half-unit price", "0.00000001", [][2]string{{"0.00000001", "1.5"}}, "1.5"},
		{"half way rounds away from zero", "0.00000002",
			[][2]string{{"0.00000001", "1.5"}, {"0.00000001", "1.50000001"}}, "1.50000001"},
		{"a third rounds down", "3", [][2]string{{"1", "1"}, {"1", "1"}, {"1", "2"}}, "1.33333333"},
		{"two thirds round up", "3", [][2]string{{"1", "2"}, {"1", "2"}, {"1", "1"}}, "1.66666667"},
		{"sub-unit products add up", "0.00000003",
			[][2]string{{"0.00000001", "0.00000001"}, {"0.00000001", "0.00000001"}, {"0.00000001", "0.00000002"}}, "0.00000001"},
		{"large", "90000", [][2]string{{"45000", "92233720368"}, {"45000", "92233720367"}}, "92233720367.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBook("s1", 1)
			mustSubmit(t, b, "a", buy(tt.qty))
			step(t, b, "a", venue.StateAccepted, "", "")
			for i, f := range tt.fills {
				state := venue.StatePartiallyFilled
				if i == len(tt.fills)-1 {
					state = venue.StateFilled
				}
				step(t, b, "a", state, f[0], f[1])
			}
			if got := mustGet(t, b, "a").AveragePrice; got != dec(tt.want) {
				t.Fatalf("average = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSlippage(t *testing.T) {
	b := NewBook("s1", 4)
	sell := buy("2")
	sell.Side = venue.Sell
	mustSubmit(t, b, "s", sell) // decision price 100
	step(t, b, "s", venue.StateAccepted, "", "")
	step(t, b, "s", venue.StatePartiallyFilled, "1", "99.9") // sold lower: worse
	// A venue that does not echo the decision price: the order's is used.
	r := rep(mustGet(t, b, "s"), venue.StateFilled, "1", "100.2")
	r.DecisionPrice = dec("0")
	if _, err := b.Apply(r); err != nil {
		t.Fatal(err)
	}
	f := mustGet(t, b, "s").Fills
	if f[0].Slippage != dec("0.1") || f[1].Slippage != dec("-0.2") {
		t.Fatalf("slippage = %s, %s; want 0.1, -0.2", f[0].Slippage, f[1].Slippage)
	}
}

func ids(orders []Order) []string {
	var s []string
	for _, o := range orders {
		s = append(s, o.ClientID)
	}
	return s
}

func checkList(t *testing.T, b *Book, openOnly bool, limit int, want []string, wantOmitted uint64) {
	t.Helper()
	got, omitted := b.List(openOnly, limit)
	if !slices.Equal(ids(got), want) || omitted != wantOmitted {
		t.Errorf("List(%t, %d) = %v, %d omitted; want %v, %d", openOnly, limit, ids(got), omitted, want, wantOmitted)
	}
}

func TestHistoryDropsOldestFinishedFirst(t *testing.T) {
	b := NewBook("s1", 2)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		mustSubmit(t, b, id, buy("1"))
	}
	step(t, b, "c", venue.StateRejected, "", "")
	step(t, b, "a", venue.StateAccepted, "", "")
	step(t, b, "a", venue.StateCancelled, "", "")
	step(t, b, "d", venue.StateAccepted, "", "")
	step(t, b, "d", venue.StateFilled, "1", "100") // third finished: c, the first to finish, goes

	if _, ok := b.Get("c"); ok {
		t.Fatal("c, the oldest finished order, is still held")
	}
	checkList(t, b, false, 0, []string{"a", "b", "d", "e"}, 1)
	checkList(t, b, false, 2, []string{"d", "e"}, 3)
	checkList(t, b, true, 0, []string{"b", "e"}, 0)
	checkList(t, b, true, 1, []string{"e"}, 1)
	if c := b.Counts(); c.Dropped != 1 || c.Submitted != 5 || c.Rejected != 1 || c.Cancelled != 1 || c.Filled != 1 {
		t.Fatalf("counts = %+v", c)
	}
	if _, err := b.Apply(rep(Order{ClientID: "c", Spec: buy("1")}, venue.StateAccepted, "", "")); !errors.Is(err, ErrUnknownOrder) {
		t.Fatalf("report for a dropped order: error = %v", err)
	}

	step(t, b, "b", venue.StateRejected, "", "") // a goes
	checkList(t, b, false, 0, []string{"b", "d", "e"}, 2)
	step(t, b, "e", venue.StateRejected, "", "") // d goes
	checkList(t, b, false, 0, []string{"b", "e"}, 3)
	checkList(t, b, true, 0, nil, 0)
	if b.OpenCount() != 0 || b.Counts().Dropped != 3 {
		t.Fatalf("open %d, counts %+v", b.OpenCount(), b.Counts())
	}
}

// With no room for finished orders, open ones are all kept and a finished
// one goes the moment it finishes.
func TestHistoryNeverDropsOpenOrders(t *testing.T) {
	b := NewBook("s1", 0)
	for i := range 100 {
		mustSubmit(t, b, string(rune('A'+i)), buy("1"))
	}
	step(t, b, "B", venue.StateRejected, "", "")
	if _, ok := b.Get("B"); ok {
		t.Fatal("finished order kept with maxFinal 0")
	}
	if got, omitted := b.List(false, 0); len(got) != 99 || omitted != 1 || b.OpenCount() != 99 {
		t.Fatalf("List = %d orders, %d omitted; open %d", len(got), omitted, b.OpenCount())
	}
	// The id of a dropped order is forgotten, so it can be submitted again.
	mustSubmit(t, b, "B", buy("1"))
}

func TestNewBookRefusesNegativeHistory(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewBook(-1) did not panic")
		}
	}()
	NewBook("s1", -1)
}

// What readers get is theirs: changing it changes nothing in the book or
// in another reader's copy.
func TestReadersGetCopies(t *testing.T) {
	b := NewBook("s1", 4)
	for _, id := range []string{"a", "b"} {
		mustSubmit(t, b, id, buy("3"))
		step(t, b, id, venue.StateAccepted, "", "")
		step(t, b, id, venue.StatePartiallyFilled, "1", "100")
		step(t, b, id, venue.StatePartiallyFilled, "1", "101")
	}
	want, _ := b.List(false, 0)

	got, _ := b.List(false, 0)
	got[0].Fills[0].Price = dec("1")
	got[0].Fills = append(got[0].Fills, Fill{Price: dec("2")}) // must not land in got[1]'s fills
	got[1].State = venue.StateFilled
	if got[1].Fills[0].Price != dec("100") {
		t.Fatalf("appending to one order's fills overwrote the next: %+v", got[1].Fills)
	}
	one := mustGet(t, b, "b")
	one.Fills[1].Quantity = dec("9")

	again, _ := b.List(false, 0)
	for i := range want {
		if !reflect.DeepEqual(again[i], want[i]) {
			t.Fatalf("book changed by a reader:\n%+v\n%+v", want[i], again[i])
		}
	}
	// And the book's later appends do not show through an earlier copy.
	held := mustGet(t, b, "a")
	step(t, b, "a", venue.StateFilled, "1", "102")
	if len(held.Fills) != 2 || held.State != venue.StatePartiallyFilled {
		t.Fatalf("earlier copy changed: %+v", held)
	}
}

// Two fills of one order can be equal in time, quantity and price (a
// resting order filled at its limit across book levels of equal size):
// each event numbers its fill as the order's fills list it, so that a
// client merging a snapshot with the stream tells them apart.
func TestFillEventsAreNumberedPerOrder(t *testing.T) {
	b := NewBook("s1", 4)
	mustSubmit(t, b, "a", buy("1"))
	if e := step(t, b, "a", venue.StateAccepted, "", ""); e.FillSeq != 0 {
		t.Fatalf("an event without a fill numbered %d", e.FillSeq)
	}
	sameTick := func() Event {
		t.Helper()
		r := rep(mustGet(t, b, "a"), venue.StatePartiallyFilled, "0.3", "100")
		r.Time = t0.Add(time.Hour)
		e, err := b.Apply(r)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e1, e2 := sameTick(), sameTick()
	if e1.Fill != e2.Fill {
		t.Fatalf("the test wants two equal fills: %+v, %+v", e1.Fill, e2.Fill)
	}
	if e1.FillSeq != 1 || e2.FillSeq != 2 {
		t.Fatalf("equal fills numbered %d and %d, want 1 and 2", e1.FillSeq, e2.FillSeq)
	}
	if o := mustGet(t, b, "a"); len(o.Fills) != 2 || o.Fills[e2.FillSeq-1] != e2.Fill {
		t.Fatalf("order's fills %+v; event 2's fill is not its number %d", o.Fills, e2.FillSeq)
	}
	mustSubmit(t, b, "b", buy("1"))
	step(t, b, "b", venue.StateAccepted, "", "")
	if e := step(t, b, "b", venue.StateFilled, "1", "100"); e.FillSeq != 1 {
		t.Fatalf("another order's first fill numbered %d", e.FillSeq)
	}
}
