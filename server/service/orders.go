package service

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/orders"
	"github.com/tradectl/tradectl/server/strategy"
)

// orderWatchBuffer is how many order events a WatchOrders stream may fall
// behind before the daemon ends it: enough for bursts, bounded so that a
// stuck client costs a known amount of memory.
const orderWatchBuffer = 4096

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
		id, page, err := t.m.StoredOrders(ctx, session, req.GetOpenOnly(), p)
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
	id, snap, r, at, ok, err := t.m.StoredPortfolio(ctx, req.GetSessionId())
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
	r, err := t.m.ResetKillSwitch(ctx, req.GetReason())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	return &tradingv1.ResetKillSwitchResponse{Risk: riskToProto(r)}, nil
}

// WatchOrders streams order events. Unlike health, events are never
// replaced by newer ones: a stream that falls orderWatchBuffer events
// behind is ended with RESOURCE_EXHAUSTED rather than silently skipped.
func (t *Trading) WatchOrders(_ *tradingv1.WatchOrdersRequest, stream tradingv1.TradingService_WatchOrdersServer) error {
	sub, err := t.m.SubscribeOrders(orderWatchBuffer)
	if err != nil {
		return status.Error(codes.Unavailable, "the daemon is shutting down")
	}
	defer sub.Close()
	// Headers now: the order stream is quiet while nothing trades, and the
	// client should know it is connected before the first event.
	if err := stream.SendHeader(nil); err != nil {
		return err
	}
	ctx := stream.Context()
	for {
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case e, ok := <-sub.C():
			if !ok {
				// The feed ended this subscription after delivering
				// what it had queued; say why.
				if errors.Is(sub.Err(), orders.ErrLagged) {
					return status.Errorf(codes.ResourceExhausted, "%v: resubscribe and re-read ListOrders", sub.Err())
				}
				return status.Error(codes.Unavailable, "the daemon is shutting down")
			}
			if err := stream.Send(&tradingv1.WatchOrdersResponse{Event: orderEventToProto(&e)}); err != nil {
				return err
			}
		}
	}
}
