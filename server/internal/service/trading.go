// Package service is the gRPC face of the daemon: a thin adapter that turns
// requests into calls on the session manager (commands, and the live
// session) or on the store (the read model: sessions, orders, fills and
// accounts as committed), and domain results and errors into responses and
// status codes. It holds no state and makes no decisions of its own; it
// must never change a session but through the manager, nor write a
// session's records to the store (a backup only copies it). In-process
// callers use the session package directly.
package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"google.golang.org/grpc/status"

	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/settings/settingspb"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/backtests"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Trading implements tradingv1.TradingServiceServer.
type Trading struct {
	tradingv1.UnimplementedTradingServiceServer
	m   *session.Manager
	q   readModel
	log *slog.Logger

	// Every watcher is sent the same latest report, so one conversion
	// serves them all: with 10,000 watchers this turns 10,000 conversions
	// per report into one.
	wireMu     sync.Mutex
	wireReport *session.Report
	wire       *tradingv1.WatchHealthResponse

	// venue is where live sessions trade; nil without one (WithVenue).
	venue *assemble.VenueInfo
	live  assemble.LiveVenue // WithLiveVenue; may name the account

	backtests backtests.Runner // RunBacktest's, one at a time
}

// NewTrading returns the adapter over m, answering queries from st (the
// store m writes to; nil if it runs without one).
func NewTrading(m *session.Manager, st store.Store, log *slog.Logger) *Trading {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Trading{m: m, q: readModel{m: m, st: st}, log: log}
}

func (t *Trading) StartTrading(ctx context.Context, req *tradingv1.StartTradingRequest) (*tradingv1.StartTradingResponse, error) {
	// Each field belongs to one kind of start; one given with the other
	// kind would be silently ignored.
	switch {
	case req.GetResume() && req.GetAbandonInterrupted():
		return nil, toStatus(t.log, &settings.InvalidError{Field: "abandon_interrupted",
			Reason: "starts a new session; it cannot go with resume"})
	case !req.GetResume() && req.GetSessionId() != "":
		return nil, toStatus(t.log, &settings.InvalidError{Field: "session_id",
			Reason: "names the interrupted session to resume; it needs resume"})
	}
	if req.GetResume() {
		// A resume carries on with the interrupted session's own settings.
		snap, err := t.m.ResumeSession(ctx, req.GetSessionId())
		if err != nil {
			return nil, toStatus(t.log, err)
		}
		return &tradingv1.StartTradingResponse{Session: sessionToProto(snap)}, nil
	}
	set, err := settingspb.FromProto(req.GetSettings())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	snap, already, err := t.m.StartWith(ctx, set, session.StartOptions{AbandonInterrupted: req.GetAbandonInterrupted()})
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	return &tradingv1.StartTradingResponse{Session: sessionToProto(snap), AlreadyRunning: already}, nil
}

func (t *Trading) StopTrading(ctx context.Context, req *tradingv1.StopTradingRequest) (*tradingv1.StopTradingResponse, error) {
	snap, ok, wasRunning, err := t.m.Stop(ctx, session.StopOptions{
		Timeout: req.GetDeadline().AsDuration(), KeepOpenOrders: req.GetKeepOpenOrders(),
		SessionID: req.GetSessionId()})
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	resp := &tradingv1.StopTradingResponse{WasRunning: wasRunning}
	if ok {
		resp.Session = sessionToProto(snap)
		resp.UnsettledOrders = snap.Unsettled
	}
	return resp, nil
}

func (t *Trading) GetStatus(context.Context, *tradingv1.GetStatusRequest) (*tradingv1.GetStatusResponse, error) {
	snap, ok, r := t.m.Status()
	resp := &tradingv1.GetStatusResponse{Health: reportToProto(r)}
	if ok {
		resp.Session = sessionToProto(snap)
	}
	return resp, nil
}

// WatchHealth sends the latest report at once and then each new one. It
// never blocks the publisher: a slow stream only delays itself, and when it
// catches up it gets the latest report, not a backlog. It ends when the
// client goes away or the daemon shuts down, after the last report.
func (t *Trading) WatchHealth(_ *tradingv1.WatchHealthRequest, stream tradingv1.TradingService_WatchHealthServer) error {
	sub, err := t.m.Subscribe()
	if err != nil {
		if errors.Is(err, sessionhealth.ErrHubClosed) {
			return tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN.Status("the daemon is shutting down", nil).Err()
		}
		return toStatus(t.log, err)
	}
	defer sub.Close()
	ctx := stream.Context()
	for {
		r, err := sub.Next(ctx)
		switch {
		case errors.Is(err, sessionhealth.ErrHubClosed):
			return tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN.Status("the daemon is shutting down", nil).Err()
		case err != nil:
			return status.FromContextError(ctx.Err()).Err()
		}
		if err := stream.Send(t.wireFor(r)); err != nil {
			return err
		}
	}
}

// wireFor returns the wire form of r, converting it only once. The
// returned message is shared and must not be modified.
func (t *Trading) wireFor(r *session.Report) *tradingv1.WatchHealthResponse {
	t.wireMu.Lock()
	defer t.wireMu.Unlock()
	if t.wireReport != r {
		t.wireReport, t.wire = r, &tradingv1.WatchHealthResponse{Report: reportToProto(r)}
	}
	return t.wire
}
