package daemon

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/session"
)

// fieldOf is the field a status's BadRequest names, "" if none.
func fieldOf(err error) string {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetField()
		}
	}
	return ""
}

// An error quotes at most a little of what the client sent: a half-megabyte
// strategy name, parameter name or value comes back, and goes into the
// audit table, as a few dozen bytes and its length.
func TestErrorsEchoLittleOfTheInput(t *testing.T) {
	h := start(t, session.Options{Store: openStore(t, t.TempDir())})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	huge := strings.Repeat("x", 512<<10) // under the 1 MiB message limit
	for name, s := range map[string]*tradingv1.SessionSettings{
		"strategy":        {Mode: tradingv1.Mode_MODE_PAPER, Strategy: huge},
		"parameter name":  {Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: map[string]string{huge: "1"}},
		"parameter value": {Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: map[string]string{"levels": huge}},
		"starting cash":   {Mode: tradingv1.Mode_MODE_PAPER, StartingCash: "-" + huge},
	} {
		_, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: s})
		st := status.Convert(err)
		size := len(st.Message()) + len(fieldOf(err))
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				size += len(br.GetFieldViolations()[0].GetDescription())
			}
		}
		if err == nil || size > 2048 || !strings.Contains(st.Message(), "bytes)") {
			t.Errorf("%s of 512 KiB: %d bytes of error (%.200s); want the echo capped, naming the length", name, size, st.Message())
		}
	}
	rows, err := h.d.cfg.Session.Store.ListAudit(context.Background(), 0)
	if err != nil || len(rows) != 4 {
		t.Fatalf("audit: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if len(r.Error) > maxAuditArgs {
			t.Errorf("audit error column holds %d bytes", len(r.Error))
		}
	}
}
