package client

import (
	"context"
	"math"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// ListOrders returns the orders of the current or last session, oldest
// first, with their fills. openOnly keeps the orders that are not final;
// limit keeps the newest limit orders (0: the daemon's default, 1000), and
// the response's Omitted counts the rest.
func (c *Client) ListOrders(ctx context.Context, openOnly bool, limit int) (*tradingv1.ListOrdersResponse, error) {
	// Clamped, not wrapped: a huge limit must not turn negative on the wire.
	// The daemon owns the real bound and refuses or caps what it will not do.
	resp, err := c.trading.ListOrders(ctx, &tradingv1.ListOrdersRequest{
		OpenOnly: openOnly, Limit: int32(max(min(limit, math.MaxInt32), math.MinInt32)),
	})
	return resp, fromRPC(err)
}

// GetPortfolio returns the account of the current or last session; its
// Portfolio is nil when no session has run.
func (c *Client) GetPortfolio(ctx context.Context) (*tradingv1.GetPortfolioResponse, error) {
	resp, err := c.trading.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{})
	return resp, fromRPC(err)
}

// ResetKillSwitch returns a halted session to ACTIVE and returns the guard's
// new state. reason says why trading is safe again; the daemon logs it.
func (c *Client) ResetKillSwitch(ctx context.Context, reason string) (*tradingv1.ResetKillSwitchResponse, error) {
	resp, err := c.trading.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: reason})
	return resp, fromRPC(err)
}
