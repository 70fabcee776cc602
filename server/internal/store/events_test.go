package store

import (
	"context"
	"errors"
	"testing"

	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

// submitAndFill is one tick: an order submitted, accepted and filled,
// with its three events.
func submitAndFill(session, id string, seq uint64) *Batch {
	fill := orders.Fill{Quantity: dec("0.1"), Price: dec("60000"), Fee: dec("0.6"), Liquidity: venue.Taker, Time: at(2)}
	return &Batch{SessionID: session, Time: at(2),
		NewOrders: []OrderRow{{ClientID: id, Seq: seq, Spec: marketSell("BTC-USD", "0.1"), Created: at(1)}},
		Transitions: []TransitionRow{
			{ClientID: id, Seq: 1, State: venue.StateAccepted, Remaining: dec("0.1"), Time: at(1)},
			{ClientID: id, Seq: 2, State: venue.StateFilled, Filled: dec("0.1"), Remaining: dec("0"), Time: at(2)},
		},
		Fills: []FillRow{{ClientID: id, Seq: 1, Fill: fill}},
		Events: []EventRow{{ClientID: id}, {ClientID: id, History: 1},
			{ClientID: id, History: 2, Fill: 1, AveragePrice: dec("60000"), Fees: dec("0.6")}},
	}
}

// Events are numbered 1, 2, 3... across sessions and reopenings, in commit
// order; a commit that fails takes no numbers; each event reads back as
// the order after it, with its fill.
func TestOrderEventsAreNumberedDaemonWide(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	createSession(t, s, "s1", StateRunning)
	b := submitAndFill("s1", "s1-1", 1)
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	for i, e := range b.Events {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d numbered %d", i, e.Seq)
		}
	}
	// A retried batch is refused whole: its events take no numbers.
	if err := s.CommitTick(ctx, submitAndFill("s1", "s1-1", 1)); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate batch: %v, want ErrDuplicate", err)
	}
	s.Close()

	s = openStore(t, dir, Options{})
	if n, err := s.LastOrderEvent(ctx); err != nil || n != 3 {
		t.Fatalf("LastOrderEvent after reopening = %d, %v; want 3", n, err)
	}
	createSession(t, s, "s2", StateRunning)
	b = submitAndFill("s2", "s2-1", 1)
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	if b.Events[0].Seq != 4 {
		t.Fatalf("the next session's first event is numbered %d, want 4", b.Events[0].Seq)
	}

	got, err := s.OrderEventsAfter(ctx, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 4 {
		t.Fatalf("two events after 2: %+v", got)
	}
	filled, next := got[0], got[1]
	o := filled.Order
	if o.SessionID != "s1" || o.ClientID != "s1-1" || o.State != venue.StateFilled || o.Filled != dec("0.1") ||
		o.AveragePrice != dec("60000") || o.Fees != dec("0.6") || o.Spec.Side != venue.Sell || o.Updated != at(2) {
		t.Fatalf("event 3 reads back as %+v", o)
	}
	if !filled.HasFill() || filled.Fill.Price != dec("60000") || filled.Fill.Liquidity != venue.Taker {
		t.Fatalf("event 3's fill reads back as %+v", filled.Fill)
	}
	if next.Order.SessionID != "s2" || next.Order.State != venue.StateNew || next.HasFill() || next.Order.Updated != at(1) {
		t.Fatalf("event 4 reads back as %+v", next)
	}
	if rest, err := s.OrderEventsAfter(ctx, 6, 10); err != nil || len(rest) != 0 {
		t.Fatalf("events after the newest: %v, %v", rest, err)
	}
}
