package client

import (
	"context"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// ListSessions lists the sessions the daemon's store holds, newest first;
// history survives daemon restarts. limit keeps the newest limit sessions
// (0: the daemon's default, 100). A daemon without a store lists only its
// current or last session. Pages are followed as by ListOrders (OnePage,
// PageSize; ForSession does not apply).
func (c *Client) ListSessions(ctx context.Context, limit int, opts ...QueryOption) (*tradingv1.ListSessionsResponse, error) {
	q := newQuery(opts)
	return listPages(ctx, &tradingv1.ListSessionsRequest{Limit: clampLimit(limit), PageSize: q.pageSize, PageToken: q.pageToken},
		q.onePage, c.trading.ListSessions,
		func(r *tradingv1.ListSessionsRequest, token string) { r.PageToken = token },
		func(all, page *tradingv1.ListSessionsResponse) {
			all.Sessions, all.NextPageToken = append(all.Sessions, page.GetSessions()...), page.GetNextPageToken()
		})
}

// ListFills lists a session's stored fills, oldest first. sessionID ""
// means the current or last session; an unknown one yields ErrNotFound.
// limit keeps the newest limit fills (0: the daemon's default, 1000), and
// the response's Omitted counts the older ones. Pages are followed as by
// ListOrders (OnePage, PageSize).
func (c *Client) ListFills(ctx context.Context, sessionID string, limit int, opts ...QueryOption) (*tradingv1.ListFillsResponse, error) {
	q := newQuery(opts)
	return listPages(ctx, &tradingv1.ListFillsRequest{SessionId: sessionID, Limit: clampLimit(limit), PageSize: q.pageSize,
		PageToken: q.pageToken}, q.onePage, c.trading.ListFills,
		func(r *tradingv1.ListFillsRequest, token string) { r.PageToken = token },
		func(all, page *tradingv1.ListFillsResponse) {
			all.Fills, all.Omitted, all.NextPageToken = append(all.Fills, page.GetFills()...), page.GetOmitted(), page.GetNextPageToken()
		})
}

// Backup has the daemon write a consistent copy of its store, while trading
// goes on, to the file name in its backup directory (tradingd --backup-dir);
// the response says where it went. name is a file name, never a path: the
// daemon refuses a path (ErrInvalidArgument) and will not overwrite an
// existing file.
func (c *Client) Backup(ctx context.Context, name string) (*tradingv1.BackupResponse, error) {
	resp, err := c.trading.Backup(ctx, &tradingv1.BackupRequest{Path: name})
	return resp, fromRPC(err)
}
