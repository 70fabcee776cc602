package service

import (
	"context"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/settings/settingspb"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/internal/venue/venuepb"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/backtests"
)

// RunBacktest runs a backtest on the caller's goroutine, never the trading
// loop's, until it ends or the call's context does.
func (t *Trading) RunBacktest(ctx context.Context, req *tradingv1.RunBacktestRequest) (*tradingv1.RunBacktestResponse, error) {
	set, err := settingspb.FromProto(req.GetSettings())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	res, err := t.backtests.Run(ctx, backtests.Request{Settings: set, SimDuration: req.GetSimDuration().AsDuration(),
		SampleEvery: req.GetSampleEvery().AsDuration()})
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	return backtestToProto(res), nil
}

// StopBacktests ends the backtest under way (its caller is told
// SHUTTING_DOWN) and refuses later ones. The daemon calls it as it shuts
// down, before the gRPC server's graceful stop, which would otherwise
// wait for the backtest to finish.
func (t *Trading) StopBacktests() { t.backtests.Close() }

func backtestToProto(r *backtest.Result) *tradingv1.RunBacktestResponse {
	out := &tradingv1.RunBacktestResponse{
		Result: &tradingv1.BacktestResult{
			Strategy: r.Strategy, Params: r.Params, FirstEvent: timestamppb.New(r.FirstEvent),
			LastEvent: timestamppb.New(r.LastEvent), Events: r.Events, Orders: r.Orders, RejectedOrders: r.Rejected,
			Fills: uint64(r.Fills), StartingEquity: r.StartingEquity.String(), FinalEquity: r.FinalEquity.String(),
			NetPnl: r.NetPnL.String(), RealizedPnl: r.RealizedPnL.String(), UnrealizedPnl: r.UnrealizedPnL.String(),
			Fees: r.Fees.String(), MaxDrawdown: r.MaxDrawdown.String(), MaxDrawdownFraction: r.MaxDrawdownPct.String(),
			SharpeNote: r.SharpeNote, KillSwitch: r.KillSwitch,
		},
		ChartEvery: durationpb.New(r.Chart.Every),
	}
	if r.Sharpe != nil {
		out.Result.Sharpe = *r.Sharpe
	}
	for _, p := range r.Positions {
		out.Result.Positions = append(out.Result.Positions, &tradingv1.Position{Symbol: p.Symbol,
			Quantity: p.Quantity.String(), AveragePrice: p.AveragePrice.String(), MarkPrice: p.MarkPrice.String(),
			UnrealizedPnl: p.UnrealizedPnL.String()})
	}
	for _, row := range r.Summary() {
		out.Summary = append(out.Summary, &tradingv1.SummaryRow{Label: row.Label, Value: row.Value})
	}
	out.Equity = make([]*tradingv1.EquityPoint, len(r.Chart.Equity))
	for i, p := range r.Chart.Equity {
		out.Equity[i] = &tradingv1.EquityPoint{Time: timestamppb.New(p.Time), Equity: p.Equity.String(),
			Drawdown: p.Drawdown.String()}
	}
	for _, s := range r.Chart.Prices {
		ps := &tradingv1.PriceSeries{Symbol: s.Symbol, Points: make([]*tradingv1.PricePoint, len(s.Points))}
		for i, p := range s.Points {
			ps.Points[i] = &tradingv1.PricePoint{Time: timestamppb.New(p.Time), Price: p.Price.String()}
		}
		out.Prices = append(out.Prices, ps)
	}
	trades := r.Trades[:min(len(r.Trades), backtests.MaxTrades)]
	out.Trades = make([]*tradingv1.StoredFill, len(trades))
	seq := make(map[string]uint32) // 1, 2, 3... per order, as a session's fills
	for i := range trades {
		tr := &trades[i]
		seq[tr.OrderID]++
		out.Trades[i] = &tradingv1.StoredFill{ClientOrderId: tr.OrderID, Sequence: seq[tr.OrderID], Symbol: tr.Symbol,
			Side: sideToProto(tr.Side), Fill: &tradingv1.Fill{Quantity: tr.Quantity.String(), Price: tr.Price.String(),
				Fee: tr.Fee.String(), Liquidity: liquidityToProto(tr.Liquidity), Slippage: tr.Slippage.String(),
				Time: timestamppb.New(tr.Time)}}
	}
	return out
}

// sideToProto reads backtest.Trade's side, which is venue.Side's name.
func sideToProto(s string) tradingv1.OrderSide {
	switch s {
	case venue.Buy.String():
		return venuepb.Side(venue.Buy)
	case venue.Sell.String():
		return venuepb.Side(venue.Sell)
	}
	return tradingv1.OrderSide_ORDER_SIDE_UNSPECIFIED
}

// liquidityToProto reads backtest.Trade's liquidity ("maker", "taker").
func liquidityToProto(l string) tradingv1.Liquidity {
	if l == "maker" {
		return venuepb.Liquidity(venue.Maker)
	}
	return venuepb.Liquidity(venue.Taker)
}
