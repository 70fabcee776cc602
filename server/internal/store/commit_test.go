package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// taggedBuy is a remote strategy's limit buy, with its own name for it:
// the tag must come back wherever the order does.
func taggedBuy() venue.OrderSpec {
	sp := limitBuy("BTC-USD", "0.5", "59000")
	sp.Tag = "grid.lvl-3:a"
	return sp
}

// firstTick submits a resting limit buy and a market sell that fills in two
// parts, and writes the account, risk and venue after it.
func firstTick() *Batch {
	return &Batch{
		SessionID: "s1",
		Time:      at(time.Second),
		NewOrders: []OrderRow{
			{ClientID: "s1-1", Seq: 1, Spec: taggedBuy(), DecisionPrice: dec("59010"), Created: at(100 * time.Millisecond)},
			{ClientID: "s1-2", Seq: 2, Spec: marketSell("ETH-USD", "3"), DecisionPrice: dec("3000"), Created: at(200 * time.Millisecond)},
		},
		Transitions: []TransitionRow{
			{ClientID: "s1-1", Seq: 1, State: venue.StateAccepted, Filled: dec("0"), Remaining: dec("0.5"), Time: at(300 * time.Millisecond)},
			{ClientID: "s1-2", Seq: 1, State: venue.StateAccepted, Filled: dec("0"), Remaining: dec("3"), Time: at(300 * time.Millisecond)},
			{ClientID: "s1-2", Seq: 2, State: venue.StatePartiallyFilled, Filled: dec("1"), Remaining: dec("2"), Time: at(310 * time.Millisecond)},
			{ClientID: "s1-2", Seq: 3, State: venue.StateFilled, Filled: dec("3"), Remaining: dec("0"), Time: at(320 * time.Millisecond)},
		},
		Fills: []FillRow{
			{ClientID: "s1-2", Seq: 1, Fill: orders.Fill{Quantity: dec("1"), Price: dec("2999.5"), Fee: dec("0.6"), Liquidity: venue.Taker,
				Slippage: dec("0.5"), Time: at(310 * time.Millisecond)}},
			{ClientID: "s1-2", Seq: 2, Fill: orders.Fill{Quantity: dec("2"), Price: dec("2999.25"), Fee: dec("1.2"), Liquidity: venue.Taker,
				Slippage: dec("0.75"), Time: at(320 * time.Millisecond)}},
		},
		Portfolio: threePositions("104000"),
		Risk: &RiskRow{State: risk.Halted, Reason: "max_drawdown: equity fell", Since: at(time.Second),
			StartEquity: dec("100000"), PeakEquity: dec("101000"), Equity: dec("94000")},
		Venue: &matching.State{Seq: 2,
			Orders: []matching.OrderState{{ClientID: "s1-1", Spec: taggedBuy(), Seq: 1,
				Submitted: at(100 * time.Millisecond), Arrival: at(250 * time.Millisecond), DecisionPrice: dec("59010"),
				State: venue.StateAccepted, Active: true}},
			Finished: []matching.FinishedOrder{{ClientID: "s1-2", State: venue.StateFilled}}},
	}
}

func TestCommitTickRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	b := firstTick()
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}

	list, omitted, err := s.ListOrders(ctx, "s1", false, 0)
	if err != nil || omitted != 0 || len(list) != 2 {
		t.Fatalf("ListOrders = %d orders, %d omitted, %v", len(list), omitted, err)
	}
	sell := list[1]
	want := orders.Order{ClientID: "s1-2", SessionID: "s1", Spec: marketSell("ETH-USD", "3"), State: venue.StateFilled,
		Filled: dec("3"), Remaining: dec("0"), AveragePrice: dec("2999.33333333"), Fees: dec("1.8"), DecisionPrice: dec("3000"),
		Created: at(200 * time.Millisecond), Updated: at(320 * time.Millisecond),
		Fills: []orders.Fill{b.Fills[0].Fill, b.Fills[1].Fill}}
	if !reflect.DeepEqual(sell, want) {
		t.Errorf("sell order:\n got %+v\nwant %+v", sell, want)
	}
	if buy := list[0]; buy.ClientID != "s1-1" || buy.State != venue.StateAccepted || buy.Spec != taggedBuy() ||
		len(buy.Fills) != 0 || !buy.AveragePrice.IsZero() {
		t.Errorf("buy order: %+v", buy)
	}
	open, omitted, err := s.ListOrders(ctx, "s1", true, 0)
	if err != nil || omitted != 0 || len(open) != 1 || open[0].ClientID != "s1-1" {
		t.Errorf("open orders = %+v, %d omitted, %v", open, omitted, err)
	}
	newest, omitted, err := s.ListOrders(ctx, "s1", false, 1)
	if err != nil || omitted != 1 || len(newest) != 1 || newest[0].ClientID != "s1-2" || len(newest[0].Fills) != 2 {
		t.Errorf("newest order = %+v, %d omitted, %v", newest, omitted, err)
	}

	hist, err := s.OrderHistory(ctx, "s1", "s1-2")
	if err != nil || len(hist) != 4 {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if h := hist[0]; h.Seq != 0 || h.State != venue.StateNew || h.Remaining != dec("3") || h.Time != at(200*time.Millisecond) {
		t.Errorf("history row 0 = %+v; want NEW at creation", h)
	}
	if !reflect.DeepEqual(hist[1:], b.Transitions[1:]) {
		t.Errorf("history = %+v\nwant %+v", hist[1:], b.Transitions[1:])
	}

	fills, err := s.ListFills(ctx, "s1", 0)
	if err != nil || len(fills) != 2 {
		t.Fatalf("ListFills = %+v, %v", fills, err)
	}
	for i, f := range fills {
		w := b.Fills[i]
		w.Symbol, w.Side = "ETH-USD", venue.Sell
		if !reflect.DeepEqual(f, w) {
			t.Errorf("fill %d = %+v; want %+v", i, f, w)
		}
	}
	if last, _ := s.ListFills(ctx, "s1", 1); len(last) != 1 || last[0].Seq != 2 {
		t.Errorf("ListFills(1) = %+v; want the last fill", last)
	}

	if p, err := s.LoadPortfolio(ctx, "s1"); err != nil || !reflect.DeepEqual(p, *b.Portfolio) {
		t.Errorf("LoadPortfolio = %+v, %v\nwant %+v", p, err, *b.Portfolio)
	}
	if r, err := s.LoadRisk(ctx, "s1"); err != nil || !reflect.DeepEqual(r, *b.Risk) {
		t.Errorf("LoadRisk = %+v, %v; want %+v", r, err, *b.Risk)
	}
	if v, err := s.LoadVenue(ctx, "s1", 0); err != nil || !reflect.DeepEqual(v, *b.Venue) {
		t.Errorf("LoadVenue = %+v, %v\nwant %+v", v, err, *b.Venue)
	}
	if n, err := s.MaxOrderSeq(ctx, "s1"); err != nil || n != 2 {
		t.Errorf("MaxOrderSeq = %d, %v; want 2", n, err)
	}
	if got, err := s.GetSession(ctx, "s1"); err != nil || got.LastTick != b.Time {
		t.Errorf("session LastTick = %v, %v; want %v", got.LastTick, err, b.Time)
	}

	// A second tick: the buy fills; nil portfolio and risk stay as they
	// were; the venue has nothing open and one more finished order, with
	// the ring still holding the first.
	second := &Batch{SessionID: "s1", Time: at(2 * time.Second),
		Transitions: []TransitionRow{{ClientID: "s1-1", Seq: 2, State: venue.StateFilled, Filled: dec("0.5"), Remaining: dec("0"), Time: at(2 * time.Second)}},
		Fills: []FillRow{{ClientID: "s1-1", Seq: 1, Fill: orders.Fill{Quantity: dec("0.5"), Price: dec("59000"), Fee: dec("0"),
			Liquidity: venue.Maker, Slippage: dec("-10"), Time: at(2 * time.Second)}}},
		Venue: &matching.State{Seq: 2, Orders: []matching.OrderState{},
			Finished: []matching.FinishedOrder{{ClientID: "s1-2", State: venue.StateFilled}, {ClientID: "s1-1", State: venue.StateFilled}}},
	}
	if err := s.CommitTick(ctx, second); err != nil {
		t.Fatal(err)
	}
	if open, _, _ := s.ListOrders(ctx, "s1", true, 0); len(open) != 0 {
		t.Errorf("open orders after the fill: %+v", open)
	}
	if v, err := s.LoadVenue(ctx, "s1", 0); err != nil || len(v.Orders) != 0 || !reflect.DeepEqual(v.Finished, second.Venue.Finished) {
		t.Errorf("venue after the second tick = %+v, %v", v, err)
	}
	if v, _ := s.LoadVenue(ctx, "s1", 1); len(v.Finished) != 1 || v.Finished[0].ClientID != "s1-1" {
		t.Errorf("LoadVenue(max 1) finished = %+v; want the newest", v.Finished)
	}
	if p, _ := s.LoadPortfolio(ctx, "s1"); !reflect.DeepEqual(p, *b.Portfolio) {
		t.Errorf("a nil portfolio changed the stored one: %+v", p)
	}
	if _, err := s.LoadRisk(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadRisk of an unknown session = %v; want ErrNotFound", err)
	}
}

// A batch that fails anywhere, here on its last fill, leaves nothing.
func TestCommitTickAtomic(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	if err := s.CommitTick(ctx, firstTick()); err != nil {
		t.Fatal(err)
	}
	before := counts(t, s)
	bad := firstTick()
	bad.Time = at(time.Hour)
	for i := range bad.NewOrders {
		bad.NewOrders[i].ClientID += "-again"
		bad.NewOrders[i].Seq += 10
	}
	for i := range bad.Transitions {
		bad.Transitions[i].ClientID += "-again"
	}
	for i := range bad.Fills {
		bad.Fills[i].ClientID += "-again"
	}
	bad.Portfolio.Cash = dec("1")
	bad.Venue.Finished = append(bad.Venue.Finished, matching.FinishedOrder{ClientID: "s1-2-again", State: venue.StateFilled})
	dup := firstTick().Fills[1] // stored by the first tick
	bad.Fills = append(bad.Fills, dup)

	err := s.CommitTick(ctx, bad)
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("CommitTick with a stored fill = %v; want ErrDuplicate", err)
	}
	t.Log(err)
	if after := counts(t, s); !reflect.DeepEqual(after, before) {
		t.Fatalf("the failed batch left rows: %v, before %v", after, before)
	}
	if p, _ := s.LoadPortfolio(ctx, "s1"); p.Cash != dec("104000") {
		t.Errorf("the failed batch changed cash to %s", p.Cash)
	}
	if got, _ := s.GetSession(ctx, "s1"); got.LastTick != at(time.Second) {
		t.Errorf("the failed batch moved LastTick to %v", got.LastTick)
	}
}

func TestCommitTickRefusesContradictions(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	if err := s.CommitTick(ctx, firstTick()); err != nil {
		t.Fatal(err)
	}
	fill := orders.Fill{Quantity: dec("0.1"), Price: dec("59000"), Liquidity: venue.Maker, Time: at(time.Minute)}
	for _, tc := range []struct {
		name string
		b    Batch
		want error
	}{
		{"retried batch", *firstTick(), ErrDuplicate},
		{"unknown session", Batch{SessionID: "nope"}, ErrInvalid},
		{"transition gap", Batch{SessionID: "s1", Transitions: []TransitionRow{{ClientID: "s1-1", Seq: 3,
			State: venue.StatePartiallyFilled, Filled: dec("0.1"), Remaining: dec("0.4"), Time: at(time.Minute)}}}, ErrInvalid},
		{"transition of an unknown order", Batch{SessionID: "s1", Transitions: []TransitionRow{{ClientID: "x", Seq: 1,
			State: venue.StateAccepted, Time: at(time.Minute)}}}, ErrInvalid},
		{"quantities that do not add up", Batch{SessionID: "s1", Transitions: []TransitionRow{{ClientID: "s1-1", Seq: 2,
			State: venue.StatePartiallyFilled, Filled: dec("0.1"), Remaining: dec("0.5"), Time: at(time.Minute)}}}, ErrInvalid},
		{"fill of an unknown order", Batch{SessionID: "s1", Fills: []FillRow{{ClientID: "x", Seq: 1, Fill: fill}}}, ErrInvalid},
		{"fill without a time", Batch{SessionID: "s1", Fills: []FillRow{{ClientID: "s1-1", Seq: 1,
			Fill: orders.Fill{Quantity: dec("0.1"), Price: dec("1"), Liquidity: venue.Maker}}}}, ErrInvalid},
		{"reused order seq", Batch{SessionID: "s1", NewOrders: []OrderRow{{ClientID: "s1-9", Seq: 1,
			Spec: limitBuy("BTC-USD", "1", "1"), Created: t0}}}, ErrDuplicate},
	} {
		before := counts(t, s)
		err := s.CommitTick(ctx, &tc.b)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: CommitTick = %v; want %v", tc.name, err, tc.want)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
		if after := counts(t, s); !reflect.DeepEqual(after, before) {
			t.Errorf("%s: left rows: %v, before %v", tc.name, after, before)
		}
	}
}

func TestListOrdersOmitted(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	createSession(t, s, "s2", StateRunning)
	b := &Batch{SessionID: "s1"}
	for i := 1; i <= 10; i++ {
		b.NewOrders = append(b.NewOrders, OrderRow{ClientID: fmt.Sprintf("s1-%d", i), Seq: uint64(i),
			Spec: limitBuy("BTC-USD", "1", "100"), Created: at(time.Duration(i))})
	}
	for i := 1; i <= 4; i++ { // the first four are cancelled
		b.Transitions = append(b.Transitions, TransitionRow{ClientID: fmt.Sprintf("s1-%d", i), Seq: 1,
			State: venue.StateCancelled, Reason: "cancelled", Remaining: dec("1"), Time: at(time.Second)})
	}
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		open       bool
		limit      int
		first      string
		n, omitted int
	}{{false, 3, "s1-8", 3, 7}, {true, 3, "s1-8", 3, 3}, {true, 0, "s1-5", 6, 0}, {false, 20, "s1-1", 10, 0}} {
		list, omitted, err := s.ListOrders(ctx, "s1", tc.open, tc.limit)
		if err != nil || len(list) != tc.n || omitted != tc.omitted || list[0].ClientID != tc.first {
			t.Errorf("ListOrders(open %v, limit %d) = %d from %q, %d omitted, %v; want %d from %q, %d omitted",
				tc.open, tc.limit, len(list), list[0].ClientID, omitted, err, tc.n, tc.first, tc.omitted)
		}
	}
	if list, omitted, err := s.ListOrders(ctx, "s2", false, 0); err != nil || len(list) != 0 || omitted != 0 {
		t.Errorf("another session's orders: %d, %d, %v", len(list), omitted, err)
	}
}

// The store persists every field of the state types it takes from other
// packages; a new field there must be added here and in the schema.
func TestStateTypesFullyPersisted(t *testing.T) {
	for typ, fields := range map[reflect.Type]int{
		reflect.TypeFor[PortfolioRow]():            7,
		reflect.TypeFor[portfolio.Reservation]():   5,
		reflect.TypeFor[portfolio.PositionState](): 7,
		reflect.TypeFor[matching.State]():          3,
		reflect.TypeFor[matching.OrderState]():     10,
		reflect.TypeFor[matching.FinishedOrder]():  2,
		reflect.TypeFor[venue.OrderSpec]():         8,
		reflect.TypeFor[orders.Fill]():             9,
	} {
		if typ.NumField() != fields {
			t.Errorf("%s has %d fields, the store persists %d: persist the new ones (schema migration, CommitTick, Load)",
				typ, typ.NumField(), fields)
		}
	}
}
