package service

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Every row of the table sends a reason of the enum, with the code the enum
// gives it, and no row is shadowed by an earlier one: each domain error
// reaches the client as the reason its row names.
func TestEveryDomainErrorSendsItsReason(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, row := range errorTable {
		if row.reason.Wire() == "" {
			t.Errorf("%v maps to %v, which is never sent", row.err, row.reason)
			continue
		}
		err := toStatus(log, fmt.Errorf("wrapped: %w", row.err))
		st := status.Convert(err)
		got, info := tradingv1.ReasonOf(st)
		if got != row.reason || st.Code() != row.reason.Code() || info.GetReason() != row.reason.Wire() {
			t.Errorf("%v: sent %v %q (%v), want %v %q", row.err, st.Code(), info.GetReason(), got, row.reason.Code(), row.reason.Wire())
		}
	}
	// Outside the table: INTERNAL, no reason, nothing of the error.
	st := status.Convert(toStatus(log, errors.New("secret detail")))
	if r, info := tradingv1.ReasonOf(st); st.Code() != codes.Internal || info != nil || r != tradingv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
		t.Errorf("an unmapped error: %v", st)
	}
}
