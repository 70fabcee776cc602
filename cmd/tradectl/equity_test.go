package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// GetEquityCurve answers with the session asked for, or the current one,
// and three points, the last in a drawdown.
func (f *fakeDaemon) GetEquityCurve(ctx context.Context, req *tradingv1.GetEquityCurveRequest) (*tradingv1.GetEquityCurveResponse, error) {
	f.mu.Lock()
	f.equityReq = req
	f.mu.Unlock()
	id := req.GetSessionId()
	if id == "" {
		id = "0123456789abcdef"
	}
	resp := &tradingv1.GetEquityCurveResponse{SessionId: id, QuoteCurrency: "USD", Recorded: 40, MaxDrawdown: "12.5"}
	for i, p := range [][2]string{{"100000", "0"}, {"100010.25", "0"}, {"99997.75", "12.5"}} {
		resp.Points = append(resp.Points, &tradingv1.EquityPoint{Time: timestamppb.New(testStart.Add(time.Duration(i) * 5 * time.Second)),
			Equity: p[0], Drawdown: p[1]})
	}
	return resp, f.begin(ctx)
}

func TestEquity(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("equity", "--session", "fedcba9876543210", "--max-points", "3")
	if code != 0 || !proto.Equal(h.fake.equityReq, &tradingv1.GetEquityCurveRequest{SessionId: "fedcba9876543210", MaxPoints: 3}) {
		t.Fatalf("exit %d (%s), sent %v", code, errOut, h.fake.equityReq)
	}
	ls := lines(out)
	if len(ls) != 5 || !regexp.MustCompile(`^TIME +EQUITY +DRAWDOWN$`).MatchString(ls[0]) {
		t.Fatalf("want header, three points and the total:\n%s", out)
	}
	if f := strings.Fields(ls[3]); len(f) != 4 || f[2] != "99997.75" || f[3] != "12.5" {
		t.Errorf("point row %q", ls[3])
	}
	if ls[4] != "3 of 40 recorded points; max drawdown 12.5 USD" {
		t.Errorf("total %q", ls[4])
	}
	_, out, _ = h.run("equity", "-o", "json")
	var resp tradingv1.GetEquityCurveResponse
	if jsonIs(t, out, &resp); resp.GetSessionId() != "0123456789abcdef" || len(resp.GetPoints()) != 3 || h.fake.equityReq.GetSessionId() != "" {
		t.Errorf("json, sent %v: %v", h.fake.equityReq, &resp)
	}
	if code, _, _ := h.run("equity", "--max-points", "-1"); code == 0 {
		t.Error("--max-points -1 accepted")
	}
}
