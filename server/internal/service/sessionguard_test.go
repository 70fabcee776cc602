package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
)

// tightGrid places orders next to the mid, so they fill within a few ticks.
var tightGrid = map[string]string{"spacing_bps": "1", "levels": "3"}

// wantChanged checks err is SESSION_CHANGED naming current.
func wantChanged(t *testing.T, what string, err error, current string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error; want SESSION_CHANGED", what)
	}
	code, info := errorInfo(t, err)
	if code != codes.FailedPrecondition || info.GetReason() != "SESSION_CHANGED" || info.GetMetadata()["session_id"] != current {
		t.Fatalf("%s: %v %v; want FAILED_PRECONDITION, SESSION_CHANGED naming %s", what, code, info, current)
	}
}

// waitStatus polls GetStatus until cond holds.
func waitStatus(t *testing.T, c tradingv1.TradingServiceClient, what string, cond func(*tradingv1.GetStatusResponse) bool) *tradingv1.GetStatusResponse {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := c.GetStatus(context.Background(), &tradingv1.GetStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened: %v", what, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A stop or a kill-switch reset that names a session acts on that session
// only: naming another one (a request delayed past the session's end and
// the next one's start) does nothing and says which session is there.
func TestStopAndResetActOnlyOnTheNamedSession(t *testing.T) {
	ctx := context.Background()
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}})
	defer m.Shutdown(ctx)
	c := serve(t, NewTrading(m, nil, nil))
	// A tight grid fills at once, and drawdown limits its first dip
	// passes: the kill switch fires.
	halting := &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: tightGrid,
		TickInterval: durationpb.New(10 * time.Millisecond), Risk: &tradingv1.RiskLimits{MaxDrawdown: "0.000001", MaxTrailingDrawdown: "0.000001"}}
	a, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: halting})
	if err != nil {
		t.Fatal(err)
	}
	idA := a.GetSession().GetId()
	halted := func(st *tradingv1.GetStatusResponse) bool {
		return st.GetSession().GetSummary().GetRisk().GetState() == tradingv1.TradingState_TRADING_STATE_HALTED
	}
	waitStatus(t, c, "the kill switch", halted)

	_, err = c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "late", SessionId: "another"})
	wantChanged(t, "reset naming another session", err, idA)
	_, err = c.StopTrading(ctx, &tradingv1.StopTradingRequest{SessionId: "another"})
	wantChanged(t, "stop naming another session", err, idA)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, `"another"`) || !strings.Contains(msg, idA) {
		t.Fatalf("the refusal says %q; want it to name both sessions", msg)
	}
	st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
	if err != nil || st.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_RUNNING || !halted(st) {
		t.Fatalf("after the refused calls: %v, %v; want RUNNING and still HALTED", st.GetSession(), err)
	}

	peak, maxDD := health(t, c)
	reset, err := c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "reviewed", SessionId: idA})
	if err != nil || reset.GetRisk().GetState() == tradingv1.TradingState_TRADING_STATE_HALTED {
		t.Fatalf("reset naming the session: %v, %v; want it reset", reset, err)
	}
	// The session's peak and largest drawdown are not the kill switch's:
	// its reset restarts neither.
	if p, dd := health(t, c); !maxDD.IsPositive() || p.Cmp(peak) < 0 || dd.Cmp(maxDD) < 0 {
		t.Fatalf("after the reset: peak %s max drawdown %s; before it %s and %s", p, dd, peak, maxDD)
	}
	stop, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{SessionId: idA})
	if err != nil || !stop.GetWasRunning() || stop.GetSession().GetId() != idA {
		t.Fatalf("stop naming the session: %v, %v", stop, err)
	}
	// Stopping the last session again, by its id, answers with its summary.
	again, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{SessionId: idA})
	if err != nil || again.GetWasRunning() || again.GetSession().GetId() != idA ||
		again.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED ||
		again.GetSession().GetSummary().GetEquity() != stop.GetSession().GetSummary().GetEquity() {
		t.Fatalf("second stop of %s: %v, %v; want its summary", idA, again, err)
	}

	// A newer session is out of reach of a call naming the old one.
	b, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: gridSettings})
	if err != nil {
		t.Fatal(err)
	}
	idB := b.GetSession().GetId()
	_, err = c.StopTrading(ctx, &tradingv1.StopTradingRequest{SessionId: idA})
	wantChanged(t, "a late stop of the old session", err, idB)
	_, err = c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "late", SessionId: idA})
	wantChanged(t, "a late reset of the old session", err, idB)
	if st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{}); err != nil || st.GetSession().GetId() != idB ||
		st.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("after a late stop: %v, %v; want %s RUNNING", st.GetSession(), err, idB)
	}
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
}
