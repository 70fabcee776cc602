package service

import (
	"context"
	"time"

	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/strategy"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func (t *Trading) ListStrategies(context.Context, *tradingv1.ListStrategiesRequest) (*tradingv1.ListStrategiesResponse, error) {
	return &tradingv1.ListStrategiesResponse{Strategies: strategiesToProto(strategy.Specs())}, nil
}

func (t *Trading) ListOrders(ctx context.Context, req *tradingv1.ListOrdersRequest) (*tradingv1.ListOrdersResponse, error) {
	q := pageQuery{token: pageToken{List: "orders", Session: req.GetSessionId(), OpenOnly: req.GetOpenOnly(), Limit: req.GetLimit()},
		size: req.GetPageSize(), text: req.GetPageToken(), def: defaultOrdersPage, max: maxOrdersPage,
		limit: limitOrDefault(req.GetLimit(), 1000)}
	p, session, err := q.page()
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	for {
		id, page, err := t.q.orders(ctx, session, req.GetOpenOnly(), p)
		if err != nil {
			return nil, toStatus(t.log, err)
		}
		resp := &tradingv1.ListOrdersResponse{SessionId: id, Omitted: uint64(page.Omitted), NextPageToken: q.next(id, page.Next)}
		for i := range page.Orders {
			resp.Orders = append(resp.Orders, orderToProto(&page.Orders[i], true))
		}
		// Orders with many fills can make a page of page_size large:
		// such a page is asked for again, smaller, until it fits what
		// any gRPC client receives by default.
		if len(page.Orders) > 1 && proto.Size(resp) > maxPageBytes {
			p.Size = len(page.Orders) / 2
			continue
		}
		return resp, nil
	}
}

func limitOrDefault(n int32, def int) int {
	if n <= 0 {
		return def
	}
	return int(n)
}

func (t *Trading) GetPortfolio(ctx context.Context, req *tradingv1.GetPortfolioRequest) (*tradingv1.GetPortfolioResponse, error) {
	id, snap, r, at, ok, err := t.q.portfolio(ctx, req.GetSessionId())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	if !ok {
		return &tradingv1.GetPortfolioResponse{}, nil
	}
	p := portfolioToProto(id, &snap)
	p.Risk = riskToProto(r)
	p.Time = optTime(at)
	return &tradingv1.GetPortfolioResponse{Portfolio: p}, nil
}

func (t *Trading) ResetKillSwitch(ctx context.Context, req *tradingv1.ResetKillSwitchRequest) (*tradingv1.ResetKillSwitchResponse, error) {
	// Bound the wait for the loop: between ticks it answers at once; a
	// loop stuck in a tick must not hold the caller forever.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := t.m.ResetKillSwitch(ctx, req.GetReason(), req.GetSessionId())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	return &tradingv1.ResetKillSwitchResponse{Risk: riskToProto(r)}, nil
}

// WatchOrders streams order events: after req.after_sequence (the stored
// ones first, then live), or from now on when it is 0. A watcher that
// falls behind the feed's ring catches up from the store instead of being
// cut off; it costs a cursor, not a buffer.
func (t *Trading) WatchOrders(req *tradingv1.WatchOrdersRequest, stream tradingv1.TradingService_WatchOrdersServer) error {
	after := req.GetAfterSequence()
	w, err := t.m.SubscribeOrders(after, after == 0)
	if err != nil {
		return toStatus(t.log, err)
	}
	defer w.Close()
	// Headers now: the order stream is quiet while nothing trades, and the
	// client should know it is connected before the first event.
	if err := stream.SendHeader(nil); err != nil {
		return err
	}
	ctx := stream.Context()
	for {
		e, err := w.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return status.FromContextError(ctx.Err()).Err()
			}
			return toStatus(t.log, err)
		}
		// Every watcher of a live event sends the same message, made
		// once by the first of them.
		msg := e.Shared(func(e *orders.Event) any {
			return &tradingv1.WatchOrdersResponse{Event: orderEventToProto(e)}
		}).(*tradingv1.WatchOrdersResponse)
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
}
