//go:build chaos

package chaos

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// A commit to the store fails mid-session: trading halts at once with the
// reason in health, no order is sent while the books are ahead of the disk,
// the failed tick is committed with the next one (nothing lost), and
// trading resumes only on a deliberate reset.
func TestStoreFailureHaltsAndLosesNothing(t *testing.T) {
	_, c := daemon(t, "store:fail@15")
	s := settings(20*time.Millisecond, time.Second, false)
	s.Strategy = "grid"
	start(t, c, s)
	harness.Eventually(t, 30*time.Second, "the halt", func() bool {
		return status(t, c).GetSession().GetSummary().GetRisk().GetState() == tradingv1.TradingState_TRADING_STATE_HALTED
	})
	if r := status(t, c).GetSession().GetSummary().GetRisk().GetReason(); !strings.Contains(r, "store failed") {
		t.Fatalf("risk reason %q", r)
	}
	harness.Eventually(t, 10*time.Second, "health to say so", func() bool {
		h := status(t, c).GetHealth()
		return h.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY && strings.Contains(h.GetReason(), "store failed")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	halted, err := c.ListOrders(ctx, false, 100000)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	still, _ := c.ListOrders(ctx, false, 100000)
	if len(still.GetOrders()) != len(halted.GetOrders()) {
		t.Fatalf("%d orders placed while halted", len(still.GetOrders())-len(halted.GetOrders()))
	}
	if _, err := c.ResetKillSwitch(ctx, "chaos: the disk is back"); err != nil {
		t.Fatal(err)
	}
	harness.Eventually(t, 30*time.Second, "trading to resume", func() bool {
		o, _ := c.ListOrders(ctx, false, 100000)
		return len(o.GetOrders()) > len(still.GetOrders())
	})
	stop(t, c)
	list, err := c.ListOrders(ctx, false, 100000)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.GetPortfolio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := harness.Reconcile(list, p.GetPortfolio()); err != nil {
		t.Fatal(err)
	}
}
