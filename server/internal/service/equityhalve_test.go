package service

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// A running session whose curve reaches the bound is halved, and the loop
// then offers points at the doubled period, as does the same session
// resumed after the daemon restarts: the period is the store's, not the
// process's. (The curve is filled to its bound with points before the
// session's start rather than by running for hours.)
func TestHalvedCurveKeepsItsDoubledPeriodAcrossARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const every = 40 * time.Millisecond
	st := equityStore(t, dir, every)
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	c := serve(t, NewTrading(m, st, nil))
	start, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: gridSettings})
	if err != nil {
		t.Fatal(err)
	}
	id := start.GetSession().GetId()
	first := waitRecorded(t, c, id, 0).GetPoints()[0].GetTime().AsTime()
	for i := 1; i <= store.MaxEquityPoints; i++ {
		p := store.EquityRow{Time: first.Add(-time.Duration(i) * time.Second), Equity: money.FromInt(100_000)}
		if err := st.AppendEquity(ctx, id, p); err != nil {
			t.Fatal(err)
		}
	}
	// The last appends halved the curve; the loop learns the doubled
	// period with its next point.
	halved := time.Now()
	t.Logf("filled in %s", halved.Sub(first))
	curve := whole(t, c, id)
	deadline := time.Now().Add(20 * time.Second)
	for !lastAfter(curve, halved.Add(12*every)) {
		if time.Now().After(deadline) {
			t.Fatalf("the curve did not grow on: %d points", curve.GetRecorded())
		}
		time.Sleep(10 * time.Millisecond)
		curve = whole(t, c, id)
	}
	if curve.GetRecorded() >= store.MaxEquityPoints {
		t.Fatalf("%d points: the curve was not halved", curve.GetRecorded())
	}
	checkSpacing(t, "after the halving", curve, halved.Add(every), 2*every)
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	m.Shutdown(ctx)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = equityStore(t, dir, every)
	defer st.Close()
	m = session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	c = serve(t, NewTrading(m, st, nil))
	resumed := time.Now()
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true, SessionId: id}); err != nil {
		t.Fatal(err)
	}
	n := waitRecorded(t, c, id, 0).GetRecorded()
	waitRecorded(t, c, id, n+4)
	curve = whole(t, c, id)
	checkSpacing(t, "resumed", curve, resumed, 2*every)
}

// whole is the curve unthinned.
func whole(t *testing.T, c tradingv1.TradingServiceClient, id string) *tradingv1.GetEquityCurveResponse {
	t.Helper()
	resp, err := c.GetEquityCurve(context.Background(), &tradingv1.GetEquityCurveRequest{SessionId: id,
		MaxPoints: tradingv1.MaxEquityPoints})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func lastAfter(c *tradingv1.GetEquityCurveResponse, t time.Time) bool {
	p := c.GetPoints()
	return len(p) > 0 && p[len(p)-1].GetTime().AsTime().After(t)
}

// checkSpacing checks that the points after since are at least min apart.
func checkSpacing(t *testing.T, what string, c *tradingv1.GetEquityCurveResponse, since time.Time, min time.Duration) {
	t.Helper()
	var prev time.Time
	seen := 0
	for _, p := range c.GetPoints() {
		at := p.GetTime().AsTime()
		if at.Before(since) {
			continue
		}
		if !prev.IsZero() && at.Sub(prev) < min {
			t.Fatalf("%s: points %s apart, want at least %s (the doubled period)", what, at.Sub(prev), min)
		}
		prev = at
		seen++
	}
	if seen < 3 {
		t.Fatalf("%s: %d points to check", what, seen)
	}
}
