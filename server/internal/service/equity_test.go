package service

import (
	"context"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
	"github.com/tradectl/tradectl/server/internal/transport"
)

// serve puts svc behind a gRPC server on bufconn, with the daemon's
// request validation and send limit, and returns a client of it.
func serve(t *testing.T, svc *Trading) tradingv1.TradingServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ValidateUnary(nil)),
		grpc.MaxSendMsgSize(transport.Limits{}.WithDefaults().MaxSendMsgSize))
	tradingv1.RegisterTradingServiceServer(srv, svc)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); srv.Stop(); <-done })
	return tradingv1.NewTradingServiceClient(conn)
}

// fieldOf is the one field a refusal's BadRequest names.
func fieldOf(t *testing.T, err error) (codes.Code, string, string) {
	t.Helper()
	st := status.Convert(err)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) == 1 {
			v := br.GetFieldViolations()[0]
			return st.Code(), v.GetField(), v.GetDescription()
		}
	}
	return st.Code(), "", ""
}

// Thinning keeps the first and the newest point, at most max, evenly
// spread, each with its drawdown from the peak stored with it (the
// session's, from every tick: at or above every point's equity so far,
// sometimes above all of them), and the largest drawdown over all of
// them, whatever was dropped.
func TestEquityCurveThinningProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n, max := r.IntN(300), 1+r.IntN(60)
		all := make([]store.EquityRow, n)
		var peak money.Decimal
		for i := range all {
			equity := money.FromUnits(r.Int64N(1_000_000) - 200_000)
			// A tick between points may have gone higher than any point.
			tickHigh := equity.Add(money.FromUnits(r.Int64N(3) * r.Int64N(50_000)))
			if i == 0 || tickHigh.Cmp(peak) > 0 {
				peak = tickHigh
			}
			all[i] = store.EquityRow{Time: time.Unix(int64(i), 0), Equity: equity, Peak: peak}
		}
		kept, maxDD := equityCurve(all, max)
		if want := min(n, max); len(kept) != want {
			t.Fatalf("n=%d max=%d: kept %d, want %d", n, max, len(kept), want)
		}
		var wantMax money.Decimal
		dd := make(map[time.Time]money.Decimal, n)
		for _, p := range all {
			dd[p.Time] = p.Peak.Sub(p.Equity)
			wantMax = money.Max(wantMax, dd[p.Time])
		}
		if maxDD != wantMax {
			t.Fatalf("n=%d max=%d: max drawdown %s, want %s", n, max, maxDD, wantMax)
		}
		if n == 0 {
			continue
		}
		if kept[len(kept)-1].Time != all[n-1].Time || (max > 1 && kept[0].Time != all[0].Time) {
			t.Fatalf("n=%d max=%d: the first and newest points were not kept", n, max)
		}
		var gaps []int64
		for i, p := range kept {
			if p.Drawdown != dd[p.Time] {
				t.Fatalf("n=%d max=%d: drawdown at %s is %s, want %s (from the peak stored with it)", n, max, p.Time, p.Drawdown, dd[p.Time])
			}
			if i > 0 {
				gaps = append(gaps, p.Time.Unix()-kept[i-1].Time.Unix())
			}
		}
		for _, g := range gaps {
			if g < 1 || g-gaps[0] > 1 || gaps[0]-g > 1 {
				t.Fatalf("n=%d max=%d: uneven gaps %v", n, max, gaps)
			}
		}
	}
}

// equityStore is a store whose curves take a point every 20ms, so that a
// test sees a curve grow without waiting 5s a point.
func equityStore(t *testing.T, dir string, every time.Duration) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), dir, store.Options{EquityEvery: every})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitRecorded polls the curve until it holds more than n points.
func waitRecorded(t *testing.T, c tradingv1.TradingServiceClient, id string, n uint64) *tradingv1.GetEquityCurveResponse {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.GetEquityCurve(context.Background(), &tradingv1.GetEquityCurveRequest{SessionId: id})
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetRecorded() > n {
			return resp
		}
		if time.Now().After(deadline) {
			t.Fatalf("the curve of %s stayed at %d points", id, resp.GetRecorded())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var gridSettings = &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid",
	TickInterval: durationpb.New(10 * time.Millisecond)}

// A running session's curve grows; its stop adds the end's point, at the
// equity the session ended with; a resume after a restart of the daemon
// (the store reopened) carries on the same curve.
func TestGetEquityCurveGrowsEndsAndResumes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := equityStore(t, dir, 20*time.Millisecond)
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	c := serve(t, NewTrading(m, st, nil))
	start, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: gridSettings})
	if err != nil {
		t.Fatal(err)
	}
	id := start.GetSession().GetId()
	first := waitRecorded(t, c, "", 0) // unset: the current session
	if first.GetSessionId() != id || first.GetQuoteCurrency() != "USD" {
		t.Fatalf("curve of %q in %q; want %s in USD", first.GetSessionId(), first.GetQuoteCurrency(), id)
	}
	grown := waitRecorded(t, c, id, first.GetRecorded()+2)
	if !grown.GetPoints()[0].GetTime().AsTime().Equal(first.GetPoints()[0].GetTime().AsTime()) {
		t.Fatal("the curve's first point moved")
	}
	stop, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{KeepOpenOrders: true})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: id})
	if err != nil {
		t.Fatal(err)
	}
	if last := ended.GetPoints()[len(ended.GetPoints())-1]; last.GetEquity() != stop.GetSession().GetSummary().GetEquity() {
		t.Fatalf("last point %v; want the end's equity %s", last, stop.GetSession().GetSummary().GetEquity())
	}
	m.Shutdown(ctx)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = equityStore(t, dir, 20*time.Millisecond)
	defer st.Close()
	m = session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	c = serve(t, NewTrading(m, st, nil))
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true, SessionId: id}); err != nil {
		t.Fatal(err)
	}
	resumed := waitRecorded(t, c, id, ended.GetRecorded()+1)
	pts := resumed.GetPoints()
	if !pts[0].GetTime().AsTime().Equal(first.GetPoints()[0].GetTime().AsTime()) {
		t.Fatal("the resumed session's curve does not carry on the first run's")
	}
	for i := 1; i < len(pts); i++ {
		if !pts[i].GetTime().AsTime().After(pts[i-1].GetTime().AsTime()) {
			t.Fatalf("points %d and %d are out of order", i-1, i)
		}
	}
	thin, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: id, MaxPoints: 2})
	if err != nil || len(thin.GetPoints()) != 2 || thin.GetRecorded() < uint64(len(pts)) || thin.GetMaxDrawdown() == "" {
		t.Fatalf("max_points 2: %v, %v", thin, err)
	}
}

// The refusals: a bound named by field, an unknown session, no store.
func TestGetEquityCurveRefusals(t *testing.T) {
	ctx := context.Background()
	st := equityStore(t, t.TempDir(), 20*time.Millisecond)
	defer st.Close()
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	c := serve(t, NewTrading(m, st, nil))
	_, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{MaxPoints: tradingv1.MaxEquityPoints + 1})
	if code, field, _ := fieldOf(t, err); code != codes.InvalidArgument || field != "max_points" {
		t.Fatalf("max_points over the bound: %v; want INVALID_ARGUMENT on max_points", err)
	}
	_, err = c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: "nope"})
	if code, info := errorInfo(t, err); code != codes.NotFound || info.GetReason() != "SESSION_NOT_FOUND" {
		t.Fatalf("unknown session: %v", err)
	}
	if resp, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{}); err != nil || len(resp.GetPoints()) != 0 {
		t.Fatalf("no session yet: %v, %v", resp, err)
	}
	bare := session.NewManager(session.Options{Assembler: assemble.Paper{}})
	defer bare.Shutdown(ctx)
	_, err = serve(t, NewTrading(bare, nil, nil)).GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{})
	if _, info := errorInfo(t, err); info.GetReason() != "NO_STORE" {
		t.Fatalf("without a store: %v", err)
	}
	// The store keeps no more than a reader may ask for, so a curve is
	// thinned for a reader only when asked for fewer.
	if store.MaxEquityPoints != tradingv1.MaxEquityPoints {
		t.Fatalf("store keeps %d points, a reader may ask for %d", store.MaxEquityPoints, tradingv1.MaxEquityPoints)
	}
}

// With a period longer than the session, the curve is the first tick's
// point and the end's: the end is recorded whatever the period.
func TestEquityCurveEndsWhereTheSessionDid(t *testing.T) {
	ctx := context.Background()
	st := equityStore(t, t.TempDir(), time.Hour)
	defer st.Close()
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	c := serve(t, NewTrading(m, st, nil))
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: gridSettings}); err != nil {
		t.Fatal(err)
	}
	waitRecorded(t, c, "", 0)
	stop, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{})
	if err != nil {
		t.Fatal(err)
	}
	curve, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pts := curve.GetPoints()
	if curve.GetRecorded() != 2 || len(pts) != 2 || pts[1].GetEquity() != stop.GetSession().GetSummary().GetEquity() ||
		!pts[1].GetTime().AsTime().After(pts[0].GetTime().AsTime()) {
		t.Fatalf("curve %v; want the first tick's point and the end's, at equity %s", curve, stop.GetSession().GetSummary().GetEquity())
	}
}
