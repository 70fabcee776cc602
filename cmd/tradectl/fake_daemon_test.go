package main

import (
	"context"
	"sync"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeDaemon is the CLI tests' double of tradingd's TradingService.
type fakeDaemon struct {
	tradingv1.UnimplementedTradingServiceServer
	mu         sync.Mutex
	err        error // every call fails with it when set
	block      bool  // unary calls wait until the caller gives up
	settings   *tradingv1.SessionSettings
	startReq   *tradingv1.StartTradingRequest
	status     *tradingv1.Session // GetStatus's session when set
	stopBudget time.Duration      // time StopTrading's caller allowed it
	stopReq    *tradingv1.StopTradingRequest
	stopResp   *tradingv1.StopTradingResponse
	// The order, portfolio and risk calls are in fake_orders_test.go.
	ordersReq *tradingv1.ListOrdersRequest
	resetReq  *tradingv1.ResetKillSwitchRequest
	orderSubs int // WatchOrders subscriptions so far
	// refuseOrderSubs refuses the first so many WatchOrders subscriptions
	// as tradingd's watcher cap does: RESOURCE_EXHAUSTED, no reason.
	refuseOrderSubs int
	// The history calls are in fake_history_test.go.
	portfolioReq *tradingv1.GetPortfolioRequest
	sessionsReq  *tradingv1.ListSessionsRequest
	fillsReq     *tradingv1.ListFillsRequest
	equityReq    *tradingv1.GetEquityCurveRequest
	backupReq    *tradingv1.BackupRequest
	// paged makes ListOrders and ListFills answer one item per page;
	// pageReqs counts their calls.
	paged    bool
	pageReqs int
	// huge makes ListOrders answer with one message over gRPC's 4 MiB.
	huge bool
	// tagged makes ListOrders' first order a remote strategy's, tagged.
	tagged bool
	// venue is GetVenue's answer; nil is a daemon without a venue, which
	// refuses live sessions. liveErr, if set, is a live start's answer.
	venue   *tradingv1.GetVenueResponse
	liveErr error
}

func (f *fakeDaemon) GetVenue(ctx context.Context, _ *tradingv1.GetVenueRequest) (*tradingv1.GetVenueResponse, error) {
	if err := f.begin(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.venue == nil {
		return &tradingv1.GetVenueResponse{}, nil
	}
	return f.venue, nil
}

func (f *fakeDaemon) begin(ctx context.Context) error {
	f.mu.Lock()
	err, block := f.err, f.block
	f.mu.Unlock()
	if block {
		<-ctx.Done()
		return status.FromContextError(ctx.Err()).Err()
	}
	return err
}

func withInfo(c codes.Code, msg string, reason tradingv1.ErrorReason) error {
	st, err := status.New(c, msg).WithDetails(protoadapt.MessageV1Of(&errdetails.ErrorInfo{
		Reason: reason.Wire(), Domain: client.ErrorDomain, Metadata: map[string]string{"session_id": "0123456789abcdef"}}))
	if err != nil {
		panic(err)
	}
	return st.Err()
}

var testStart = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

func testSession(s *tradingv1.SessionSettings) *tradingv1.Session {
	return &tradingv1.Session{Id: "0123456789abcdef", State: tradingv1.SessionState_SESSION_STATE_RUNNING,
		Settings: s, StartTime: timestamppb.New(testStart)}
}

func (f *fakeDaemon) StartTrading(ctx context.Context, req *tradingv1.StartTradingRequest) (*tradingv1.StartTradingResponse, error) {
	if err := f.begin(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.settings, f.startReq = req.GetSettings(), req
	f.mu.Unlock()
	if req.GetResume() {
		return &tradingv1.StartTradingResponse{Session: testSession(resumedSettings())}, nil
	}
	if req.GetSettings().GetMode() != tradingv1.Mode_MODE_PAPER {
		f.mu.Lock()
		configured, liveErr := f.venue != nil, f.liveErr
		f.mu.Unlock()
		if !configured {
			return nil, withInfo(codes.FailedPrecondition, "live trading is not available; use --paper", client.ReasonLiveUnavailable)
		}
		if liveErr != nil {
			return nil, liveErr
		}
	}
	return &tradingv1.StartTradingResponse{Session: testSession(req.GetSettings())}, nil
}

func (f *fakeDaemon) StopTrading(ctx context.Context, req *tradingv1.StopTradingRequest) (*tradingv1.StopTradingResponse, error) {
	if err := f.begin(ctx); err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopBudget, f.stopReq = time.Until(deadline), req
	return f.stopResp, nil
}

func (f *fakeDaemon) GetStatus(ctx context.Context, _ *tradingv1.GetStatusRequest) (*tradingv1.GetStatusResponse, error) {
	if err := f.begin(ctx); err != nil {
		return nil, err
	}
	s := testSession(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER})
	s.Summary = &tradingv1.SessionSummary{OpenOrders: 2, Risk: testRisk()}
	f.mu.Lock()
	if f.status != nil {
		s = f.status
	}
	f.mu.Unlock()
	return &tradingv1.GetStatusResponse{Session: s, Health: testReport(1)}, nil
}

func testReport(seq uint64) *tradingv1.HealthReport {
	return &tradingv1.HealthReport{
		Time: timestamppb.New(testStart), Status: tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED,
		Reason: "market data late by 3s", SessionId: "0123456789abcdef",
		SessionState: tradingv1.SessionState_SESSION_STATE_RUNNING, Uptime: durationpb.New(62 * time.Second),
		Ticks: 62, Equity: "100012.34", Pnl: "12.34", Sequence: seq, PeakEquity: "100020.5", MaxDrawdown: "16.23",
		Components: []*tradingv1.ComponentHealth{
			{Name: "coordinator", Status: tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY, Reason: "ticking"},
			{Name: "market_data", Status: tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED, Reason: "late by 3s"},
		},
	}
}

func (f *fakeDaemon) WatchHealth(_ *tradingv1.WatchHealthRequest, stream grpc.ServerStreamingServer[tradingv1.WatchHealthResponse]) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for seq := uint64(1); ; seq++ {
		if err := stream.Send(&tradingv1.WatchHealthResponse{Report: testReport(seq)}); err != nil {
			return err
		}
		select {
		case <-stream.Context().Done():
			return stream.Context().Err()
		case <-tick.C:
		}
	}
}
