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
