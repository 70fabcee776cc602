package orders

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

var allStates = []venue.OrderState{
	venue.StateNew, venue.StateAccepted, venue.StatePartiallyFilled,
	venue.StateFilled, venue.StateCancelled, venue.StateRejected,
}

// bookAt returns a book holding order "o" of quantity 10 in state s.
func bookAt(t *testing.T, s venue.OrderState) *Book {
	t.Helper()
	b := NewBook("s1", 10)
	mustSubmit(t, b, "o", buy("10"))
	switch s {
	case venue.StateAccepted:
		step(t, b, "o", venue.StateAccepted, "", "")
	case venue.StatePartiallyFilled:
		step(t, b, "o", venue.StateAccepted, "", "")
		step(t, b, "o", venue.StatePartiallyFilled, "4", "100")
	case venue.StateFilled:
		step(t, b, "o", venue.StateAccepted, "", "")
		step(t, b, "o", venue.StateFilled, "10", "100")
	case venue.StateCancelled:
		step(t, b, "o", venue.StateAccepted, "", "")
		step(t, b, "o", venue.StateCancelled, "", "")
	case venue.StateRejected:
		step(t, b, "o", venue.StateRejected, "", "")
	}
	return b
}

// snapshot is everything a failed Apply must leave as it was.
type snapshot struct {
	Order  Order
	Counts Counts
	Open   int
}

func snap(t *testing.T, b *Book) snapshot {
	return snapshot{mustGet(t, b, "o"), b.Counts(), b.OpenCount()}
}

func TestTransitions(t *testing.T) {
	// Written out rather than read from legal, so the table checks it.
	want := map[[2]venue.OrderState]bool{
		{venue.StateNew, venue.StateAccepted}:                    true,
		{venue.StateNew, venue.StateRejected}:                    true,
		{venue.StateAccepted, venue.StatePartiallyFilled}:        true,
		{venue.StateAccepted, venue.StateFilled}:                 true,
		{venue.StateAccepted, venue.StateCancelled}:              true,
		{venue.StatePartiallyFilled, venue.StatePartiallyFilled}: true,
		{venue.StatePartiallyFilled, venue.StateFilled}:          true,
		{venue.StatePartiallyFilled, venue.StateCancelled}:       true,
	}
	for _, from := range allStates {
		for _, to := range append(allStates, 0, 7) {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				b := bookAt(t, from)
				before := snap(t, b)
				o := before.Order
				var r *venue.ExecutionReport
				switch to {
				case venue.StatePartiallyFilled:
					r = rep(o, to, "1", "100")
				case venue.StateFilled:
					r = rep(o, to, o.Remaining.String(), "100")
				default:
					r = rep(o, to, "", "")
				}
				_, err := b.Apply(r)
				if want[[2]venue.OrderState{from, to}] {
					if err != nil {
						t.Fatalf("legal transition refused: %v", err)
					}
					if got := mustGet(t, b, "o").State; got != to {
						t.Fatalf("state = %s, want %s", got, to)
					}
					return
				}
				if !errors.Is(err, ErrIllegalTransition) {
					t.Fatalf("error = %v, want ErrIllegalTransition", err)
				}
				if after := snap(t, b); !reflect.DeepEqual(after, before) {
					t.Fatalf("failed Apply changed the book:\n%+v\n%+v", before, after)
				}
			})
		}
	}
}

// Reports that could follow the order's state but contradict the order.
func TestBadReports(t *testing.T) {
	tests := []struct {
		name   string
		from   venue.OrderState
		report func(o Order) *venue.ExecutionReport
		want   error
	}{
		{"unknown id", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StateCancelled, "", "")
			r.ClientID = "nobody"
			return r
		}, ErrUnknownOrder},
		{"other symbol", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StateCancelled, "", "")
			r.Symbol = "ETH-USD"
			return r
		}, ErrBadReport},
		{"other side", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StateCancelled, "", "")
			r.Side = venue.Sell
			return r
		}, ErrBadReport},
		{"partial fill without a fill", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StatePartiallyFilled, "", "")
		}, ErrBadReport},
		{"filled with some left", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StateFilled, "9", "100")
		}, ErrBadReport},
		{"partially filled with nothing left", venue.StatePartiallyFilled, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StatePartiallyFilled, "6", "100")
		}, ErrBadReport},
		{"fill beyond the remaining", venue.StatePartiallyFilled, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StateFilled, "7", "100")
		}, ErrBadReport},
		{"negative fill", venue.StatePartiallyFilled, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StatePartiallyFilled, "-1", "100")
		}, ErrBadReport},
		{"zero price", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StatePartiallyFilled, "1", "0")
		}, ErrBadReport},
		{"negative fee", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StatePartiallyFilled, "1", "100")
			r.Fee = dec("-0.01")
			return r
		}, ErrBadReport},
		{"fee without a fill", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StateCancelled, "", "")
			r.Fee = dec("0.01")
			return r
		}, ErrBadReport},
		{"cancel with a fill", venue.StateAccepted, func(o Order) *venue.ExecutionReport {
			return rep(o, venue.StateCancelled, "1", "100")
		}, ErrBadReport},
		{"venue's filled disagrees", venue.StatePartiallyFilled, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StatePartiallyFilled, "1", "100")
			r.Filled = dec("1") // as if the first fill's report was lost
			return r
		}, ErrBadReport},
		{"venue's remaining disagrees", venue.StatePartiallyFilled, func(o Order) *venue.ExecutionReport {
			r := rep(o, venue.StateCancelled, "", "")
			r.Remaining = dec("10")
			return r
		}, ErrBadReport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bookAt(t, tt.from)
			before := snap(t, b)
			r := tt.report(before.Order)
			e, err := b.Apply(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if !reflect.DeepEqual(e, Event{}) {
				t.Errorf("failed Apply returned an event: %+v", e)
			}
			if after := snap(t, b); !reflect.DeepEqual(after, before) {
				t.Fatalf("failed Apply changed the book:\n%+v\n%+v", before, after)
			}
		})
	}
}

// Absurd fees that overflow their sum are an error, not a panic in the
// trading loop, and change nothing.
func TestFeesOverflow(t *testing.T) {
	b := bookAt(t, venue.StateAccepted)
	r := rep(mustGet(t, b, "o"), venue.StatePartiallyFilled, "1", "100")
	r.Fee = dec("92233720368")
	apply := func() error { _, err := b.Apply(r); return err }
	if err := apply(); err != nil {
		t.Fatal(err)
	}
	before := snap(t, b)
	r = rep(before.Order, venue.StatePartiallyFilled, "1", "100")
	r.Fee = dec("92233720368")
	if err := apply(); !errors.Is(err, money.ErrOverflow) {
		t.Fatalf("error = %v, want money.ErrOverflow", err)
	}
	if after := snap(t, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("failed Apply changed the book:\n%+v\n%+v", before, after)
	}
}
