package session

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/store"
)

// A grid that hammers the orders-a-second limit (issue 9 §9) costs counts,
// not rows: the store holds the orders that went to the venue and one row
// per kind of refusal, whose counts add up to what the session refused.
func TestHammeringALimitIsCountedNotStored(t *testing.T) {
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, _ := newTestManager(t, func(o *Options) { o.Store = st; o.Assembler = assemble.Paper{} })
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 5
	snap, _, err := m.Start(settings.Settings{Mode: settings.ModePaper, Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD"},
		TickInterval: 10 * time.Millisecond, Strategy: "grid", Risk: &limits})
	if err != nil {
		t.Fatal(err)
	}
	// A few are enough to tell summing from storing; the grid backs off
	// after each, so more would only make the test slow on a busy machine.
	eventually(t, "refusals", func() bool { return m.cur.coord.Stats().Rejects >= 10 })
	final, _, _, err := m.Stop(context.Background(), StopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := final.Summary
	ctx := context.Background()
	stored, _, err := st.ListOrders(ctx, snap.ID, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(stored)) != sum.Orders {
		t.Errorf("the store holds %d orders, the session sent %d", len(stored), sum.Orders)
	}
	for _, o := range stored {
		if o.State == venue.StateRejected {
			t.Fatalf("a refused intent was stored as an order: %s %q", o.ClientID, o.Reason)
		}
	}
	rows, err := st.ListRefusals(ctx, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	var refused uint64
	for _, r := range rows {
		if r.Rule != coordinator.RuleIntentBudget {
			refused += r.Count
		}
		if r.Count == 0 || r.First.After(r.Last) || r.Reason == "" {
			t.Errorf("refusal row %+v", r)
		}
	}
	if refused != sum.Risk.Rejects || len(rows) > 3*2*2 {
		t.Fatalf("%d refusal rows counting %d, the session refused %d", len(rows), refused, sum.Risk.Rejects)
	}
	t.Logf("%d events, %d orders, %d refused in %d rows", sum.Events, sum.Orders, sum.Risk.Rejects, len(rows))
}
