package remote

import (
	"testing"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

func TestRegistryOneStrategyPerName(t *testing.T) {
	reg := NewRegistry()
	a, _ := New(Config{Name: "x", Mode: Live, Symbols: syms})
	b, _ := New(Config{Name: "x", Mode: Live, Symbols: syms})
	if err := reg.Register(a); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(b); err == nil {
		t.Fatal("a second strategy took a name already waited for")
	}
	reg.Unregister(b) // not the registered one: a no-op
	if reg.Lookup("x") != a {
		t.Fatal("unregistering another strategy removed the registered one")
	}
	reg.Unregister(a)
	if reg.Lookup("x") != nil {
		t.Fatal("still registered")
	}
	if _, err := New(Config{Name: "no spaces", Mode: Live, Symbols: syms}); err == nil {
		t.Fatal("a name outside [A-Za-z0-9._-] was accepted")
	}
}

// A resumed session's orders (Adopt) are the strategy's again: the first
// snapshot lists them by the tag they were placed with, in the state and
// with the filled quantity ListOrders shows for them (KeepOnDetach: under
// CancelOnDetach they are cancelled, see below).
func TestAdoptedOrdersInSnapshot(t *testing.T) {
	s, _ := New(Config{Name: "x", Mode: Live, Symbols: syms, OnDetach: KeepOnDetach})
	spec := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Sell, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.FromInt(1), Price: money.FromInt(120)}
	spec.Tag = "ask-1"
	s.Adopt(venue.OpenOrder{ClientID: "t-7", Spec: spec, State: venue.StatePartiallyFilled,
		Filled: money.MustParse("0.25"), Remaining: money.MustParse("0.75")})
	spec.Tag = ""
	// Placed before a remote strategy: tagged by its id.
	s.Adopt(venue.OpenOrder{ClientID: "t-8", Spec: spec, State: venue.StateAccepted, Remaining: money.FromInt(1)})
	a, err := s.attach(hello())
	if err != nil {
		t.Fatal(err)
	}
	ev := bookEv("BTC-USD", 1, "100", "101")
	s.OnEvent(&ev, account{}, nil)
	snap := a.queue[0].GetSnapshot()
	if len(snap.GetOpenOrders()) != 2 {
		t.Fatalf("snapshot %v", snap)
	}
	for i, want := range [][4]string{{"ask-1", "t-7", "ORDER_STATE_PARTIALLY_FILLED", "0.25"},
		{"t-8", "t-8", "ORDER_STATE_ACCEPTED", "0"}} {
		if o := snap.OpenOrders[i]; o.Tag != want[0] || o.ClientOrderId != want[1] || o.Price != "120" ||
			o.State.String() != want[2] || o.FilledQuantity != want[3] {
			t.Errorf("order %d: %v, want %v", i, o, want)
		}
	}
}

// A resumed session's strategy lost its connection with the process that
// died: under CancelOnDetach its adopted orders are cancelled at the first
// event, as at any detach, instead of resting unwatched until a client
// attaches or the grace ends; under KeepOnDetach they rest.
func TestAdoptedOrdersFollowTheDetachPolicy(t *testing.T) {
	for _, policy := range []DetachPolicy{CancelOnDetach, KeepOnDetach} {
		s, _ := New(Config{Name: "x", Mode: Live, Symbols: syms, OnDetach: policy})
		spec := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
			Quantity: money.FromInt(1), Price: money.FromInt(90), Tag: "b"}
		s.Adopt(venue.OpenOrder{ClientID: "t-1", Spec: spec, State: venue.StateAccepted, Remaining: spec.Quantity})
		ev := bookEv("BTC-USD", 1, "100", "101")
		acts := s.OnEvent(&ev, account{}, nil)
		want := 0
		if policy == CancelOnDetach {
			want = 1
		}
		if len(acts) != want || (want == 1 && (acts[0].Kind != strategy.ActionCancel || acts[0].CancelID != "t-1")) {
			t.Fatalf("policy %d: first event's actions %+v, want %d cancel of t-1", policy, acts, want)
		}
		ev2 := bookEv("BTC-USD", 2, "100", "101")
		if acts := s.OnEvent(&ev2, account{}, nil); len(acts) != 0 {
			t.Fatalf("policy %d: second event's actions %+v", policy, acts)
		}
	}
}

// The health inputs: the oldest event sent and unanswered, and when.
func TestStatsOldestUnanswered(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c := r.attach(hello())
	r.event("BTC-USD", "100", "101")
	r.event("BTC-USD", "100", "101")
	c.next()
	first, second := c.next(), c.next()
	st := r.s.Stats()
	if st.OldestUnanswered != first.Sequence || st.SentAt.IsZero() || st.Events != 3 {
		t.Fatalf("stats %+v, want event %d unanswered", st, first.Sequence)
	}
	c.answer(first.Sequence)
	waitFor(t, "answer", func() bool { return r.s.Stats().OldestUnanswered == second.Sequence })
	c.answer(second.Sequence)
	waitFor(t, "answer", func() bool { return r.s.Stats().OldestUnanswered == 0 })
	if st := r.s.Stats(); st.Answers != 2 || !st.Attached || st.Version != "v1" {
		t.Fatalf("stats %+v", st)
	}
}

// Reports of the strategy's orders keep coming while no client is attached
// (fills of orders kept, a kill switch's cancels): they update its orders
// for the next snapshot and go nowhere else.
func TestReportsWhileDetached(t *testing.T) {
	over := make(chan struct{})
	close(over) // nobody answers the book event: a Lockstep loop must not wait
	for _, mode := range []Mode{Live, Lockstep} {
		s, _ := New(Config{Name: "x", Mode: mode, Symbols: syms, Done: over, OnDetach: KeepOnDetach})
		spec := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
			Quantity: money.FromInt(2), Price: money.FromInt(90), Tag: "b"}
		s.Adopt(venue.OpenOrder{ClientID: "t-1", Spec: spec, State: venue.StateAccepted, Remaining: spec.Quantity})
		s.OnReport(&venue.ExecutionReport{ClientID: "t-1", Symbol: "BTC-USD", Side: venue.Buy,
			State: venue.StatePartiallyFilled, Filled: money.FromInt(1), Remaining: money.FromInt(1),
			FillQuantity: money.FromInt(1), FillPrice: money.FromInt(90)})
		a, _ := s.attach(hello())
		ev := bookEv("BTC-USD", 1, "100", "101")
		s.OnEvent(&ev, account{}, nil)
		o := a.queue[0].GetSnapshot().GetOpenOrders()
		if len(o) != 1 || o[0].FilledQuantity != "1" || o[0].State.String() != "ORDER_STATE_PARTIALLY_FILLED" {
			t.Fatalf("mode %d: snapshot orders %v", mode, o)
		}
	}
}
