package remote

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/internal/venue/venuepb"
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

// orderToProto is o as the strategy sees it.
func orderToProto(o *order) *tradingv1.StrategyOrder {
	p := &tradingv1.StrategyOrder{Tag: o.tag, ClientOrderId: o.id, Symbol: o.spec.Symbol, Side: venuepb.Side(o.spec.Side),
		Type: venuepb.Type(o.spec.Type), TimeInForce: venuepb.TimeInForce(o.spec), Quantity: o.spec.Quantity.String(),
		State: venuepb.State(o.state), FilledQuantity: o.filled.String()}
	if o.spec.Type == venue.Limit {
		p.Price = o.spec.Price.String()
	}
	return p
}

func fillToProto(r *venue.ExecutionReport) *tradingv1.Fill {
	return &tradingv1.Fill{Quantity: r.FillQuantity.String(), Price: r.FillPrice.String(), Fee: r.Fee.String(),
		Liquidity: venuepb.Liquidity(r.Liquidity), Slippage: r.Slippage().String(), Time: timestamppb.New(r.Time)}
}
