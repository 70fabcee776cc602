package orders

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/money"
)

var allStates = []broker.OrderState{
	broker.StateNew, broker.StateAccepted, broker.StatePartiallyFilled,
	broker.StateFilled, broker.StateCancelled, broker.StateRejected,
}

// bookAt returns a book holding order "o" of quantity 10 in state s.
func bookAt(t *testing.T, s broker.OrderState) *Book {
	t.Helper()
	b := NewBook("s1", 10)
	mustSubmit(t, b, "o", buy("10"))
	switch s {
	case broker.StateAccepted:
		step(t, b, "o", broker.StateAccepted, "", "")
	case broker.StatePartiallyFilled:
		step(t, b, "o", broker.StateAccepted, "", "")
		step(t, b, "o", broker.StatePartiallyFilled, "4", "100")
	case broker.StateFilled:
		step(t, b, "o", broker.StateAccepted, "", "")
		step(t, b, "o", broker.StateFilled, "10", "100")
	case broker.StateCancelled:
		step(t, b, "o", broker.StateAccepted, "", "")
		step(t, b, "o", broker.StateCancelled, "", "")
	case broker.StateRejected:
		step(t, b, "o", broker.StateRejected, "", "")
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
	want := map[[2]broker.OrderState]bool{
		{broker.StateNew, broker.StateAccepted}:                    true,
		{broker.StateNew, broker.StateRejected}:                    true,
		{broker.StateAccepted, broker.StatePartiallyFilled}:        true,
		{broker.StateAccepted, broker.StateFilled}:                 true,
		{broker.StateAccepted, broker.StateCancelled}:              true,
		{broker.StatePartiallyFilled, broker.StatePartiallyFilled}: true,
		{broker.StatePartiallyFilled, broker.StateFilled}:          true,
		{broker.StatePartiallyFilled, broker.StateCancelled}:       true,
	}
	for _, from := range allStates {
		for _, to := range append(allStates, 0, 7) {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				b := bookAt(t, from)
				before := snap(t, b)
				o := before.Order
				var r *broker.ExecutionReport
				switch to {
				case broker.StatePartiallyFilled:
					r = rep(o, to, "1", "100")
				case broker.StateFilled:
					r = rep(o, to, o.Remaining.String(), "100")
				default:
					r = rep(o, to, "", "")
				}
				_, err := b.Apply(r)
				if want[[2]broker.OrderState{from, to}] {
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
		from   broker.OrderState
		report func(o Order) *broker.ExecutionReport
		want   error
	}{
		{"unknown id", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StateCancelled, "", "")
			r.ClientID = "nobody"
			return r
		}, ErrUnknownOrder},
		{"other symbol", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StateCancelled, "", "")
			r.Symbol = "ETH-USD"
			return r
		}, ErrBadReport},
		{"other side", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StateCancelled, "", "")
			r.Side = broker.Sell
			return r
		}, ErrBadReport},
		{"partial fill without a fill", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StatePartiallyFilled, "", "")
		}, ErrBadReport},
		{"filled with some left", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StateFilled, "9", "100")
		}, ErrBadReport},
		{"partially filled with nothing left", broker.StatePartiallyFilled, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StatePartiallyFilled, "6", "100")
		}, ErrBadReport},
		{"fill beyond the remaining", broker.StatePartiallyFilled, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StateFilled, "7", "100")
		}, ErrBadReport},
		{"negative fill", broker.StatePartiallyFilled, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StatePartiallyFilled, "-1", "100")
		}, ErrBadReport},
		{"zero price", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StatePartiallyFilled, "1", "0")
		}, ErrBadReport},
		{"negative fee", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StatePartiallyFilled, "1", "100")
			r.Fee = dec("-0.01")
			return r
		}, ErrBadReport},
		{"fee without a fill", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StateCancelled, "", "")
			r.Fee = dec("0.01")
			return r
		}, ErrBadReport},
		{"cancel with a fill", broker.StateAccepted, func(o Order) *broker.ExecutionReport {
			return rep(o, broker.StateCancelled, "1", "100")
		}, ErrBadReport},
		{"venue's filled disagrees", broker.StatePartiallyFilled, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StatePartiallyFilled, "1", "100")
			r.Filled = dec("1") // as if the first fill's report was lost
			return r
		}, ErrBadReport},
		{"venue's remaining disagrees", broker.StatePartiallyFilled, func(o Order) *broker.ExecutionReport {
			r := rep(o, broker.StateCancelled, "", "")
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
	b := bookAt(t, broker.StateAccepted)
	r := rep(mustGet(t, b, "o"), broker.StatePartiallyFilled, "1", "100")
	r.Fee = dec("92233720368")
	apply := func() error { _, err := b.Apply(r); return err }
	if err := apply(); err != nil {
		t.Fatal(err)
	}
	before := snap(t, b)
	r = rep(before.Order, broker.StatePartiallyFilled, "1", "100")
	r.Fee = dec("92233720368")
	if err := apply(); !errors.Is(err, money.ErrOverflow) {
		t.Fatalf("error = %v, want money.ErrOverflow", err)
	}
	if after := snap(t, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("failed Apply changed the book:\n%+v\n%+v", before, after)
	}
}
