package remote

import (
	"io"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func reasonOf(err error) (codes.Code, string) {
	st := status.Convert(err)
	r, _ := tradingv1.ReasonOf(st)
	return st.Code(), r.Wire()
}

func TestAttachRefusals(t *testing.T) {
	r := newRig(t, Config{}, nil)
	cases := []struct {
		name   string
		hello  *tradingv1.StrategyHello
		code   codes.Code
		reason string
	}{
		{"unknown name", &tradingv1.StrategyHello{Name: "beta"}, codes.NotFound, "STRATEGY_NOT_EXPECTED"},
		{"no name", &tradingv1.StrategyHello{}, codes.NotFound, "STRATEGY_NOT_EXPECTED"},
		{"odd name", &tradingv1.StrategyHello{Name: strings.Repeat("no spaces ", 100)}, codes.NotFound, "STRATEGY_NOT_EXPECTED"},
		{"foreign symbol", &tradingv1.StrategyHello{Name: "alpha", Symbols: []string{"DOGE-USD"}}, codes.InvalidArgument,
			"DECISION_INVALID"},
		{"timer too short", &tradingv1.StrategyHello{Name: "alpha", TimerInterval: durationpb.New(1000)},
			codes.InvalidArgument, "DECISION_INVALID"},
		// 1,000 years is a valid Duration, but not a time.Duration: it was
		// taken as 292 years.
		{"timer too long", &tradingv1.StrategyHello{Name: "alpha", TimerInterval: &durationpb.Duration{Seconds: 1000 * 365 * 86400}},
			codes.InvalidArgument, "DECISION_INVALID"},
	}
	for _, tc := range cases {
		err := r.dial(tc.hello).end()
		if code, reason := reasonOf(err); code != tc.code || reason != tc.reason {
			t.Errorf("%s: got %v %s (%v), want %v %s", tc.name, code, reason, err, tc.code, tc.reason)
		}
	}
	// An answer before the hello.
	c := r.dial(nil)
	c.answer(1)
	if code, reason := reasonOf(c.end()); code != codes.InvalidArgument || reason != "DECISION_INVALID" {
		t.Errorf("answer first: got %v %s", code, reason)
	}
	first := r.attach(hello())
	err := r.dial(hello()).end()
	if code, reason := reasonOf(err); code != codes.FailedPrecondition || reason != "STRATEGY_ATTACHED" {
		t.Errorf("second attach: got %v %s (%v)", code, reason, err)
	}
	// The first one still drives the session.
	r.event("BTC-USD", "100", "101")
	if first.next().GetSnapshot() == nil {
		t.Fatal("the attached strategy lost its stream to the refused one")
	}
}

func TestSnapshotFirstThenSequencedEvents(t *testing.T) {
	r := newRig(t, Config{SessionID: "s1"}, nil)
	c := r.attach(&tradingv1.StrategyHello{Name: "alpha", Symbols: []string{"BTC-USD"},
		Kinds: []tradingv1.StrategyEventKind{tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_BOOK}})
	r.event("BTC-USD", "100", "101")
	r.event("ETH-USD", "10", "11") // not subscribed: costs the strategy nothing
	r.event("BTC-USD", "100.5", "101")
	snap := c.next()
	if snap.GetSnapshot() == nil || snap.Sequence != 1 || snap.NeedsAnswer {
		t.Fatalf("first event %v, want the snapshot as sequence 1 needing no answer", snap)
	}
	sn := snap.GetSnapshot()
	if sn.Cash != "100000" || sn.SessionId != "s1" || sn.LastSequence != 0 || len(sn.Symbols) != 2 {
		t.Fatalf("snapshot %v", sn)
	}
	for i, want := range []string{"100", "100.5"} {
		ev := c.next()
		if ev.Sequence != uint64(i+2) || !ev.NeedsAnswer || ev.GetBook().GetBid() != want || ev.GetBook().Symbol != "BTC-USD" {
			t.Fatalf("event %d: %v", i, ev)
		}
	}
	c.none()
}

func TestPlaceCancelReplaceByTag(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	c.next() // snapshot
	ev := c.next()
	c.answer(ev.Sequence,
		limit("take", "BTC-USD", buy, "0.5", "101"), // crosses: fills at once
		limit("rest", "BTC-USD", buy, "0.25", "90")) // rests
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")

	acc := c.order()
	if acc.Order.Tag != "take" || acc.Order.State != tradingv1.OrderState_ORDER_STATE_ACCEPTED || acc.Order.ClientOrderId == "" {
		t.Fatalf("first update %v", acc)
	}
	fill := c.order()
	if fill.Order.Tag != "take" || fill.Order.State != tradingv1.OrderState_ORDER_STATE_FILLED || fill.Fill.GetQuantity() != "0.5" {
		t.Fatalf("fill update %v", fill)
	}
	rest := c.order()
	if rest.Order.Tag != "rest" || rest.Order.State != tradingv1.OrderState_ORDER_STATE_ACCEPTED {
		t.Fatalf("resting update %v", rest)
	}
	// The tag travels with the order to the book (and so to the store and
	// ListOrders).
	if o, ok := r.book.Get(rest.Order.ClientOrderId); !ok || o.Spec.Tag != "rest" {
		t.Fatalf("book has %+v", o)
	}
	c.answer(c.want, replaceTag("rest", "0.3", "91"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	gone := c.order()
	if gone.Order.ClientOrderId != rest.Order.ClientOrderId || gone.Order.State != tradingv1.OrderState_ORDER_STATE_CANCELLED {
		t.Fatalf("replace: old order %v", gone)
	}
	repl := c.order()
	if repl.Order.Tag != "rest" || repl.Order.Price != "91" || repl.Order.Quantity != "0.3" ||
		repl.Order.ClientOrderId == rest.Order.ClientOrderId || repl.Order.State != tradingv1.OrderState_ORDER_STATE_ACCEPTED {
		t.Fatalf("replace: new order %v", repl)
	}
	c.answer(c.want, cancelTag("rest"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	if u := c.order(); u.Order.Tag != "rest" || u.Order.State != tradingv1.OrderState_ORDER_STATE_CANCELLED {
		t.Fatalf("cancel: %v", u)
	}
	if n := r.venue.OpenTotal(); n != 0 {
		t.Fatalf("%d orders open after the cancel", n)
	}
}

// refusals reads events until n refusals came, and returns them.
func (c *client) refusals(n int) []*tradingv1.DecisionRefused {
	var out []*tradingv1.DecisionRefused
	for len(out) < n {
		if rf := c.next().GetRefused(); rf != nil {
			out = append(out, rf)
		}
	}
	return out
}

func TestInvalidDecisionsRefused(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	c.next()
	ev := c.next()
	market := &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Place{Place: &tradingv1.PlaceOrder{Tag: "m",
		Symbol: "BTC-USD", Side: buy, Type: tradingv1.OrderType_ORDER_TYPE_MARKET, Quantity: "1", Price: "5"}}}
	c.answer(ev.Sequence,
		limit("a", "DOGE-USD", buy, "1", "1"),   // 0 unknown symbol
		limit("b", "BTC-USD", buy, "-1", "90"),  // 1 negative quantity
		limit("c", "BTC-USD", buy, "0.1", "90"), // 2 fine
		limit("c", "BTC-USD", buy, "0.1", "89"), // 3 duplicate tag
		limit("bad tag!", "BTC-USD", buy, "0.1", "89"),
		cancelTag("nobody"),
		&tradingv1.StrategyDecision{},
		market,
		limit("d", "BTC-USD", buy, "1000000000", "1000000000"), // 8: would overflow the loop's arithmetic
	)
	c.answer(ev.Sequence)     // answered twice
	c.answer(ev.Sequence + 5) // never sent
	waitFor(t, "answers", func() bool { return r.inboxLen() == 3 })
	r.event("BTC-USD", "100", "101")
	got := c.refusals(10)
	want := []struct {
		index int32
		text  string
	}{{0, "not one of the session's symbols"}, {1, "quantity: must be positive"}, {3, "a live order has it"},
		{4, "tag: must be"}, {5, "no live order"}, {6, "no action"}, {7, "market order takes none"},
		{8, "overflow"}, {-1, "answered already"}, {-1, "never sent"}}
	for i, w := range want {
		rf := got[i]
		if rf.DecisionIndex != w.index || rf.Reason != "DECISION_INVALID" || !strings.Contains(rf.Message, w.text) {
			t.Errorf("refusal %d: %v, want index %d with %q", i, rf, w.index, w.text)
		}
	}
	if st := r.coord.Stats(); st.Orders != 1 {
		t.Fatalf("%d orders sent, want only the valid one", st.Orders)
	}
	if u := c.order(); u.GetOrder().GetTag() != "c" {
		t.Fatalf("the valid decision's update: %v", u)
	}
	if !r.s.Stats().Attached {
		t.Fatal("garbage detached the strategy")
	}
}

func TestRiskRefusedIsOrderRefused(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	c.next()
	ev := c.next()
	// 200 × 100 = 20,000: over the default max order notional.
	c.answer(ev.Sequence, limit("big", "BTC-USD", buy, "200", "100"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	rf := c.refusals(1)[0]
	if rf.Reason != "ORDER_REFUSED" || rf.Tag != "big" || rf.EventSequence != ev.Sequence || rf.DecisionIndex != 0 ||
		!strings.Contains(rf.Message, "notional") {
		t.Fatalf("refusal %v", rf)
	}
	// The tag is free again: the refused order never existed.
	c.answer(c.want, limit("big", "BTC-USD", buy, "1", "90"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	if u := c.order(); u.GetOrder().GetTag() != "big" || u.Order.State != tradingv1.OrderState_ORDER_STATE_ACCEPTED {
		t.Fatalf("retry with the tag: %v", u)
	}
}

func TestTimerInMarketTime(t *testing.T) {
	r := newRig(t, Config{}, nil)
	h := hello()
	h.TimerInterval = durationpb.New(3e9)
	c := r.attach(h)
	for range 7 {
		r.event("BTC-USD", "100", "101")
	}
	var timers []uint64
	for range 1 + 7 + 2 {
		if ev := c.next(); ev.GetTimer() != nil {
			if !ev.NeedsAnswer {
				t.Fatal("a timer needs an answer")
			}
			timers = append(timers, uint64(ev.Time.AsTime().Sub(t0).Seconds()))
		}
	}
	// Events at 1..7s; the timer starts at the first (1s): fires at 4s and 7s.
	if len(timers) != 2 || timers[0] != 4 || timers[1] != 7 {
		t.Fatalf("timers at %v s, want [4 7]", timers)
	}
	// A gap of 20s in the data fires it once, and it keeps its phase: due
	// at 10s, then 13s, ..., 28s, then 31s.
	r.n = 29
	r.event("BTC-USD", "100", "101") // 30s
	r.n = 30
	r.event("BTC-USD", "100", "101") // 31s
	var after []uint64
	for range 4 {
		if ev := c.next(); ev.GetTimer() != nil {
			after = append(after, uint64(ev.Time.AsTime().Sub(t0).Seconds()))
		}
	}
	if len(after) != 2 || after[0] != 30 || after[1] != 31 {
		t.Fatalf("timers after the gap at %v s, want [30 31]", after)
	}
}

func TestCloseSendsStoppedLast(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	r.s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "stopped by the operator")
	c.next()
	c.next()
	last := c.next()
	if st := last.GetStopped(); st == nil || st.Reason != "stopped by the operator" || last.Sequence != 3 {
		t.Fatalf("last event %v", last)
	}
	if err := c.end(); err != io.EOF { // how a client sees OK
		t.Fatalf("stream ended with %v, want OK", err)
	}
	if code, reason := reasonOf(r.dial(hello()).end()); code != codes.NotFound || reason != "STRATEGY_NOT_EXPECTED" {
		t.Fatalf("attach after the end: %v %s", code, reason)
	}
}

var _ = venue.Buy
