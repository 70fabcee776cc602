package orders

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// rank orders the states along the lifecycle; every final state ranks last.
func rank(s venue.OrderState) int {
	switch s {
	case venue.StateNew:
		return 0
	case venue.StateAccepted:
		return 1
	case venue.StatePartiallyFilled:
		return 2
	}
	return 3
}

// exactAverage is Σ(qty × price) / Σ qty rounded half away from zero, with
// math/big: the oracle for AveragePrice.
func exactAverage(fills []Fill) money.Decimal {
	num, den := new(big.Int), new(big.Int)
	for _, f := range fills {
		num.Add(num, new(big.Int).Mul(big.NewInt(f.Quantity.Units()), big.NewInt(f.Price.Units())))
		den.Add(den, big.NewInt(f.Quantity.Units()))
	}
	if den.Sign() == 0 {
		return money.Decimal{}
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return money.FromUnits(q.Int64())
}

// Random report sequences, mostly plausible and some not, against a few
// orders: whatever the book accepts keeps every order consistent, states
// never go back, and whatever it refuses changes nothing.
func TestPropertyReports(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := NewBook("s1", rapid.IntRange(0, 4).Draw(t, "max final"))
		n := rapid.IntRange(1, 4).Draw(t, "orders")
		for i := range n {
			spec := buy(money.FromUnits(rapid.Int64Range(1, 1e12).Draw(t, "quantity")).String())
			if _, err := b.Submitted(fmt.Sprint(i), spec, dec("100"), t0); err != nil {
				t.Fatal(err)
			}
		}
		states := rapid.SampledFrom(append(allStates, 0, 7))
		for range rapid.IntRange(0, 60).Draw(t, "reports") {
			id := fmt.Sprint(rapid.IntRange(0, n-1).Draw(t, "order"))
			before, held := b.Get(id)
			counts := b.Counts()
			r := rep(before, states.Draw(t, "state"), "", "")
			if rapid.Bool().Draw(t, "fill") {
				rem := max(before.Remaining.Units(), 1)
				q := money.FromUnits(rapid.OneOf(rapid.Int64Range(1, rem), rapid.Just(rem), rapid.Int64Range(-1, rem+1)).Draw(t, "fill quantity"))
				p := money.FromUnits(rapid.Int64Range(0, 1e13).Draw(t, "fill price"))
				r.FillQuantity, r.FillPrice, r.Fee = q, p, fee(q, p)
				r.Filled, r.Remaining = before.Filled.Add(q), before.Remaining.Sub(q)
			}
			if rapid.IntRange(0, 20).Draw(t, "garble") == 0 {
				r.Filled = r.Filled.Add(money.FromUnits(1))
			}

			e, err := b.Apply(r)
			if !held {
				if !errors.Is(err, ErrUnknownOrder) {
					t.Fatalf("report for a dropped order: %v", err)
				}
				continue
			}
			if err != nil {
				now, _ := b.Get(id)
				if !errors.Is(err, ErrIllegalTransition) && !errors.Is(err, ErrBadReport) {
					t.Fatalf("unexpected error: %v", err)
				}
				if !reflect.DeepEqual(now, before) || b.Counts() != counts {
					t.Fatalf("refused report changed the book: %v", err)
				}
				continue
			}
			// The order as the event tells it: a finished one may be gone
			// from the book already.
			after := e.Order
			after.Fills = slices.Clone(before.Fills)
			if e.HasFill() {
				after.Fills = append(after.Fills, e.Fill)
			}
			if now, ok := b.Get(id); ok && !reflect.DeepEqual(now, after) {
				t.Fatalf("book has %+v, its event said %+v", now, after)
			}
			checkOrder(t, after)
			if rank(after.State) < rank(before.State) || before.State.Final() {
				t.Fatalf("%s → %s", before.State, after.State)
			}
			if after.AveragePrice != exactAverage(after.Fills) {
				t.Fatalf("average %s, exact %s", after.AveragePrice, exactAverage(after.Fills))
			}
			if (after.State == venue.StateFilled) != after.Remaining.IsZero() {
				t.Fatalf("state %s with %s remaining", after.State, after.Remaining)
			}
		}
		list, omitted := b.List(false, 0)
		if c := b.Counts(); uint64(len(list))+omitted != uint64(n) || omitted != c.Dropped {
			t.Fatalf("%d listed + %d omitted, %d submitted; counts %+v", len(list), omitted, n, c)
		}
		var open int
		for _, o := range list {
			if !o.State.Final() {
				open++
			}
		}
		if open != b.OpenCount() {
			t.Fatalf("OpenCount %d, %d open listed", b.OpenCount(), open)
		}
	})
}
