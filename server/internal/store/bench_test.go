package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

var durabilities = []Durability{DurabilityProcess, DurabilityMachine}

// BenchmarkCommitFills is persisted fills per second with batch fills per
// transaction, spread over 1000 resting orders.
func BenchmarkCommitFills(b *testing.B) {
	for _, d := range durabilities {
		for _, batch := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("%s/batch=%d", d, batch), func(b *testing.B) {
				ctx := context.Background()
				s := openStore(b, b.TempDir(), Options{Durability: d})
				createSession(b, s, "s1", StateRunning)
				const nOrders = 1000
				setup := &Batch{SessionID: "s1"}
				for i := range nOrders {
					setup.NewOrders = append(setup.NewOrders, OrderRow{ClientID: fmt.Sprintf("s1-%d", i), Seq: uint64(i + 1),
						Spec: limitBuy("BTC-USD", "1000000", "100"), Created: t0})
				}
				if err := s.CommitTick(ctx, setup); err != nil {
					b.Fatal(err)
				}
				ids := make([]string, nOrders)
				for i := range ids {
					ids[i] = fmt.Sprintf("s1-%d", i)
				}
				fill := orders.Fill{Quantity: dec("0.01"), Price: dec("100"), Fee: dec("0.001"), Liquidity: venue.Maker, Time: t0}
				tick := &Batch{SessionID: "s1", Fills: make([]FillRow, batch)}
				n := 0
				b.ResetTimer()
				for b.Loop() {
					for j := range tick.Fills {
						tick.Fills[j] = FillRow{ClientID: ids[n%nOrders], Seq: n/nOrders + 1, Fill: fill}
						n++
					}
					if err := s.CommitTick(ctx, tick); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "fills/s")
			})
		}
	}
}

// BenchmarkCommitTick is the store's cost per tick of the trading loop.
// A busy tick has two new orders, four transitions, two fills, a portfolio
// of three positions, the risk state, and the venue's three open orders
// and a ring of finished ids; a quiet one, the common case, only the
// portfolio and risk state (new marks, new equity).
func BenchmarkCommitTick(b *testing.B) {
	for _, d := range durabilities {
		b.Run(d.String()+"/quiet", func(b *testing.B) {
			ctx := context.Background()
			s := openStore(b, b.TempDir(), Options{Durability: d})
			createSession(b, s, "s1", StateRunning)
			risk := &RiskRow{State: risk.Active, StartEquity: dec("100000"), PeakEquity: dec("100500"), Equity: dec("100400")}
			tick := 0
			var lat latencies
			for b.Loop() {
				tick++
				batch := &Batch{SessionID: "s1", Time: at(time.Duration(tick) * time.Second), Portfolio: threePositions("50000"), Risk: risk}
				start := time.Now()
				if err := s.CommitTick(ctx, batch); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			lat.report(b)
		})
		b.Run(d.String()+"/busy", func(b *testing.B) {
			ctx := context.Background()
			s := openStore(b, b.TempDir(), Options{Durability: d})
			createSession(b, s, "s1", StateRunning)
			risk := &RiskRow{State: risk.Active, StartEquity: dec("100000"), PeakEquity: dec("100500"), Equity: dec("100400")}
			finished := make([]matching.FinishedOrder, 0, 100)
			resting := make([]matching.OrderState, 3)
			for i := range resting {
				resting[i] = matching.OrderState{ClientID: fmt.Sprintf("rest-%d", i), Spec: limitBuy("BTC-USD", "0.1", "59000"),
					Seq: uint64(i + 1), Submitted: t0, Arrival: t0, State: venue.StateAccepted, Active: true, Queue: i}
			}
			portfolio := threePositions("50000")
			tick := 0
			var lat latencies
			b.ResetTimer()
			for b.Loop() {
				tick++
				now := at(time.Duration(tick) * time.Second)
				a, c := fmt.Sprintf("s1-%d", 2*tick-1), fmt.Sprintf("s1-%d", 2*tick)
				finished = append(finished, matching.FinishedOrder{ClientID: c, State: venue.StateFilled})
				if len(finished) > 100 {
					finished = finished[1:]
				}
				fill := orders.Fill{Quantity: dec("0.05"), Price: dec("60000"), Fee: dec("0.3"), Liquidity: venue.Taker, Time: now}
				batch := &Batch{SessionID: "s1", Time: now,
					NewOrders: []OrderRow{
						{ClientID: a, Seq: uint64(2*tick - 1), Spec: limitBuy("BTC-USD", "0.1", "59000"), Created: now},
						{ClientID: c, Seq: uint64(2 * tick), Spec: marketSell("BTC-USD", "0.1"), Created: now},
					},
					Transitions: []TransitionRow{
						{ClientID: a, Seq: 1, State: venue.StateAccepted, Remaining: dec("0.1"), Time: now},
						{ClientID: c, Seq: 1, State: venue.StateAccepted, Remaining: dec("0.1"), Time: now},
						{ClientID: c, Seq: 2, State: venue.StatePartiallyFilled, Filled: dec("0.05"), Remaining: dec("0.05"), Time: now},
						{ClientID: c, Seq: 3, State: venue.StateFilled, Filled: dec("0.1"), Remaining: dec("0"), Time: now},
					},
					Fills: []FillRow{{ClientID: c, Seq: 1, Fill: fill}, {ClientID: c, Seq: 2, Fill: fill}},
					// One event per submission and per transition, as
					// the journal makes them.
					Events: []EventRow{{ClientID: a}, {ClientID: c}, {ClientID: a, History: 1}, {ClientID: c, History: 1},
						{ClientID: c, History: 2, Fill: 1, AveragePrice: dec("60000"), Fees: dec("0.3")},
						{ClientID: c, History: 3, Fill: 2, AveragePrice: dec("60000"), Fees: dec("0.6")}},
					Portfolio: portfolio,
					Risk:      risk,
					Venue:     &matching.State{Seq: uint64(2 * tick), Orders: resting, Finished: finished},
				}
				start := time.Now()
				if err := s.CommitTick(ctx, batch); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			lat.report(b)
		})
	}
}

// latencies are per-commit times, for the tail a mean hides: a tick that
// meets a checkpoint.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(l[len(l)-1].Nanoseconds()), "max-ns")
}
