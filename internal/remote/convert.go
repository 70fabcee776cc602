package remote

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// maxDepth is the most levels a side a book event carries (see the hello's
// depth).
const maxDepth = 5

func bookUpdate(ev *market.Event, depth bool) *tradingv1.BookUpdate {
	b := &tradingv1.BookUpdate{Symbol: ev.Symbol, Bid: ev.Bid.String(), Ask: ev.Ask.String()}
	if depth && ev.Book != nil {
		// The source owns ev.Book and reuses it after this call: copied.
		b.Bids = levels(ev.Book.Bids)
		b.Asks = levels(ev.Book.Asks)
	}
	return b
}

func levels(ls []market.Level) []*tradingv1.PriceLevel {
	if len(ls) > maxDepth {
		ls = ls[:maxDepth]
	}
	out := make([]*tradingv1.PriceLevel, len(ls))
	for i, l := range ls {
		out[i] = &tradingv1.PriceLevel{Price: l.Price.String(), Size: l.Size.String()}
	}
	return out
}

func tradePrint(ev *market.Event) *tradingv1.TradePrint {
	t := &tradingv1.TradePrint{Symbol: ev.Symbol, Price: ev.Price.String(), Size: ev.Size.String()}
	switch ev.Aggressor {
	case 1:
		t.Aggressor = tradingv1.OrderSide_ORDER_SIDE_BUY
	case -1:
		t.Aggressor = tradingv1.OrderSide_ORDER_SIDE_SELL
	}
	return t
}

func sideToProto(s venue.Side) tradingv1.OrderSide {
	if s == venue.Sell {
		return tradingv1.OrderSide_ORDER_SIDE_SELL
	}
	return tradingv1.OrderSide_ORDER_SIDE_BUY
}

func typeToProto(t venue.OrderType) tradingv1.OrderType {
	if t == venue.Market {
		return tradingv1.OrderType_ORDER_TYPE_MARKET
	}
	return tradingv1.OrderType_ORDER_TYPE_LIMIT
}

func tifToProto(t venue.TimeInForce) tradingv1.TimeInForce {
	switch t {
	case venue.GTC:
		return tradingv1.TimeInForce_TIME_IN_FORCE_GTC
	case venue.IOC:
		return tradingv1.TimeInForce_TIME_IN_FORCE_IOC
	}
	return tradingv1.TimeInForce_TIME_IN_FORCE_UNSPECIFIED
}

func stateToProto(s venue.OrderState) tradingv1.OrderState {
	switch s {
	case venue.StateNew:
		return tradingv1.OrderState_ORDER_STATE_NEW
	case venue.StateAccepted:
		return tradingv1.OrderState_ORDER_STATE_ACCEPTED
	case venue.StatePartiallyFilled:
		return tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED
	case venue.StateFilled:
		return tradingv1.OrderState_ORDER_STATE_FILLED
	case venue.StateCancelled:
		return tradingv1.OrderState_ORDER_STATE_CANCELLED
	case venue.StateRejected:
		return tradingv1.OrderState_ORDER_STATE_REJECTED
	}
	return tradingv1.OrderState_ORDER_STATE_UNSPECIFIED
}

func liquidityToProto(l venue.Liquidity) tradingv1.Liquidity {
	switch l {
	case venue.Maker:
		return tradingv1.Liquidity_LIQUIDITY_MAKER
	case venue.Taker:
		return tradingv1.Liquidity_LIQUIDITY_TAKER
	}
	return tradingv1.Liquidity_LIQUIDITY_UNSPECIFIED
}

// orderToProto is o as the strategy sees it.
func orderToProto(o *order) *tradingv1.StrategyOrder {
	p := &tradingv1.StrategyOrder{Tag: o.tag, ClientOrderId: o.id, Symbol: o.spec.Symbol, Side: sideToProto(o.spec.Side),
		Type: typeToProto(o.spec.Type), TimeInForce: tifToProto(o.spec.TIF), Quantity: o.spec.Quantity.String(),
		State: stateToProto(o.state), FilledQuantity: o.filled.String()}
	if o.spec.Type == venue.Limit {
		p.Price = o.spec.Price.String()
	}
	return p
}

func fillToProto(r *venue.ExecutionReport) *tradingv1.Fill {
	return &tradingv1.Fill{Quantity: r.FillQuantity.String(), Price: r.FillPrice.String(), Fee: r.Fee.String(),
		Liquidity: liquidityToProto(r.Liquidity), Slippage: r.Slippage().String(), Time: timestamppb.New(r.Time)}
}
