package service

import (
	"context"
	"os"

	"github.com/tradectl/tradectl/internal/venue/venuepb"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func (t *Trading) ListSessions(ctx context.Context, req *tradingv1.ListSessionsRequest) (*tradingv1.ListSessionsResponse, error) {
	q := pageQuery{token: pageToken{List: "sessions", Limit: req.GetLimit()}, size: req.GetPageSize(), text: req.GetPageToken(),
		def: defaultSessionsPage, max: maxSessionsPage, limit: limitOrDefault(req.GetLimit(), 100)}
	p, _, err := q.page()
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	list, next, err := t.q.sessions(ctx, p)
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	resp := &tradingv1.ListSessionsResponse{NextPageToken: q.next("", next)}
	for _, s := range list {
		resp.Sessions = append(resp.Sessions, sessionToProto(s))
	}
	return resp, nil
}

func (t *Trading) ListFills(ctx context.Context, req *tradingv1.ListFillsRequest) (*tradingv1.ListFillsResponse, error) {
	q := pageQuery{token: pageToken{List: "fills", Session: req.GetSessionId(), Limit: req.GetLimit()},
		size: req.GetPageSize(), text: req.GetPageToken(), def: defaultFillsPage, max: maxFillsPage,
		limit: limitOrDefault(req.GetLimit(), 1000)}
	p, session, err := q.page()
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	id, page, err := t.q.fills(ctx, session, p)
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	resp := &tradingv1.ListFillsResponse{SessionId: id, Omitted: uint64(page.Omitted), NextPageToken: q.next(id, page.Next)}
	for i := range page.Fills {
		f := &page.Fills[i]
		resp.Fills = append(resp.Fills, &tradingv1.StoredFill{SessionId: id, ClientOrderId: f.ClientID,
			Sequence: uint32(f.Seq), Symbol: f.Symbol, Side: venuepb.Side(f.Side), Fill: fillToProto(&f.Fill)})
	}
	return resp, nil
}

// Backup writes the copy on the daemon's machine, in its backup directory
// (tradingd --backup-dir): the request names a file, never a path
// (BackupRequest.Validate), so a token holder cannot write anywhere else.
func (t *Trading) Backup(ctx context.Context, req *tradingv1.BackupRequest) (*tradingv1.BackupResponse, error) {
	path, err := t.q.backup(ctx, req.GetPath())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	t.log.Info("backup written", "path", path, "bytes", fi.Size())
	return &tradingv1.BackupResponse{Path: path, Bytes: uint64(fi.Size())}, nil
}
