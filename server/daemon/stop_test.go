package daemon

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
)

// restThenHang rests one buy far below the market (on the tick, worth the
// minimum notional: the venue refuses anything else), then hangs the loop in
// its next tick until released.
type restThenHang struct {
	placed  atomic.Bool
	hanging atomic.Bool
	release chan struct{}
}

func (s *restThenHang) OnEvent(_ *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if !s.placed.Swap(true) {
		return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: venue.OrderSpec{Symbol: "BTC-USD",
			Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC, Quantity: money.MustParse("0.01"), Price: money.FromInt(1000)}})
	}
	s.hanging.Store(true)
	<-s.release
	return dst
}

// StopTrading against a loop that never returns answers by its deadline,
// naming the loop and the resting order it could not cancel.
func TestStopNamesWhatDidNotStopAndTheUnsettledOrders(t *testing.T) {
	strat := &restThenHang{release: make(chan struct{})}
	t.Cleanup(func() { close(strat.release) })
	h := start(t, session.Options{Assembler: assemble.Paper{Replace: func(p *assemble.Parts) { p.Strategy = strat }}})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.StartTrading(ctx, paperReq(10*time.Millisecond, "BTC-USD")); err != nil {
		t.Fatal(err)
	}
	var orderID string
	eventually(t, "the order to rest and the loop to hang", func() bool {
		o, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{OpenOnly: true})
		if err != nil || len(o.GetOrders()) != 1 {
			return false
		}
		orderID = o.GetOrders()[0].GetClientOrderId()
		return strat.hanging.Load()
	})
	resp, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(100 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	s := resp.GetSession()
	if !resp.GetWasRunning() || s.GetState() == tradingv1.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("state %v: a stop whose loop never returned is not STOPPED", s.GetState())
	}
	if kids := s.GetSummary().GetUnstoppedChildren(); len(kids) != 1 || kids[0] != "coordinator" {
		t.Fatalf("unstopped children = %v, want [coordinator]", kids)
	}
	if u := resp.GetUnsettledOrders(); len(u) != 1 || u[0] != orderID {
		t.Fatalf("unsettled orders = %v, want [%s]", u, orderID)
	}
}
