package client

import (
	"context"
	"math"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// QueryOption narrows a query about a session's account or orders.
type QueryOption func(*query)

type query struct{ sessionID string }

// ForSession asks about the session with this id instead of the current or
// last one; an id the daemon does not know yields ErrNotFound. "" keeps the
// default.
func ForSession(id string) QueryOption {
	return func(q *query) { q.sessionID = id }
}

func newQuery(opts []QueryOption) query {
	var q query
	for _, opt := range opts {
		opt(&q)
	}
	return q
}

// ListOrders returns the orders of the current or last session (or the one
// ForSession names), oldest first, with their fills. openOnly keeps the
// orders that are not final; limit keeps the newest limit orders (0: the
// daemon's default, 1000), and the response's Omitted counts the rest.
func (c *Client) ListOrders(ctx context.Context, openOnly bool, limit int, opts ...QueryOption) (*tradingv1.ListOrdersResponse, error) {
	resp, err := c.trading.ListOrders(ctx, &tradingv1.ListOrdersRequest{
		OpenOnly: openOnly, Limit: clampLimit(limit), SessionId: newQuery(opts).sessionID,
	})
	return resp, fromRPC(err)
}

// GetPortfolio returns the account of the current or last session (or the
// one ForSession names); its Portfolio is nil when no session has run.
func (c *Client) GetPortfolio(ctx context.Context, opts ...QueryOption) (*tradingv1.GetPortfolioResponse, error) {
	resp, err := c.trading.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{SessionId: newQuery(opts).sessionID})
	return resp, fromRPC(err)
}

// ResetKillSwitch returns a halted session to ACTIVE and returns the guard's
// new state. reason says why trading is safe again; the daemon logs it.
func (c *Client) ResetKillSwitch(ctx context.Context, reason string) (*tradingv1.ResetKillSwitchResponse, error) {
	resp, err := c.trading.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: reason})
	return resp, fromRPC(err)
}

// clampLimit clamps rather than wraps: a huge limit must not turn negative
// on the wire. The daemon owns the real bound and refuses or caps what it
// will not do.
func clampLimit(limit int) int32 {
	return int32(max(min(limit, math.MaxInt32), math.MinInt32))
}
