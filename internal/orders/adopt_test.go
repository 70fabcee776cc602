package orders

import (
	"errors"
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
)

func TestAdoptedOrderCarriesOn(t *testing.T) {
	src := NewBook("s", 10)
	mustSubmit(t, src, "a", buy("2"))
	step(t, src, "a", venue.StateAccepted, "", "")
	step(t, src, "a", venue.StatePartiallyFilled, "0.5", "100")
	o := mustGet(t, src, "a")

	b := NewBook("s", 10)
	if err := b.Adopt(o); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, b, "a")
	if got.Filled != o.Filled || got.AveragePrice != o.AveragePrice || got.Fees != o.Fees || b.OpenCount() != 1 {
		t.Fatalf("adopted %+v, want %+v", got, o)
	}
	// It goes on like any other order.
	step(t, b, "a", venue.StateFilled, "1.5", "100")
	if got := mustGet(t, b, "a"); got.State != venue.StateFilled || len(got.Fills) != 2 {
		t.Fatalf("after the last fill: %+v", got)
	}
	if err := b.Adopt(o); !errors.Is(err, ErrDuplicateOrder) {
		t.Fatalf("adopting twice: %v", err)
	}
	o.Filled = o.Filled.Add(o.Filled)
	if err := NewBook("s", 10).Adopt(o); !errors.Is(err, ErrBadReport) {
		t.Fatalf("inconsistent order adopted: %v", err)
	}
	o = mustGet(t, src, "a")
	o.State = venue.StateFilled
	if err := NewBook("s", 10).Adopt(o); err == nil {
		t.Fatal("a finished order adopted")
	}
}

// A remote strategy's tag stays with its order: in the book, in the events
// the book publishes (WatchOrders, the journal), and through adoption by a
// resumed session, whose strategy finds its orders by it.
func TestTagStaysWithTheOrder(t *testing.T) {
	src := NewBook("s", 10)
	spec := buy("2")
	spec.Tag = "lvl.1"
	e, err := src.Submitted("a", spec, dec("100"), t0)
	if err != nil || e.Order.Spec.Tag != "lvl.1" {
		t.Fatalf("submitted: %+v %v", e, err)
	}
	if e := step(t, src, "a", venue.StateAccepted, "", ""); e.Order.Spec.Tag != "lvl.1" {
		t.Fatalf("accepted event: %+v", e.Order)
	}
	b := NewBook("s", 10)
	if err := b.Adopt(mustGet(t, src, "a")); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, b, "a"); got.Spec.Tag != "lvl.1" {
		t.Fatalf("adopted: %+v", got)
	}
	if e := step(t, b, "a", venue.StateFilled, "2", "100"); e.Order.Spec.Tag != "lvl.1" {
		t.Fatalf("fill of the adopted order: %+v", e.Order)
	}
}

// A live session commits an order's intent (NEW) before it goes on the
// wire; killed before the venue answered, the session resumes with that
// order still NEW. The resumed book must hold it, so that the venue's word
// on it (accepted and filled, or never sent) has an order to apply to; a
// NEW order that claims fills is inconsistent and refused.
func TestAdoptedNewOrderAwaitsTheVenue(t *testing.T) {
	src := NewBook("s", 10)
	mustSubmit(t, src, "a", buy("2"))
	mustSubmit(t, src, "b", buy("1"))
	b := NewBook("s", 10)
	for _, id := range []string{"a", "b"} {
		if err := b.Adopt(mustGet(t, src, id)); err != nil {
			t.Fatalf("a NEW order (intent committed, outcome unknown) was not adopted: %v", err)
		}
	}
	if b.OpenCount() != 2 {
		t.Fatalf("%d open, want 2", b.OpenCount())
	}
	step(t, b, "a", venue.StateAccepted, "", "")
	step(t, b, "a", venue.StateFilled, "2", "100")
	step(t, b, "b", venue.StateRejected, "", "")
	if b.OpenCount() != 0 || mustGet(t, b, "a").State != venue.StateFilled {
		t.Fatalf("after the venue's word: %d open, a %+v", b.OpenCount(), mustGet(t, b, "a"))
	}
	o := mustGet(t, src, "a")
	o.Fills = []Fill{{Quantity: dec("1"), Price: dec("100")}}
	o.Filled, o.Remaining = dec("1"), dec("1")
	if err := NewBook("s", 10).Adopt(o); err == nil {
		t.Fatal("a NEW order with fills adopted")
	}
}
