package service

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// errorInfo is the status code of err and its ErrorInfo.
func errorInfo(t *testing.T, err error) (codes.Code, *errdetails.ErrorInfo) {
	t.Helper()
	st := status.Convert(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return st.Code(), info
		}
	}
	t.Fatalf("%v: no ErrorInfo", err)
	return 0, nil
}

// A start while a session is INTERRUPTED is FAILED_PRECONDITION naming the
// session; abandon_interrupted starts anyway and leaves it ABANDONED;
// resuming an unknown id is NOT_FOUND, a session that is not interrupted
// FAILED_PRECONDITION with its own reason.
func TestStartTradingWhileInterrupted(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const id = "0123456789abcdef"
	if err := st.CreateSession(ctx, store.SessionRecord{ID: id, State: store.StateRunning,
		Started: time.Now(), SettingsJSON: []byte(`{"Mode":1,"Symbols":["BTC-USD"],"TickInterval":10000000}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkInterrupted(ctx, "crash"); err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	svc := NewTrading(m, st, nil)
	paper := &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER}

	_, err = svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: paper})
	if code, info := errorInfo(t, err); code != codes.FailedPrecondition || info.GetReason() != "SESSION_INTERRUPTED" ||
		info.GetMetadata()["session_id"] != id {
		t.Fatalf("start while interrupted = %v; want FAILED_PRECONDITION, SESSION_INTERRUPTED, session_id %s", err, id)
	}
	_, err = svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true, SessionId: "nope"})
	if code, info := errorInfo(t, err); code != codes.NotFound || info.GetReason() != "SESSION_NOT_FOUND" {
		t.Fatalf("resume of an unknown id = %v; want NOT_FOUND", err)
	}
	for _, req := range []*tradingv1.StartTradingRequest{
		{Resume: true, AbandonInterrupted: true},
		{Settings: paper, SessionId: id},
	} {
		if _, err := svc.StartTrading(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("StartTrading(%v) = %v; want INVALID_ARGUMENT, not a field silently ignored", req, err)
		}
	}
	resp, err := svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: paper, AbandonInterrupted: true})
	if err != nil || resp.GetSession().GetId() == id {
		t.Fatalf("start with abandon_interrupted = %v, %v", resp, err)
	}
	if _, err := svc.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true, SessionId: id})
	if code, info := errorInfo(t, err); code != codes.FailedPrecondition || info.GetReason() != "SESSION_NOT_INTERRUPTED" {
		t.Fatalf("resume of an abandoned session = %v; want FAILED_PRECONDITION, SESSION_NOT_INTERRUPTED", err)
	}
	list, err := svc.ListSessions(ctx, &tradingv1.ListSessionsRequest{})
	if err != nil || len(list.GetSessions()) != 2 ||
		list.GetSessions()[1].GetState() != tradingv1.SessionState_SESSION_STATE_ABANDONED {
		t.Fatalf("sessions: %v %v; want the old one ABANDONED", list, err)
	}
}
