package client

import (
	"errors"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// noSentinel are the codes the daemon sends a reason with that no sentinel
// stands for: the *StatusError still carries the reason and the code.
var noSentinel = map[codes.Code]bool{
	codes.OutOfRange: true, // SEQUENCE_AHEAD: WatchOrders' own answer
}

// Every reason the enum names (so every reason the daemon can send) comes
// back as itself, and as the sentinels of its code.
func TestClientRecognizesEveryReason(t *testing.T) {
	for n := range tradingv1.ErrorReason_name {
		r := tradingv1.ErrorReason(n)
		if r == tradingv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			continue
		}
		err := fromRPC(r.Status("words", map[string]string{"session_id": "abc"}).Err())
		var se *StatusError
		if !errors.As(err, &se) || se.Reason != r || se.Code != r.Code() {
			t.Errorf("%v: %#v", r, err)
			continue
		}
		if len(se.is) == 0 && !noSentinel[se.Code] {
			t.Errorf("%v (%v): no sentinel matches it", r, se.Code)
		}
	}
	// A reason of a newer daemon is no reason this client knows, and the
	// code still says what kind of error it is.
	st, derr := status.New(codes.FailedPrecondition, "m").WithDetails(
		&errdetails.ErrorInfo{Reason: "A_REASON_FROM_A_NEWER_DAEMON", Domain: ErrorDomain})
	if derr != nil {
		t.Fatal(derr)
	}
	var se *StatusError
	if err := fromRPC(st.Err()); !errors.As(err, &se) || se.Reason != anyReason || !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("a newer daemon's reason: %#v", err)
	}
}

// A row that names a reason also names the reason's code, or it would never
// match.
func TestErrorTableCodesAgreeWithTheEnum(t *testing.T) {
	for _, row := range errorTable {
		if row.reason != anyReason && row.code != row.reason.Code() {
			t.Errorf("row %v %v: the enum sends it with %v", row.code, row.reason, row.reason.Code())
		}
	}
}
