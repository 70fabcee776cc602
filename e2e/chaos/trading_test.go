//go:build chaos

package chaos

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Panics in the middle of trading, with orders resting at the venue and
// auto-restart on: the loop comes back with its venue, orders and account,
// and after the stop the books still reconcile to the last unit.
func TestPanicsWhileTradingKeepTheBooks(t *testing.T) {
	_, c := daemon(t, "strategy:panic@300,coordinator:panic@40,strategy:panic@900")
	s := settings(20*time.Millisecond, time.Second, true)
	s.Symbols = []string{"BTC-USD", "ETH-USD"}
	s.Strategy = "grid"
	start(t, c, s)
	harness.Eventually(t, 60*time.Second, "three restarts and trading again", func() bool {
		st := status(t, c).GetSession()
		return st.GetSummary().GetCoordinatorRestarts() == 3 && st.GetSummary().GetFills() > 0 && st.GetState() == running
	})
	stop(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := c.ListOrders(ctx, false, 10000)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.GetPortfolio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := harness.Reconcile(list, p.GetPortfolio())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.GetOrders() {
		if st := o.GetState(); st == tradingv1.OrderState_ORDER_STATE_ACCEPTED || st == tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED {
			t.Errorf("order %s left open by the stop", o.GetClientOrderId())
		}
	}
	t.Logf("%d orders, %d fills reconcile after 3 panics", len(list.GetOrders()), n)
}
