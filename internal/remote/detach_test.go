package remote

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"testing"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
)

// resting attaches, places a resting buy tagged "r1" and returns the client
// with the order's client id.
func resting(t *testing.T, r *rig) (*client, string) {
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	c.next()
	c.next()
	c.answer(c.want, limit("r1", "BTC-USD", buy, "0.1", "90"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	u := c.order()
	if u.Order.State != tradingv1.OrderState_ORDER_STATE_ACCEPTED {
		t.Fatalf("r1: %v", u)
	}
	return c, u.Order.ClientOrderId
}

func leave(t *testing.T, r *rig, c *client) {
	c.cancel()
	c.end()
	waitFor(t, "detach", func() bool { return !r.s.Stats().Attached })
}

func TestDetachCancelsWithinOneEvent(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c, _ := resting(t, r)
	// An answer that arrived before the client went is not taken after.
	c.answer(c.want, limit("late", "BTC-USD", buy, "0.1", "80"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	leave(t, r, c)
	before := r.coord.Stats().Orders
	r.event("BTC-USD", "100", "101")
	if n := r.venue.OpenTotal(); n != 0 {
		t.Fatalf("%d orders open one event after the detach, want 0 (cancel policy)", n)
	}
	if got := r.coord.Stats().Orders; got != before {
		t.Fatalf("%d orders sent after the detach", got-before)
	}
	st := r.s.Stats()
	if st.Attached || st.Since.IsZero() {
		t.Fatalf("stats after detach: %+v", st)
	}
}

func TestDetachKeepAndReattachSnapshot(t *testing.T) {
	r := newRig(t, Config{OnDetach: KeepOnDetach}, nil)
	c, id := resting(t, r)
	// Read what was sent, to know the last sequence.
	r.event("BTC-USD", "100", "101")
	last := c.next().Sequence
	leave(t, r, c)
	r.event("BTC-USD", "100", "101")
	r.event("BTC-USD", "100", "101")
	if n := r.venue.OpenTotal(); n != 1 {
		t.Fatalf("%d orders open, want the one kept", n)
	}
	c2 := r.attach(hello())
	r.event("BTC-USD", "100", "102")
	ev := c2.next()
	snap := ev.GetSnapshot()
	if snap == nil || snap.LastSequence != last || ev.Sequence != last+1 {
		t.Fatalf("re-attach: first event %v, want a snapshot after %d", ev, last)
	}
	if len(snap.OpenOrders) != 1 || snap.OpenOrders[0].Tag != "r1" || snap.OpenOrders[0].ClientOrderId != id {
		t.Fatalf("snapshot orders %v, want r1 = %s", snap.OpenOrders, id)
	}
	// It carries on: it can cancel the order it found by its tag.
	if b := c2.next(); b.Sequence != last+2 || b.GetBook().GetAsk() != "102" {
		t.Fatalf("after the snapshot: %v", b)
	}
	c2.answer(c2.want, cancelTag("r1"))
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	if u := c2.order(); u.Order.Tag != "r1" || u.Order.State != tradingv1.OrderState_ORDER_STATE_CANCELLED {
		t.Fatalf("cancel after re-attach: %v", u)
	}
}

// A strategy that reads nothing: its events stay queued, so the window
// fills; book updates coalesce, anything else detaches it, and OnEvent
// never waits (this test would hang).
func TestWindowCoalescesThenDetachesTooSlow(t *testing.T) {
	r := newRig(t, Config{Window: 3}, nil)
	a, err := r.s.attach(&tradingv1.StrategyHello{Name: "alpha", Kinds: []tradingv1.StrategyEventKind{
		tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_BOOK, tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_TRADE}})
	if err != nil {
		t.Fatal(err)
	}
	r.event("BTC-USD", "100", "101") // snapshot 1, book 2
	r.event("ETH-USD", "10", "11")   // 3
	r.event("BTC-USD", "100", "102") // 4: three need an answer, full
	r.event("BTC-USD", "100", "103") // replaces 4
	r.event("BTC-USD", "100", "104") // replaces 4 again
	r.event("ETH-USD", "10", "12")   // replaces 3
	r.s.mu.Lock()
	q := append([]*tradingv1.StrategyEvent(nil), a.queue...)
	r.s.mu.Unlock()
	if len(q) != 4 || q[2].GetBook().GetAsk() != "12" || q[2].GetBook().Coalesced != 1 || q[2].Sequence != 3 ||
		q[3].GetBook().GetAsk() != "104" || q[3].GetBook().Coalesced != 2 || q[3].Sequence != 4 {
		t.Fatalf("queue %v", q)
	}
	if st := r.s.Stats(); st.Coalesced != 3 || !st.Attached {
		t.Fatalf("stats %+v", st)
	}
	// A trade cannot be coalesced: the strategy is too slow.
	tr := bookEv("BTC-USD", 99, "100", "101")
	tr.Kind, tr.Price, tr.Size, tr.Aggressor = 2, tr.Ask, tr.Ask, 1
	r.coord.OnEvent(&tr)
	ev, _, err := r.s.next(a, nil)
	if code, reason := reasonOf(err); ev != nil || code != codes.ResourceExhausted || reason != "STRATEGY_TOO_SLOW" {
		t.Fatalf("after the overflow: %v %v %s", ev, code, reason)
	}
	// Health shows the reason as a person reads it, not Go's rendering
	// of a gRPC status ("rpc error: code = ResourceExhausted desc = ...").
	if st := r.s.Stats(); st.Attached || !strings.HasPrefix(st.Detach, "the strategy left 3 events unanswered") {
		t.Fatalf("stats %+v", st)
	}
}

// The same over the wire: a client that never answers is detached with
// RESOURCE_EXHAUSTED once its window of sent events is unanswered.
func TestTooSlowOverTheStream(t *testing.T) {
	r := newRig(t, Config{Window: 3}, nil)
	c := r.attach(hello())
	for range 5 {
		r.event("BTC-USD", "100", "101")
		// Let the stream send what is queued: sent events cannot coalesce.
		waitFor(t, "send", func() bool { r.s.mu.Lock(); defer r.s.mu.Unlock(); return len(r.s.att.queue) == 0 })
	}
	if code, reason := reasonOf(c.end()); code != codes.ResourceExhausted || reason != "STRATEGY_TOO_SLOW" {
		t.Fatalf("stream ended with %v %s", code, reason)
	}
}

// A large answer is a burst of order updates, not a slow client: it may
// exceed the window, by up to 16 times.
func TestBurstOfUpdatesFits(t *testing.T) {
	r := newRig(t, Config{Window: 2}, nil)
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	c.next()
	c.next()
	var ds []*tradingv1.StrategyDecision
	for i := range 20 {
		ds = append(ds, limit(fmt.Sprintf("b%d", i), "BTC-USD", buy, "0.01", "90"))
	}
	c.answer(c.want, ds...)
	waitFor(t, "answer", func() bool { return r.inboxLen() == 1 })
	r.event("BTC-USD", "100", "101")
	for range 20 {
		c.order()
	}
	if st := r.s.Stats(); !st.Attached {
		t.Fatalf("detached by its own orders' updates: %s", st.Detach)
	}
}

// A client that stops reading is detached when the updates pile up.
func TestUnreadUpdatesDetach(t *testing.T) {
	r := newRig(t, Config{Window: 1}, nil)
	a, err := r.s.attach(hello())
	if err != nil {
		t.Fatal(err)
	}
	r.event("BTC-USD", "100", "101")
	r.s.next(a, nil)
	r.s.next(a, nil)
	var ds []*tradingv1.StrategyDecision
	for range 17 {
		ds = append(ds, cancelTag("nobody"))
	}
	r.s.deliver(a, &tradingv1.StrategyAnswer{EventSequence: 2, Decisions: ds}, nil)
	r.event("BTC-USD", "100", "101")
	if code, reason := reasonOf(a.err); code != codes.ResourceExhausted || reason != "STRATEGY_TOO_SLOW" || r.s.Stats().Attached {
		t.Fatalf("after 17 unread refusals with room for 16: %v %s", code, reason)
	}
}

// A client that stops reading fills the stream's flow-control window and
// the daemon's Send waits; the detach must still end the stream at once
// (the handler returns, which ends that Send), not when the client reads.
func TestDetachEndsAStuckSend(t *testing.T) {
	r := newRig(t, Config{Window: 2000}, nil)
	lazy, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16), // no window growth
		grpc.WithContextDialer(r.dialer))
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := tradingv1.NewStrategyServiceClient(lazy).RunStrategy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := hello()
	h.Depth = true
	h.Kinds = []tradingv1.StrategyEventKind{tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_BOOK,
		tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_TRADE}
	_ = stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: h}})
	waitFor(t, "attach", func() bool { return r.s.Stats().Attached })
	depth := &market.Book{}
	for i := range 5 {
		p := money.FromInt(int64(100 - i))
		depth.Bids = append(depth.Bids, market.Level{Price: p, Size: money.MustParse("123.45678901")})
		depth.Asks = append(depth.Asks, market.Level{Price: p.Add(money.FromInt(10)), Size: money.MustParse("123.45678901")})
	}
	for i := 0; r.s.Stats().Attached; i++ {
		if i > 5000 {
			t.Fatal("never detached")
		}
		// Deep books until the stream is stuck, then trades, which
		// cannot be coalesced.
		ev := bookEv(syms[i%2], i+1, "100", "110")
		ev.Book = depth
		if i >= 1000 {
			ev.Kind, ev.Price, ev.Size, ev.Aggressor = market.EventTrade, ev.Ask, ev.Ask, 1
		}
		r.coord.OnEvent(&ev)
	}
	ended := make(chan struct{})
	go func() { r.svc.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream's goroutines still run after the detach: a Send waits for a client that does not read")
	}
}

// The session ends while the client's stream is stuck (it stopped
// reading): the final event cannot go out, and the stream must still end,
// closeGrace later, rather than hold its handler and goroutines for as long
// as the client keeps its connection.
func TestCloseEndsAStuckStream(t *testing.T) {
	defer func(g time.Duration) { closeGrace = g }(closeGrace)
	closeGrace = 50 * time.Millisecond
	r := newRig(t, Config{Window: 2000}, nil)
	lazy, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16), // no window growth
		grpc.WithContextDialer(r.dialer))
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := tradingv1.NewStrategyServiceClient(lazy).RunStrategy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := hello()
	h.Depth = true
	_ = stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: h}})
	waitFor(t, "attach", func() bool { return r.s.Stats().Attached })
	depth := &market.Book{}
	for i := range 5 {
		p := money.FromInt(int64(100 - i))
		depth.Bids = append(depth.Bids, market.Level{Price: p, Size: money.MustParse("123.45678901")})
		depth.Asks = append(depth.Asks, market.Level{Price: p.Add(money.FromInt(10)), Size: money.MustParse("123.45678901")})
	}
	// 1,500 deep books, half a MiB: far more than the stream's 64 KiB
	// window, within the strategy's.
	for i := range 1500 {
		ev := bookEv(syms[i%2], i+1, "100", "110")
		ev.Book = depth
		r.coord.OnEvent(&ev)
	}
	if !r.s.Stats().Attached {
		t.Fatal("detached before the session ended")
	}
	r.s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "stopped by request")
	ended := make(chan struct{})
	go func() { r.svc.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream's goroutines still run after the session ended: its last event waits for a client that does not read")
	}
	if st := r.s.Stats(); st.Attached {
		t.Fatalf("still attached: %+v", st)
	}
}
