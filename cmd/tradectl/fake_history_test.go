package main

import (
	"context"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// resumedSettings are the interrupted session's own, which a resume runs
// with whatever the flags say.
func resumedSettings() *tradingv1.SessionSettings {
	return &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Symbols: []string{"SOL-USD"}, Strategy: "grid"}
}

const longReason = "coordinator restart intensity exceeded:\n\t3 restarts in 10s, the last after: market data feed closed unexpectedly"

// testSessions: the running one, one a crash interrupted, one that failed
// with a long, multi-line reason.
func testSessions() []*tradingv1.Session {
	running := testSession(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Symbols: []string{"BTC-USD", "ETH-USD"}, Strategy: "sma"})
	running.Summary = &tradingv1.SessionSummary{Ticks: 62, Fills: 2, QuoteCurrency: "USD", Equity: "100012.34"}
	interrupted := &tradingv1.Session{Id: "fedcba9876543210", State: tradingv1.SessionState_SESSION_STATE_INTERRUPTED,
		Settings: resumedSettings(), StartTime: timestamppb.New(testStart.Add(-time.Hour)),
		Reason:  "tradingd stopped while the session ran",
		Summary: &tradingv1.SessionSummary{Ticks: 900, Fills: 7, QuoteCurrency: "USD", Equity: "99950.00"}}
	failed := &tradingv1.Session{Id: "00000000deadbeef", State: tradingv1.SessionState_SESSION_STATE_FAILED,
		Settings: &tradingv1.SessionSettings{}, StartTime: timestamppb.New(testStart.Add(-2 * time.Hour)),
		EndTime: timestamppb.New(testStart.Add(-90 * time.Minute)), Reason: longReason}
	return []*tradingv1.Session{running, interrupted, failed}
}

func (f *fakeDaemon) ListSessions(ctx context.Context, req *tradingv1.ListSessionsRequest) (*tradingv1.ListSessionsResponse, error) {
	f.mu.Lock()
	f.sessionsReq = req
	f.mu.Unlock()
	return &tradingv1.ListSessionsResponse{Sessions: testSessions()}, f.begin(ctx)
}

// ListFills answers with the session asked for, or the current one, and
// the two fills of testOrders' first order.
func (f *fakeDaemon) ListFills(ctx context.Context, req *tradingv1.ListFillsRequest) (*tradingv1.ListFillsResponse, error) {
	f.mu.Lock()
	f.fillsReq = req
	paged := f.paged
	f.pageReqs++
	f.mu.Unlock()
	id := req.GetSessionId()
	if id == "" {
		id = "0123456789abcdef"
	}
	o := testOrders()[0]
	resp := &tradingv1.ListFillsResponse{SessionId: id}
	for i, fill := range o.GetFills() {
		resp.Fills = append(resp.Fills, &tradingv1.StoredFill{SessionId: id, ClientOrderId: o.GetClientOrderId(),
			Sequence: uint32(i + 1), Symbol: o.GetSymbol(), Side: o.GetSide(), Fill: fill})
	}
	if paged {
		resp.Fills, resp.NextPageToken = onePage(resp.Fills, req.GetPageToken())
		resp.Omitted = 7
	}
	return resp, f.begin(ctx)
}

func (f *fakeDaemon) Backup(ctx context.Context, req *tradingv1.BackupRequest) (*tradingv1.BackupResponse, error) {
	f.mu.Lock()
	f.backupReq = req
	f.mu.Unlock()
	return &tradingv1.BackupResponse{Path: req.GetPath(), Bytes: 3 << 20}, f.begin(ctx)
}
