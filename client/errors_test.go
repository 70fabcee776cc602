package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

func withInfo(c codes.Code, msg string, reason tradingv1.ErrorReason, md map[string]string) error {
	st, err := status.New(c, msg).WithDetails(protoadapt.MessageV1Of(
		&errdetails.ErrorInfo{Reason: reason.Wire(), Domain: client.ErrorDomain, Metadata: md}))
	if err != nil {
		panic(err)
	}
	return st.Err()
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		is   []error
	}{
		{"unavailable", status.Error(codes.Unavailable, "going away"), []error{client.ErrUnavailable}},
		{"unauthenticated", status.Error(codes.Unauthenticated, "bad token"), []error{client.ErrUnauthenticated}},
		{"invalid", status.Error(codes.InvalidArgument, "symbols[0]: want BASE-QUOTE"), []error{client.ErrInvalidArgument}},
		{"precondition", status.Error(codes.FailedPrecondition, "stopping"), []error{client.ErrFailedPrecondition}},
		{"live", withInfo(codes.FailedPrecondition, "live refused", client.ReasonLiveUnavailable, nil),
			[]error{client.ErrLiveUnavailable, client.ErrFailedPrecondition}},
		{"running", withInfo(codes.FailedPrecondition, "other settings", client.ReasonAlreadyRunning, map[string]string{"session_id": "abc"}),
			[]error{client.ErrAlreadyRunning, client.ErrFailedPrecondition}},
		{"deadline", status.Error(codes.DeadlineExceeded, "slow"), []error{client.ErrDeadlineExceeded, context.DeadlineExceeded}},
		{"internal", status.Error(codes.Internal, "boom"), []error{client.ErrInternal}},
		{"exhausted", status.Error(codes.ResourceExhausted, "fell behind"), []error{client.ErrResourceExhausted}},
		{"unimplemented", status.Error(codes.Unimplemented, "unknown method"), []error{client.ErrUnimplemented}},
		{"not found", withInfo(codes.NotFound, `no such session "abc"`, client.ReasonSessionNotFound, nil), []error{client.ErrNotFound}},
		{"nothing to resume", withInfo(codes.FailedPrecondition, "no interrupted session", client.ReasonNothingToResume, nil),
			[]error{client.ErrNothingToResume, client.ErrFailedPrecondition}},
		{"no store", withInfo(codes.FailedPrecondition, "the daemon runs without a store", client.ReasonNoStore, nil),
			[]error{client.ErrFailedPrecondition}},
		{"session changed", withInfo(codes.FailedPrecondition, "the session has changed", client.ReasonSessionChanged,
			map[string]string{"session_id": "abc"}), []error{client.ErrSessionChanged, client.ErrFailedPrecondition}},
		{"unmapped", status.Error(codes.Aborted, "nope"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startDaemon(t, &fakeTrading{err: tc.err}).client(t)
			_, err := c.StartTrading(t.Context(), nil)
			for _, want := range tc.is {
				if !errors.Is(err, want) {
					t.Errorf("%v is not %v", err, want)
				}
			}
			want := status.Convert(tc.err)
			if !strings.Contains(err.Error(), want.Message()) || status.Code(err) != want.Code() {
				t.Errorf("error %q lost the status %v", err, want)
			}
			var are *client.AlreadyRunningError
			if errors.As(err, &are) != (tc.name == "running") || (are != nil && are.SessionID != "abc") {
				t.Errorf("AlreadyRunningError = %+v from %v", are, err)
			}
		})
	}
}

func TestErrorsFromTransport(t *testing.T) {
	d := startDaemon(t, &fakeTrading{})
	c := d.client(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if _, err := c.GetStatus(ctx); !errors.Is(err, client.ErrDeadlineExceeded) {
		t.Errorf("expired context: %v, want ErrDeadlineExceeded", err)
	}
	d.stop()
	if _, err := c.GetStatus(t.Context()); !errors.Is(err, client.ErrUnavailable) {
		t.Errorf("stopped daemon: %v, want ErrUnavailable", err)
	}
}

// The daemon's message already names the condition its reason names: the
// error says it once.
func TestErrorTextsAreNotDoubled(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{withInfo(codes.FailedPrecondition, "nothing to resume: no interrupted session", client.ReasonNothingToResume, nil),
			"nothing to resume: no interrupted session"},
		{withInfo(codes.FailedPrecondition, "live trading is not available: no venue adapter is configured", client.ReasonLiveUnavailable, nil),
			"live trading is not available: no venue adapter is configured"},
		{withInfo(codes.FailedPrecondition, "a trading session is already running (session abc)", client.ReasonAlreadyRunning, nil),
			"a trading session is already running (session abc)"},
		{status.Error(codes.NotFound, "not found: no such session"), "not found: no such session"},
		{status.Error(codes.DeadlineExceeded, "context deadline exceeded"), "context deadline exceeded"},
		{withInfo(codes.FailedPrecondition, "the daemon runs without a store", client.ReasonNoStore, nil),
			"failed precondition: the daemon runs without a store"},
	} {
		c := startDaemon(t, &fakeTrading{err: tc.err}).client(t)
		if _, err := c.StartTrading(t.Context(), nil); err == nil || err.Error() != tc.want {
			t.Errorf("error %q, want %q", err, tc.want)
		}
	}
}
