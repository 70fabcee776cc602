package orders

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// checkOrder fails unless o is consistent in itself. It takes a
// *testing.T or a *rapid.T.
func checkOrder(t interface {
	Helper()
	Errorf(string, ...any)
}, o Order) {
	t.Helper()
	if o.Filled.Add(o.Remaining) != o.Spec.Quantity {
		t.Errorf("%s: filled %s + remaining %s ≠ quantity %s", o.ClientID, o.Filled, o.Remaining, o.Spec.Quantity)
	}
	var sum money.Decimal
	for _, f := range o.Fills {
		sum = sum.Add(f.Quantity)
	}
	if sum != o.Filled {
		t.Errorf("%s: Σ fills %s ≠ filled %s", o.ClientID, sum, o.Filled)
	}
}

// Readers on other goroutines see consistent orders, and scribble on what
// they get, while the loop applies reports: -race checks that nothing is
// shared.
func TestConcurrentReadersAndWriter(t *testing.T) {
	b := NewBook("s1", 64)
	const orders = 500
	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				list, _ := b.List(r%2 == 0, 20)
				for j := range list {
					checkOrder(t, list[j])
					if len(list[j].Fills) > 0 {
						list[j].Fills[0].Price = money.Decimal{}
					}
				}
				if o, ok := b.Get(fmt.Sprint(i % orders)); ok {
					checkOrder(t, o)
					o.Fills = append(o.Fills, Fill{})
				}
				if c := b.Counts(); c.Filled+c.Cancelled+c.Rejected > c.Submitted {
					t.Errorf("counts = %+v", c)
				}
				_ = b.OpenCount()
			}
		})
	}
	for i := range orders {
		id := fmt.Sprint(i)
		mustSubmit(t, b, id, buy("3"))
		if i%7 == 0 {
			step(t, b, id, venue.StateRejected, "", "")
			continue
		}
		step(t, b, id, venue.StateAccepted, "", "")
		step(t, b, id, venue.StatePartiallyFilled, "1", "100")
		if i%3 == 0 {
			step(t, b, id, venue.StateCancelled, "", "")
			continue
		}
		step(t, b, id, venue.StateFilled, "2", "101")
	}
	close(done)
	wg.Wait()
	if c := b.Counts(); c.Submitted != orders || c.Dropped != orders-64 || b.OpenCount() != 0 {
		t.Fatalf("counts = %+v, open %d", c, b.OpenCount())
	}
}
