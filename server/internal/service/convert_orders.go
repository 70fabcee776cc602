package service

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/internal/venue/venuepb"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
)

func riskToProto(r session.RiskStatus) *tradingv1.Risk {
	p := &tradingv1.Risk{Reason: r.Reason, Since: optTime(r.Since), RejectedOrders: r.Rejects}
	switch r.State {
	case risk.Active:
		p.State = tradingv1.TradingState_TRADING_STATE_ACTIVE
	case risk.Reducing:
		p.State = tradingv1.TradingState_TRADING_STATE_REDUCING
	case risk.Halted:
		p.State = tradingv1.TradingState_TRADING_STATE_HALTED
	}
	return p
}

func orderToProto(o *orders.Order, withFills bool) *tradingv1.Order {
	p := &tradingv1.Order{
		ClientOrderId:     o.ClientID,
		SessionId:         o.SessionID,
		Symbol:            o.Spec.Symbol,
		Side:              venuepb.Side(o.Spec.Side),
		Type:              venuepb.Type(o.Spec.Type),
		TimeInForce:       venuepb.TimeInForce(o.Spec),
		PostOnly:          o.Spec.PostOnly,
		Quantity:          o.Spec.Quantity.String(),
		State:             venuepb.State(o.State),
		Reason:            o.Reason,
		FilledQuantity:    o.Filled.String(),
		RemainingQuantity: o.Remaining.String(),
		Fees:              o.Fees.String(),
		DecisionPrice:     o.DecisionPrice.String(),
		CreateTime:        optTime(o.Created),
		UpdateTime:        optTime(o.Updated),
		Tag:               o.Spec.Tag,
	}
	if o.Spec.Type == venue.Limit {
		p.Price = o.Spec.Price.String()
	}
	if o.Filled.IsPositive() {
		p.AveragePrice = o.AveragePrice.String()
	}
	if withFills {
		for i := range o.Fills {
			p.Fills = append(p.Fills, fillToProto(&o.Fills[i]))
		}
	}
	return p
}

func fillToProto(f *orders.Fill) *tradingv1.Fill {
	p := &tradingv1.Fill{
		Quantity: f.Quantity.String(), Price: f.Price.String(), Fee: f.Fee.String(),
		Slippage: f.Slippage.String(), Time: timestamppb.New(f.Time), Liquidity: venuepb.Liquidity(f.Liquidity),
		VenueTradeId: f.TradeID,
	}
	return p
}

func orderEventToProto(e *orders.Event) *tradingv1.OrderEvent {
	p := &tradingv1.OrderEvent{Sequence: e.Seq, Order: orderToProto(&e.Order, false), FillSequence: e.FillSeq}
	if e.HasFill() {
		p.Fill = fillToProto(&e.Fill)
	}
	return p
}

func portfolioToProto(id string, p *portfolio.Snapshot) *tradingv1.Portfolio {
	out := &tradingv1.Portfolio{
		SessionId: id, QuoteCurrency: p.QuoteCurrency, StartingCash: p.StartingCash.String(),
		Cash: p.Cash.String(), Equity: p.Equity.String(), RealizedPnl: p.RealizedPnL.String(),
		UnrealizedPnl: p.UnrealizedPnL.String(), FeesPaid: p.FeesPaid.String(),
	}
	for _, pos := range p.Positions {
		out.Positions = append(out.Positions, positionToProto(pos))
	}
	return out
}

func positionToProto(pos portfolio.PositionSnapshot) *tradingv1.Position {
	return &tradingv1.Position{
		Symbol: pos.Symbol, Quantity: pos.Quantity.String(), AveragePrice: pos.AveragePrice.String(),
		MarkPrice: pos.MarkPrice.String(), UnrealizedPnl: pos.UnrealizedPnL.String(),
	}
}

func strategiesToProto(specs []strategy.Spec) []*tradingv1.StrategyInfo {
	out := make([]*tradingv1.StrategyInfo, 0, len(specs))
	for _, s := range specs {
		info := &tradingv1.StrategyInfo{Name: s.Name, Description: s.Description}
		for _, p := range s.Params {
			info.Params = append(info.Params, &tradingv1.StrategyParam{Name: p.Name, DefaultValue: p.Default, Description: p.Description})
		}
		out = append(out, info)
	}
	return out
}
