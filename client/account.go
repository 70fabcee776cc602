package client

import (
	"context"
	"math"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// QueryOption narrows a query about a session's account or orders.
type QueryOption func(*query)

type query struct {
	sessionID string
	pageSize  int32
	onePage   bool
	pageToken string
}

// ForSession asks about the session with this id instead of the current or
// last one; an id the daemon does not know yields ErrNotFound. "" keeps the
// default.
func ForSession(id string) QueryOption {
	return func(q *query) { q.sessionID = id }
}

// OnePage returns only the page that token names ("" the first; then a
// response's NextPageToken, with the other arguments of the first call),
// for a caller that pages itself. Without it a list call follows the
// daemon's pages and returns the whole list. A token the daemon did not
// issue for the same query yields ErrInvalidArgument.
func OnePage(token string) QueryOption {
	return func(q *query) { q.onePage, q.pageToken = true, token }
}

// PageSize asks the daemon for at most n items per page; 0 takes its
// default, and it cuts a larger one to its maximum.
func PageSize(n int) QueryOption {
	return func(q *query) { q.pageSize = clampLimit(n) }
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
// The daemon sends them in pages, which ListOrders follows unless OnePage
// asks for one.
func (c *Client) ListOrders(ctx context.Context, openOnly bool, limit int, opts ...QueryOption) (*tradingv1.ListOrdersResponse, error) {
	q := newQuery(opts)
	return listPages(ctx, &tradingv1.ListOrdersRequest{OpenOnly: openOnly, Limit: clampLimit(limit), SessionId: q.sessionID,
		PageSize: q.pageSize, PageToken: q.pageToken}, q.onePage, c.trading.ListOrders,
		func(r *tradingv1.ListOrdersRequest, token string) { r.PageToken = token },
		func(all, page *tradingv1.ListOrdersResponse) {
			all.Orders, all.Omitted, all.NextPageToken = append(all.Orders, page.GetOrders()...), page.GetOmitted(), page.GetNextPageToken()
		})
}

// GetPortfolio returns the account of the current or last session (or the
// one ForSession names); its Portfolio is nil when no session has run.
func (c *Client) GetPortfolio(ctx context.Context, opts ...QueryOption) (*tradingv1.GetPortfolioResponse, error) {
	resp, err := c.trading.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{SessionId: newQuery(opts).sessionID})
	return resp, fromRPC(err)
}

// ResetOption configures ResetKillSwitch.
type ResetOption func(*tradingv1.ResetKillSwitchRequest)

// ResetOnlySession resets the kill switch only of the session with id:
// when another is the current (or last) session, nothing is reset and the
// call fails with ErrSessionChanged.
func ResetOnlySession(id string) ResetOption {
	return func(r *tradingv1.ResetKillSwitchRequest) { r.SessionId = id }
}

// ResetKillSwitch returns a halted session to ACTIVE and returns the guard's
// new state. reason says why trading is safe again; the daemon logs it.
func (c *Client) ResetKillSwitch(ctx context.Context, reason string, opts ...ResetOption) (*tradingv1.ResetKillSwitchResponse, error) {
	req := &tradingv1.ResetKillSwitchRequest{Reason: reason}
	for _, opt := range opts {
		opt(req)
	}
	resp, err := c.trading.ResetKillSwitch(ctx, req)
	return resp, fromRPC(err)
}

// clampLimit clamps rather than wraps: a huge limit must not turn negative
// on the wire. The daemon owns the real bound and refuses or caps what it
// will not do.
func clampLimit(limit int) int32 {
	return int32(max(min(limit, math.MaxInt32), math.MinInt32))
}
