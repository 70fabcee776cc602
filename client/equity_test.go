package client_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func (f *fakeTrading) GetEquityCurve(_ context.Context, req *tradingv1.GetEquityCurveRequest) (*tradingv1.GetEquityCurveResponse, error) {
	return &tradingv1.GetEquityCurveResponse{SessionId: req.GetSessionId()}, f.record(req)
}

func (f *fakeTrading) RunBacktest(_ context.Context, req *tradingv1.RunBacktestRequest) (*tradingv1.RunBacktestResponse, error) {
	if err := f.record(req); err != nil {
		return nil, err
	}
	return nil, tradingv1.ErrorReason_ERROR_REASON_BACKTEST_BUSY.Status("another backtest is running", nil).Err()
}

// GetEquityCurve asks about the session ForSession names, for maxPoints;
// RunBacktest's refusal while another runs reads as a limit, with its
// reason.
func TestEquityCurveAndBacktest(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	ctx := t.Context()
	if _, err := c.GetEquityCurve(ctx, 500, client.ForSession("s1")); err != nil ||
		!proto.Equal(fake.lastRequest(), &tradingv1.GetEquityCurveRequest{SessionId: "s1", MaxPoints: 500}) {
		t.Errorf("GetEquityCurve: %v, sent %v", err, fake.lastRequest())
	}
	_, err := c.RunBacktest(ctx, &tradingv1.RunBacktestRequest{Settings: &tradingv1.SessionSettings{Strategy: "grid"}})
	var se *client.StatusError
	if !errors.Is(err, client.ErrResourceExhausted) || !errors.As(err, &se) || se.Reason != client.ReasonBacktestBusy {
		t.Errorf("RunBacktest while busy: %v; want ErrResourceExhausted, ReasonBacktestBusy", err)
	}
}
