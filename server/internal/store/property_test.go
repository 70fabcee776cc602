package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

// plan is one order's life: its spec and the reports the venue sends.
type plan struct {
	id      string
	spec    venue.OrderSpec
	reports []venue.ExecutionReport
}

// drawPlan draws an order and a legal life for it: rejected, or accepted
// then filled in parts and maybe cancelled, or left resting.
func drawPlan(t *rapid.T, n int) plan {
	side := rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(t, "side")
	qty := money.FromUnits(rapid.Int64Range(1, 5_000_000).Draw(t, "qty"))
	price := money.FromUnits(rapid.Int64Range(1, 10_000_000_000).Draw(t, "price"))
	p := plan{id: fmt.Sprintf("o-%d", n), spec: venue.OrderSpec{Symbol: rapid.SampledFrom([]string{"BTC-USD", "ETH-USD"}).Draw(t, "symbol"),
		Side: side, Type: venue.Limit, TIF: venue.GTC, Quantity: qty, Price: price}}
	report := func(state venue.OrderState, filled money.Decimal) venue.ExecutionReport {
		return venue.ExecutionReport{ClientID: p.id, Symbol: p.spec.Symbol, Side: side, State: state,
			Filled: filled, Remaining: qty.Sub(filled)}
	}
	if rapid.Float64Range(0, 1).Draw(t, "reject") < 0.1 {
		r := report(venue.StateRejected, money.Decimal{})
		r.Reason = "post-only would take"
		p.reports = append(p.reports, r)
		return p
	}
	p.reports = append(p.reports, report(venue.StateAccepted, money.Decimal{}))
	var filled money.Decimal
	for range rapid.IntRange(0, 4).Draw(t, "fills") {
		left := qty.Sub(filled)
		if left.IsZero() {
			break
		}
		q := money.FromUnits(rapid.Int64Range(1, left.Units()).Draw(t, "fill qty"))
		filled = filled.Add(q)
		state := venue.StatePartiallyFilled
		if filled == qty {
			state = venue.StateFilled
		}
		r := report(state, filled)
		r.FillQuantity, r.FillPrice = q, money.FromUnits(rapid.Int64Range(1, price.Units()).Draw(t, "fill price"))
		r.Fee = money.FromUnits(rapid.Int64Range(0, 1_000_000).Draw(t, "fee"))
		r.Liquidity = rapid.SampledFrom([]venue.Liquidity{venue.Maker, venue.Taker}).Draw(t, "liquidity")
		p.reports = append(p.reports, r)
	}
	if filled != qty && rapid.Bool().Draw(t, "cancel") {
		r := report(venue.StateCancelled, filled)
		r.Reason = "cancelled by the strategy"
		p.reports = append(p.reports, r)
	}
	return p
}

// Random order lives, interleaved and cut into ticks at random, read back
// from the store exactly as an orders.Book that saw the same reports holds
// them, and every order's fills sum to its filled quantity.
func TestPropertyOrdersRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	sessions := 0
	rapid.Check(t, func(t *rapid.T) {
		sessions++
		sid := fmt.Sprintf("s%d", sessions)
		if err := s.CreateSession(ctx, SessionRecord{ID: sid, State: StateRunning, SettingsJSON: []byte(`{}`), Started: t0}); err != nil {
			t.Fatal(err)
		}
		book := orders.NewBook(sid, 1000)
		plans := make([]plan, rapid.IntRange(1, 12).Draw(t, "orders"))
		for i := range plans {
			plans[i] = drawPlan(t, i+1)
		}
		next := make([]int, len(plans)) // per plan: -1 before submission, then the next report
		for i := range next {
			next[i] = -1
		}
		transitions := map[string]int{}
		fillSeq := map[string]int{}
		b := &Batch{SessionID: sid}
		step := 0
		var submitted uint64 // the loop's order counter, in submit order
		for {
			var ready []int
			for i, p := range plans {
				if next[i] < len(p.reports) {
					ready = append(ready, i)
				}
			}
			if len(ready) == 0 {
				break
			}
			i := rapid.SampledFrom(ready).Draw(t, "next order")
			p := &plans[i]
			step++
			now := at(time.Duration(step) * time.Millisecond)
			if next[i] < 0 {
				if _, err := book.Submitted(p.id, p.spec, p.spec.Price, now); err != nil {
					t.Fatal(err)
				}
				submitted++
				b.NewOrders = append(b.NewOrders, OrderRow{ClientID: p.id, Seq: submitted, Spec: p.spec,
					DecisionPrice: p.spec.Price, Created: now})
			} else {
				r := p.reports[next[i]]
				r.Time = now
				e, err := book.Apply(&r)
				if err != nil {
					t.Fatal(err)
				}
				transitions[p.id]++
				b.Transitions = append(b.Transitions, TransitionRow{ClientID: p.id, Seq: transitions[p.id], State: e.Order.State,
					Reason: e.Order.Reason, Filled: e.Order.Filled, Remaining: e.Order.Remaining, Time: now})
				if e.HasFill() {
					fillSeq[p.id]++
					b.Fills = append(b.Fills, FillRow{ClientID: p.id, Seq: fillSeq[p.id], Fill: e.Fill})
				}
			}
			next[i]++
			if rapid.Bool().Draw(t, "end tick") {
				if err := s.CommitTick(ctx, b); err != nil {
					t.Fatal(err)
				}
				b = &Batch{SessionID: sid, Time: now}
			}
		}
		if err := s.CommitTick(ctx, b); err != nil {
			t.Fatal(err)
		}

		for _, open := range []bool{false, true} {
			got, omitted, err := s.ListOrders(ctx, sid, open, 0)
			want, _ := book.List(open, 0)
			if err != nil || omitted != 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("ListOrders(open %v) = %v, %d omitted\n got %+v\nwant %+v", open, err, omitted, got, want)
			}
		}
		all, _, _ := s.ListOrders(ctx, sid, false, 0)
		for _, o := range all {
			var sum money.Decimal
			for _, f := range o.Fills {
				sum = sum.Add(f.Quantity)
			}
			if sum != o.Filled {
				t.Fatalf("order %s: fills sum to %s, filled %s", o.ClientID, sum, o.Filled)
			}
		}
		var stored int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM fills WHERE session_id = ?`, sid).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		var want int
		for _, n := range fillSeq {
			want += n
		}
		if stored != want {
			t.Fatalf("%d fills stored, %d made", stored, want)
		}
	})
}
