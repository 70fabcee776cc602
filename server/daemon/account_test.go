package daemon

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
)

// Account settings that make no sense are refused with a BadRequest naming
// the field: a margin account without a borrowing limit, borrowing terms
// on a cash account, an unknown account.
func TestAccountSettingsAreValidated(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	rate := int64(20_000)
	margin, cash := tradingv1.Account_ACCOUNT_MARGIN, tradingv1.Account_ACCOUNT_CASH
	cases := []struct {
		field string
		s     *tradingv1.SessionSettings
	}{
		{"settings.max_borrow", &tradingv1.SessionSettings{Account: margin}},
		{"settings.max_borrow", &tradingv1.SessionSettings{Account: margin, MaxBorrow: "-5"}},
		{"settings.max_borrow", &tradingv1.SessionSettings{Account: margin, MaxBorrow: "lots"}},
		{"settings.borrow_rate_bps", &tradingv1.SessionSettings{Account: margin, MaxBorrow: "5000", BorrowRateBps: &rate}},
		{"settings.max_borrow", &tradingv1.SessionSettings{Account: cash, MaxBorrow: "5000"}},
		{"settings.borrow_rate_bps", &tradingv1.SessionSettings{BorrowRateBps: &rate}},
		{"settings.account", &tradingv1.SessionSettings{Account: tradingv1.Account(7)}},
	}
	for _, tc := range cases {
		tc.s.Mode = tradingv1.Mode_MODE_PAPER
		_, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: tc.s})
		st := status.Convert(err)
		var fields []string
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				for _, v := range br.GetFieldViolations() {
					fields = append(fields, v.GetField())
				}
			}
		}
		if st.Code() != codes.InvalidArgument || len(fields) != 1 || fields[0] != tc.field {
			t.Errorf("%v: %v %v, want a BadRequest on %s", tc.s, st.Code(), fields, tc.field)
		}
	}

	// A margin account runs, and says so.
	resp, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Account: margin, MaxBorrow: "25000", TickInterval: durationpb.New(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	if s := resp.GetSession().GetSettings(); s.GetAccount() != margin || s.GetMaxBorrow() != "25000" || s.GetBorrowRateBps() != 0 {
		t.Fatalf("settings echoed: %v", s)
	}
}
