package daemon

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
)

// wantReason fails unless err is r's status: r's code and an ErrorInfo of r.
func wantReason(t *testing.T, what string, err error, r tradingv1.ErrorReason) *status.Status {
	t.Helper()
	st := status.Convert(err)
	if got, _ := tradingv1.ReasonOf(st); got != r || st.Code() != r.Code() {
		t.Errorf("%s: %v (reason %v), want %v with %v", what, err, got, r.Code(), r)
	}
	return st
}

// The daemon's own refusals, made before any handler runs, name their
// reason as the service's errors do, from the same enum.
func TestRefusalsNameTheirReason(t *testing.T) {
	c := tradingv1.NewTradingServiceClient(start(t, session.Options{}).conn)
	_, err := c.GetStatus(context.Background(), &tradingv1.GetStatusRequest{})
	wantReason(t, "no token", err, tradingv1.ErrorReason_ERROR_REASON_TOKEN_MISSING)
	bad := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer wrong")
	_, err = c.GetStatus(bad, &tradingv1.GetStatusRequest{})
	wantReason(t, "wrong token", err, tradingv1.ErrorReason_ERROR_REASON_TOKEN_INVALID)

	_, addr := startTCP(t, Limits{ControlRate: Rate{N: 1, Per: time.Minute, Burst: 1}})
	c = tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	ctx := authed(context.Background())
	err = nil
	for calls := 0; err == nil && calls < 20; calls++ {
		_, err = c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
	}
	st := wantReason(t, "over the rate", err, tradingv1.ErrorReason_ERROR_REASON_RATE_LIMITED)
	retry := false
	for _, d := range st.Details() {
		_, ok := d.(*errdetails.RetryInfo)
		retry = retry || ok
	}
	if !retry {
		t.Errorf("over the rate: details %v, want the RetryInfo too", st.Details())
	}

	_, addr = startTCP(t, Limits{MaxWatchers: 1})
	c = tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := c.WatchHealth(wctx, &tradingv1.WatchHealthRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if err != nil {
		t.Fatalf("the first watcher: %v", err)
	}
	w, err = c.WatchHealth(wctx, &tradingv1.WatchHealthRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	wantReason(t, "past the watcher cap", err, tradingv1.ErrorReason_ERROR_REASON_TOO_MANY_WATCHERS)
}
