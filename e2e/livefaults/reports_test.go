package livefaults

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venueemu"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// An order sweeps several levels of the book, so it fills in several
// trades, and the venue sends every trade's execution report twice and
// out of order; its answer is withheld too, so the reports are what tell
// us first, and the order query after the timeout tells us all again.
// Each trade is booked exactly once, by its trade id, the order ends
// FILLED with exactly its quantity, and nothing but the venue's latency
// (the timed-out answer) turns unhealthy for it.
func TestDuplicateAndReorderedReports(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{AcceptThenTimeout: 1, DuplicateReports: 20, ReorderReports: 20, ReportType: "TRADE"})
	l.marketBuy("sweep", "3")
	harness.Eventually(t, waitFor, "the order's answer to time out", func() bool {
		return strings.Contains(l.d.Log.String(), "order outcome unknown")
	})
	o := l.order(t, "sweep")
	wantState(t, o, tradingv1.OrderState_ORDER_STATE_FILLED)
	if q := money.MustParse(o.GetFilledQuantity()); q != money.MustParse("3") {
		t.Errorf("filled %s of 3", q)
	}
	if n := l.checkBooks(t); n < 2 {
		t.Fatalf("the order filled in %d trade(s): nothing was duplicated or reordered across trades", n)
	}
	l.venue.SetFaults(t, venueemu.Faults{})
	// The venue keeps the timed-out answer in its minute of latencies.
	l.waitComponent(t, "venue", "venue naming the timed-out answer", at(degraded, "slow answers"))
	l.waitHealthy(t, "every other component HEALTHY", "venue")
}

// A depth update is lost: the book sees the gap in the update ids and
// resyncs from a snapshot (delayed here, so that the gap lasts):
// market_data says the book is not in sync, an order decided on that
// symbol meanwhile is refused without reaching the venue, and once the
// snapshot is in the book is in sync again, counted as a resync, and the
// next order fills.
func TestDepthGap(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{DepthGaps: 1, DelayPath: "/api/v3/depth", DelayMillis: 4000, DelayCount: 1})
	c := l.waitComponent(t, "market_data", "market_data DEGRADED for the gap", faulty("book not in sync"))
	m := regexp.MustCompile(`([A-Z]+-USD): book not in sync`).FindStringSubmatch(c.GetReason())
	if m == nil {
		t.Fatalf("market_data names no symbol out of sync: %q", c.GetReason())
	}
	sym := m[1]
	blind := l.order(t, l.buy("blind", sym, "0.05"))
	wantState(t, blind, tradingv1.OrderState_ORDER_STATE_REJECTED, "not in sync")
	for _, r := range l.venue.Ledger(t).Requests {
		if r.ClientID == blind.GetClientOrderId() {
			t.Errorf("an order on a book out of sync reached the venue: %+v", r)
		}
	}
	l.waitComponent(t, "market_data", "market_data HEALTHY after the resync", func(c *tradingv1.ComponentHealth) bool {
		return c.GetStatus() == healthy && !strings.Contains(c.GetReason(), " 0 resyncs")
	})
	wantState(t, l.order(t, l.buy("after", sym, "0.05")), tradingv1.OrderState_ORDER_STATE_FILLED)
	l.checkBooks(t)
}
