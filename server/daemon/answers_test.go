package daemon

import (
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/session"
)

// status, portfolio and a kill-switch reset show one count of refused
// orders: the guard's, not a zero one of them made up.
func TestRefusedOrdersAreTheSameEverywhere(t *testing.T) {
	for _, withStore := range []bool{false, true} {
		opts, dir := session.Options{}, t.TempDir()
		if withStore {
			opts.Store = openStore(t, dir)
		}
		h := start(t, opts)
		c := tradingv1.NewTradingServiceClient(h.conn)
		ctx := authed(context.Background())
		req := &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
			Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond),
			// One order live at a time: the grid's others are refused.
			Risk: &tradingv1.RiskLimits{MaxOpenOrders: 1}}}
		if _, err := c.StartTrading(ctx, req); err != nil {
			t.Fatal(err)
		}
		eventually(t, "refused orders", func() bool {
			st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
			return err == nil && st.GetSession().GetSummary().GetRisk().GetRejectedOrders() > 0
		})
		// A reset while running answers with the guard's count so far.
		reset, err := c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "test"})
		if err != nil || reset.GetRisk().GetRejectedOrders() == 0 {
			t.Errorf("reset says %v refused (%v), status more than 0", reset.GetRisk(), err)
		}
		stop, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{})
		if err != nil {
			t.Fatal(err)
		}
		want := stop.GetSession().GetSummary().GetRisk().GetRejectedOrders()
		st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
		if err != nil || st.GetSession().GetSummary().GetRisk().GetRejectedOrders() != want {
			t.Fatalf("status after stop: %v %v, want %d refused", st.GetSession().GetSummary().GetRisk(), err, want)
		}
		p, err := c.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{})
		if err != nil || p.GetPortfolio().GetRisk().GetRejectedOrders() != want {
			t.Errorf("store %v: portfolio says %v refused (%v), status %d", withStore, p.GetPortfolio().GetRisk(), err, want)
		}
		h.stop(t)
		if withStore {
			// A restarted daemon reads the count back from the store.
			h = start(t, session.Options{Store: openStore(t, dir)})
			c = tradingv1.NewTradingServiceClient(h.conn)
			p, err := c.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{SessionId: stop.GetSession().GetId()})
			if err != nil || p.GetPortfolio().GetRisk().GetRejectedOrders() != want {
				t.Errorf("stored portfolio says %v refused (%v), status %d", p.GetPortfolio().GetRisk(), err, want)
			}
			h.stop(t)
		}
	}
}
