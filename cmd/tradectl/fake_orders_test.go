package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func testRisk() *tradingv1.Risk {
	return &tradingv1.Risk{State: tradingv1.TradingState_TRADING_STATE_HALTED, Reason: "drawdown 21% exceeds 20%",
		Since: timestamppb.New(testStart.Add(time.Minute)), RejectedOrders: 4}
}

// testOrders: a post-only limit buy filled in two parts, and a rejected
// market sell.
func testOrders() []*tradingv1.Order {
	at := timestamppb.New(testStart.Add(2 * time.Second))
	return []*tradingv1.Order{{
		ClientOrderId: "ord-1", SessionId: "0123456789abcdef", Symbol: "BTC-USD",
		Side: tradingv1.OrderSide_ORDER_SIDE_BUY, Type: tradingv1.OrderType_ORDER_TYPE_LIMIT,
		TimeInForce: tradingv1.TimeInForce_TIME_IN_FORCE_GTC, PostOnly: true,
		Quantity: "4", Price: "100.00", State: tradingv1.OrderState_ORDER_STATE_FILLED,
		FilledQuantity: "4", AveragePrice: "99.75", Fees: "0.08", UpdateTime: at,
		Fills: []*tradingv1.Fill{
			{Quantity: "1", Price: "99.00", Fee: "0.02", Liquidity: tradingv1.Liquidity_LIQUIDITY_MAKER, Slippage: "0.10", Time: at},
			{Quantity: "3", Price: "100.00", Fee: "0.06", Liquidity: tradingv1.Liquidity_LIQUIDITY_TAKER, Slippage: "0.30", Time: at, VenueTradeId: 7741},
		},
	}, {
		ClientOrderId: "ord-2", Symbol: "ETH-USD", Side: tradingv1.OrderSide_ORDER_SIDE_SELL,
		Type: tradingv1.OrderType_ORDER_TYPE_MARKET, Quantity: "2", State: tradingv1.OrderState_ORDER_STATE_REJECTED,
		Reason: "risk: max position 1", UpdateTime: at,
	}}
}

func (f *fakeDaemon) ListStrategies(ctx context.Context, _ *tradingv1.ListStrategiesRequest) (*tradingv1.ListStrategiesResponse, error) {
	return &tradingv1.ListStrategiesResponse{Strategies: []*tradingv1.StrategyInfo{
		{Name: "sma", Description: "moving-average crossover", Params: []*tradingv1.StrategyParam{
			{Name: "fast", DefaultValue: "5", Description: "fast window, ticks"},
			{Name: "slow", DefaultValue: "20", Description: "slow window, ticks"},
		}},
		{Name: "hold", Description: "never trades"},
	}}, f.begin(ctx)
}

func (f *fakeDaemon) ListOrders(ctx context.Context, req *tradingv1.ListOrdersRequest) (*tradingv1.ListOrdersResponse, error) {
	f.mu.Lock()
	f.ordersReq = req
	paged, huge, tagged := f.paged, f.huge, f.tagged
	f.pageReqs++
	f.mu.Unlock()
	resp := &tradingv1.ListOrdersResponse{SessionId: "0123456789abcdef", Orders: testOrders(), Omitted: 5}
	if tagged {
		resp.Orders[0].Tag = "grid.lvl-3"
	}
	if huge {
		resp.Orders[1].Reason = strings.Repeat("x", 5<<20)
	}
	if paged {
		resp.Orders, resp.NextPageToken = onePage(resp.Orders, req.GetPageToken())
	}
	return resp, f.begin(ctx)
}

// onePage answers the page that token names ("" the first, then "p1",
// "p2"...), one item per page.
func onePage[T any](all []T, token string) ([]T, string) {
	i := 0
	if token != "" {
		i, _ = strconv.Atoi(strings.TrimPrefix(token, "p"))
	}
	if i+1 >= len(all) {
		return all[i:], ""
	}
	return all[i : i+1], "p" + strconv.Itoa(i+1)
}

func (f *fakeDaemon) GetPortfolio(ctx context.Context, req *tradingv1.GetPortfolioRequest) (*tradingv1.GetPortfolioResponse, error) {
	f.mu.Lock()
	f.portfolioReq = req
	f.mu.Unlock()
	return &tradingv1.GetPortfolioResponse{Portfolio: &tradingv1.Portfolio{
		SessionId: "0123456789abcdef", QuoteCurrency: "USD", StartingCash: "100000", Cash: "99600.92",
		Equity: "99987.50", RealizedPnl: "-2.50", UnrealizedPnl: "-10.00", FeesPaid: "0.08",
		Positions: []*tradingv1.Position{{Symbol: "BTC-USD", Quantity: "4", AveragePrice: "99.75", MarkPrice: "97.25", UnrealizedPnl: "-10.00"}},
		Risk:      testRisk(), Time: timestamppb.New(testStart.Add(3 * time.Second)),
	}}, f.begin(ctx)
}

func (f *fakeDaemon) ResetKillSwitch(ctx context.Context, req *tradingv1.ResetKillSwitchRequest) (*tradingv1.ResetKillSwitchResponse, error) {
	f.mu.Lock()
	f.resetReq = req
	f.mu.Unlock()
	return &tradingv1.ResetKillSwitchResponse{Risk: &tradingv1.Risk{State: tradingv1.TradingState_TRADING_STATE_ACTIVE,
		Since: timestamppb.New(testStart.Add(5 * time.Minute)), RejectedOrders: 4}}, f.begin(ctx)
}

// WatchOrders sends its headers at once, as tradingd should. The first
// subscriber gets an acceptance and a fill, then is ended as a laggard;
// later ones get an event every 5ms.
func (f *fakeDaemon) WatchOrders(_ *tradingv1.WatchOrdersRequest, stream grpc.ServerStreamingServer[tradingv1.WatchOrdersResponse]) error {
	f.mu.Lock()
	f.orderSubs++
	first, refused := f.orderSubs == 1, f.orderSubs <= f.refuseOrderSubs
	f.mu.Unlock()
	if refused {
		return status.Error(codes.ResourceExhausted,
			"too many watchers: tradingd serves at most 1 WatchOrders streams at once (--max-order-watchers); retry later")
	}
	if err := stream.SendHeader(nil); err != nil {
		return err
	}
	o := testOrders()[0]
	fill := o.Fills[0]
	o.Fills = nil
	o.State = tradingv1.OrderState_ORDER_STATE_ACCEPTED
	if err := stream.Send(&tradingv1.WatchOrdersResponse{Event: &tradingv1.OrderEvent{Sequence: 1, Order: o}}); err != nil {
		return err
	}
	o.State = tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED
	if err := stream.Send(&tradingv1.WatchOrdersResponse{Event: &tradingv1.OrderEvent{Sequence: 2, Order: o, Fill: fill}}); err != nil {
		return err
	}
	if first {
		return withInfo(codes.ResourceExhausted, "watcher fell behind by 4096 events", client.ReasonWatcherLagged)
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for seq := uint64(3); ; seq++ {
		select {
		case <-stream.Context().Done():
			return stream.Context().Err()
		case <-tick.C:
		}
		if err := stream.Send(&tradingv1.WatchOrdersResponse{Event: &tradingv1.OrderEvent{Sequence: seq, Order: o}}); err != nil {
			return err
		}
	}
}
