package binance

import (
	"context"
	"fmt"
	"testing"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/internal/venueemu"
)

// BenchmarkReconcile1000OpenOrdersLoopback is reconciliation at start with
// 1,000 of our orders open (200 on each of five symbols, the venue's
// MAX_NUM_ORDERS), against the rehearsal venue in this process over real
// HTTP on loopback: the open orders listed symbol by symbol, the account
// fetched, all of it signed, sent, parsed and compared. Nothing is missing,
// so no order is queried one by one (BenchmarkReconcile1000OpenOrders
// measures the pass's own work with missed fills, without the network).
func BenchmarkReconcile1000OpenOrdersLoopback(b *testing.B) {
	ctx := context.Background()
	bases := map[string]string{"BTC": "30000", "ETH": "1500", "SOL": "75", "LTC": "40", "LINK": "7.5"}
	qty := map[string]string{"BTC": "0.001", "ETH": "0.01", "SOL": "0.1", "LTC": "0.1", "LINK": "1"}
	var syms []string
	for base := range bases {
		syms = append(syms, base+"-USD")
	}
	cash := money.FromInt(10_000_000)
	emu, err := venueemu.New(venueemu.Config{Symbols: syms, APIKey: "k", Secret: "s3cret",
		Balances: map[string]money.Decimal{"USDT": cash},
		Limits:   venueemu.Limits{WeightPerMinute: 1 << 40, OrdersPer10s: 1 << 40, OrdersPerDay: 1 << 40}})
	if err != nil {
		b.Fatal(err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	rest, err := NewREST(Config{Endpoints: EmulatorEndpoints(emu.URL()), Env: "emulator",
		Keys: Keys{APIKey: NewSecret("k"), Secret: NewSecret("s3cret")}})
	if err != nil {
		b.Fatal(err)
	}
	// Resting buys at half the listing price: far below the market, inside
	// PERCENT_PRICE_BY_SIDE (down to 0.2 of the average).
	snap := Snapshot{Prefix: "tB-", Expected: map[string]money.Decimal{"USDT": cash}, Settled: true}
	for i := range 1000 {
		sym := syms[i%len(syms)]
		base := sym[:len(sym)-4]
		spec := venue.OrderSpec{Symbol: sym, Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
			Quantity: money.MustParse(qty[base]), Price: money.MustParse(bases[base])}
		id := fmt.Sprintf("tB-%d", i)
		if u, err := rest.Place(ctx, OrderRequest{ClientID: id, Spec: spec}); err != nil || u.Status != StatusNew {
			b.Fatalf("place %s: %+v, %v", id, u, err)
		}
		snap.Open = append(snap.Open, Recovered{Order: venue.OpenOrder{ClientID: id, Spec: spec, Active: true}})
	}
	rc := NewReconciler(rest, recNopSink{}, ReconcileConfig{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := rc.Reconcile(ctx, snap)
		if err != nil || rep.Orders != 1000 || rep.Queried != 0 || len(rep.Missed) != 0 || len(rep.Strays) != 0 ||
			len(rep.Drift) != 0 || len(rep.Errors) != 0 {
			b.Fatalf("report %+v, err %v", rep, err)
		}
	}
}
