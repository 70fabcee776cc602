package client_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

func (f *fakeTrading) ListSessions(_ context.Context, req *tradingv1.ListSessionsRequest) (*tradingv1.ListSessionsResponse, error) {
	return &tradingv1.ListSessionsResponse{Sessions: []*tradingv1.Session{
		{Id: "s2", State: tradingv1.SessionState_SESSION_STATE_INTERRUPTED},
		{Id: "s1", State: tradingv1.SessionState_SESSION_STATE_STOPPED},
	}}, f.record(req)
}

// ListFills knows the sessions s1 and s2, like a daemon with a store.
func (f *fakeTrading) ListFills(_ context.Context, req *tradingv1.ListFillsRequest) (*tradingv1.ListFillsResponse, error) {
	if err := f.record(req); err != nil {
		return nil, err
	}
	id := req.GetSessionId()
	switch id {
	case "":
		id = "s2"
	case "s1", "s2":
	default:
		return nil, withInfo(codes.NotFound, "no such session "+id, client.ReasonSessionNotFound, nil)
	}
	return &tradingv1.ListFillsResponse{SessionId: id, Fills: []*tradingv1.StoredFill{
		{SessionId: id, ClientOrderId: "o1", Sequence: 1, Fill: &tradingv1.Fill{Quantity: "1"}},
	}}, nil
}

func (f *fakeTrading) Backup(_ context.Context, req *tradingv1.BackupRequest) (*tradingv1.BackupResponse, error) {
	return &tradingv1.BackupResponse{Path: req.GetPath(), Bytes: 4096}, f.record(req)
}

func TestResumeTrading(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	resp, err := c.ResumeTrading(t.Context())
	if err != nil || resp.GetSession().GetId() != "s1" {
		t.Fatalf("ResumeTrading = %v, %v", resp, err)
	}
	// Resume sends no settings: the interrupted session's own apply.
	if req := fake.lastRequest(); !proto.Equal(req, &tradingv1.StartTradingRequest{Resume: true}) {
		t.Errorf("ResumeTrading sent %v", req)
	}
	if _, err := c.StartTrading(t.Context(), &tradingv1.SessionSettings{Seed: 1}); err != nil ||
		fake.lastRequest().(*tradingv1.StartTradingRequest).GetResume() {
		t.Errorf("StartTrading: %v, sent %v; want resume unset", err, fake.lastRequest())
	}

	fake.err = withInfo(codes.FailedPrecondition, "no interrupted session to resume", client.ReasonNothingToResume, nil)
	_, err = c.ResumeTrading(t.Context())
	if !errors.Is(err, client.ErrNothingToResume) || !errors.Is(err, client.ErrFailedPrecondition) {
		t.Errorf("nothing to resume: %v, want ErrNothingToResume and ErrFailedPrecondition", err)
	}
	var se *client.StatusError
	if !errors.As(err, &se) || se.Reason != client.ReasonNothingToResume {
		t.Errorf("StatusError %+v", se)
	}
}

func TestHistoryCalls(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	ctx := t.Context()

	sessions, err := c.ListSessions(ctx, 2)
	if err != nil || len(sessions.GetSessions()) != 2 || sessions.GetSessions()[0].GetId() != "s2" {
		t.Errorf("ListSessions = %v, %v", sessions, err)
	}
	if req := fake.lastRequest().(*tradingv1.ListSessionsRequest); req.GetLimit() != 2 {
		t.Errorf("ListSessions sent %v", req)
	}
	if _, err := c.ListSessions(ctx, math.MaxInt64); err != nil || fake.lastRequest().(*tradingv1.ListSessionsRequest).GetLimit() != math.MaxInt32 {
		t.Errorf("huge limit: %v, sent %v; want clamped, not wrapped", err, fake.lastRequest())
	}

	fills, err := c.ListFills(ctx, "s1", 10)
	if err != nil || fills.GetSessionId() != "s1" || len(fills.GetFills()) != 1 {
		t.Errorf("ListFills = %v, %v", fills, err)
	}
	if req := fake.lastRequest(); !proto.Equal(req, &tradingv1.ListFillsRequest{SessionId: "s1", Limit: 10}) {
		t.Errorf("ListFills sent %v", req)
	}
	if fills, err := c.ListFills(ctx, "", 0); err != nil || fills.GetSessionId() != "s2" {
		t.Errorf("ListFills of the last session = %v, %v", fills, err)
	}
	if _, err := c.ListFills(ctx, "nope", 0); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("ListFills of an unknown session: %v, want ErrNotFound", err)
	}

	// The name goes to the daemon as given: it picks the directory.
	backup, err := c.Backup(ctx, "tradectl.db")
	if err != nil || backup.GetPath() != "tradectl.db" || backup.GetBytes() != 4096 {
		t.Errorf("Backup = %v, %v", backup, err)
	}
	if req := fake.lastRequest().(*tradingv1.BackupRequest); req.GetPath() != "tradectl.db" {
		t.Errorf("Backup sent %v", req)
	}
}
