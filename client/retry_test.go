package client

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestRetryDelay(t *testing.T) {
	st, _ := status.New(codes.ResourceExhausted, "rate limit").
		WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(250 * time.Millisecond)})
	err := fromRPC(st.Err())
	if d, ok := RetryDelay(err); !ok || d != 250*time.Millisecond {
		t.Errorf("RetryDelay = %v, %v; want 250ms", d, ok)
	}
	if !errors.Is(err, ErrResourceExhausted) {
		t.Errorf("%v is not ErrResourceExhausted", err)
	}
	for _, e := range []error{nil, errors.New("plain"), fromRPC(status.Error(codes.ResourceExhausted, "no hint"))} {
		if d, ok := RetryDelay(e); ok {
			t.Errorf("RetryDelay(%v) = %v, want none", e, d)
		}
	}
}
