package binance

import (
	"context"
	"fmt"
	"time"

	gb "github.com/adshao/go-binance/v2"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// The order requests of REST: place, query, cancel, list.

// Place is POST /api/v3/order; see PlaceFull.
func (r *REST) Place(ctx context.Context, o OrderRequest) (OrderUpdate, error) {
	u, _, err := r.PlaceFull(ctx, o)
	return u, err
}

// PlaceFull is POST /api/v3/order with newClientOrderId = o.ClientID and
// newOrderRespType FULL: it also returns the fills the order made on
// arrival, with their trade ids.
func (r *REST) PlaceFull(ctx context.Context, o OrderRequest) (OrderUpdate, []Trade, error) {
	v, err := r.toVenue(o.Spec.Symbol)
	if err != nil {
		return OrderUpdate{}, nil, err
	}
	sp := o.Spec
	s := r.c().NewCreateOrderService().Symbol(v).NewClientOrderID(o.ClientID).
		Quantity(sp.Quantity.String()).NewOrderRespType(gb.NewOrderRespTypeFULL).Side(gb.SideTypeBuy)
	if sp.Side == venue.Sell {
		s.Side(gb.SideTypeSell)
	}
	switch {
	case sp.Type == venue.Market:
		s.Type(gb.OrderTypeMarket)
	case sp.PostOnly:
		s.Type(gb.OrderTypeLimitMaker).Price(sp.Price.String())
	default:
		tif := gb.TimeInForceTypeGTC
		if sp.TIF == venue.IOC {
			tif = gb.TimeInForceTypeIOC
		}
		s.Type(gb.OrderTypeLimit).TimeInForce(tif).Price(sp.Price.String())
	}
	res, err := s.Do(ctx, r.recv())
	if err != nil {
		return OrderUpdate{}, nil, convert(err)
	}
	u, err := r.update(o.Spec.Symbol, res.ClientOrderID, res.OrderID, res.Status, res.ExecutedQuantity, res.TransactTime)
	if err != nil {
		return u, nil, err
	}
	trades := make([]Trade, 0, len(res.Fills))
	for _, f := range res.Fills {
		t := Trade{ID: f.TradeID, Symbol: u.Symbol, ClientID: u.ClientID, OrderID: u.OrderID, Side: sp.Side,
			FeeAsset: f.CommissionAsset, Time: u.Time} // fills on arrival take liquidity: not Maker
		if t.Quantity, err = money.Parse(f.Quantity); err == nil {
			if t.Price, err = money.Parse(f.Price); err == nil {
				t.Fee, err = money.Parse(f.Commission)
			}
		}
		if err != nil {
			return u, nil, fmt.Errorf("binance: order %s fill %d: %w", o.ClientID, f.TradeID, err)
		}
		trades = append(trades, t)
	}
	return u, trades, nil
}

// Query is GET /api/v3/order by origClientOrderId.
func (r *REST) Query(ctx context.Context, symbol, clientID string) (OrderUpdate, error) {
	v, err := r.toVenue(symbol)
	if err != nil {
		return OrderUpdate{}, err
	}
	o, err := r.c().NewGetOrderService().Symbol(v).OrigClientOrderID(clientID).Do(ctx, r.recv())
	if err != nil {
		return OrderUpdate{}, convert(err)
	}
	return r.update(symbol, o.ClientOrderID, o.OrderID, o.Status, o.ExecutedQuantity, o.UpdateTime)
}

// Cancel is DELETE /api/v3/order by origClientOrderId.
func (r *REST) Cancel(ctx context.Context, symbol, clientID string) (OrderUpdate, error) {
	v, err := r.toVenue(symbol)
	if err != nil {
		return OrderUpdate{}, err
	}
	o, err := r.c().NewCancelOrderService().Symbol(v).OrigClientOrderID(clientID).Do(ctx, r.recv())
	if err != nil {
		return OrderUpdate{}, convert(err)
	}
	// The answer's clientOrderId is the cancel request's own id.
	return r.update(symbol, o.OrigClientOrderID, o.OrderID, o.Status, o.ExecutedQuantity, o.TransactTime)
}

// OpenOrders is GET /api/v3/openOrders for one symbol.
func (r *REST) OpenOrders(ctx context.Context, symbol string) ([]OrderUpdate, error) {
	v, err := r.toVenue(symbol)
	if err != nil {
		return nil, err
	}
	os, err := r.c().NewListOpenOrdersService().Symbol(v).Do(ctx, r.recv())
	if err != nil {
		return nil, convert(err)
	}
	out := make([]OrderUpdate, 0, len(os))
	for _, o := range os {
		u, err := r.update(symbol, o.ClientOrderID, o.OrderID, o.Status, o.ExecutedQuantity, o.UpdateTime)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// MyTrades is GET /api/v3/myTrades: one order's trades (orderID > 0), or
// the symbol's from trade id fromID on; at most 1000, oldest first.
func (r *REST) MyTrades(ctx context.Context, symbol string, orderID, fromID int64) ([]Trade, error) {
	v, err := r.toVenue(symbol)
	if err != nil {
		return nil, err
	}
	s := r.c().NewListTradesService().Symbol(v).Limit(1000)
	if orderID > 0 {
		s.OrderId(orderID)
	} else {
		s.FromID(fromID)
	}
	ts, err := s.Do(ctx, r.recv())
	if err != nil {
		return nil, convert(err)
	}
	out := make([]Trade, len(ts))
	for i, t := range ts {
		out[i] = Trade{ID: t.ID, Symbol: symbol, OrderID: t.OrderID, Side: venue.Sell, FeeAsset: t.CommissionAsset,
			Maker: t.IsMaker, Time: time.UnixMilli(t.Time)}
		if t.IsBuyer {
			out[i].Side = venue.Buy
		}
		if out[i].Quantity, err = money.Parse(t.Quantity); err == nil {
			if out[i].Price, err = money.Parse(t.Price); err == nil {
				out[i].Fee, err = money.Parse(t.Commission)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("binance: trade %d of %s: %w", t.ID, symbol, err)
		}
	}
	return out, nil
}

func (r *REST) update(symbol, clientID string, orderID int64, st gb.OrderStatusType, executed string, ms int64) (OrderUpdate, error) {
	u := OrderUpdate{Symbol: symbol, ClientID: clientID, OrderID: orderID, Status: status(st), Time: time.UnixMilli(ms)}
	if ms == 0 {
		u.Time = time.Time{}
	}
	if st == gb.OrderStatusTypeExpired || st == gb.OrderStatusExpiredInMatch || st == gb.OrderStatusTypeRejected {
		u.Reason = string(st)
	}
	var err error
	if u.Executed, err = money.Parse(executed); err != nil {
		return u, fmt.Errorf("binance: order %s executedQty: %w", clientID, err)
	}
	return u, nil
}

func status(s gb.OrderStatusType) OrderStatus {
	switch s {
	case gb.OrderStatusTypeNew, gb.OrderStatusTypePendingCancel:
		return StatusNew
	case gb.OrderStatusTypePartiallyFilled:
		return StatusPartiallyFilled
	case gb.OrderStatusTypeFilled:
		return StatusFilled
	case gb.OrderStatusTypeCanceled:
		return StatusCanceled
	case gb.OrderStatusTypeRejected:
		return StatusRejected
	case gb.OrderStatusTypeExpired, gb.OrderStatusExpiredInMatch:
		return StatusExpired
	}
	return StatusUnknown
}
