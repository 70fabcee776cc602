package service

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/backtests"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/transport"
)

func backtestService(t *testing.T) *Trading {
	t.Helper()
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}})
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	return NewTrading(m, nil, nil)
}

// RunBacktest gives the figures internal/backtest.Run gives for the same
// settings over the same simulated market, as tradectl backtest --sim
// --seed 7 --sim-duration 10m --strategy grid prints them (it builds its
// run alike: backtest.NewSim), and the same summary rows.
func TestRunBacktestMatchesTheEngine(t *testing.T) {
	c := serve(t, backtestService(t))
	resp, err := c.RunBacktest(context.Background(), &tradingv1.RunBacktestRequest{
		Settings:    &tradingv1.SessionSettings{Strategy: "grid", Seed: 7},
		SimDuration: durationpb.New(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	src, err := backtest.NewSim(7, settings.DefaultSymbols, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want, err := backtest.Run(context.Background(), backtest.Config{Source: src, Chart: true,
		Settings: settings.Settings{Mode: settings.ModePaper, Strategy: "grid", Seed: 7}})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetResult()
	for _, f := range []struct{ name, got, want string }{
		{"final_equity", got.GetFinalEquity(), want.FinalEquity.String()},
		{"net_pnl", got.GetNetPnl(), want.NetPnL.String()},
		{"fees", got.GetFees(), want.Fees.String()},
		{"max_drawdown", got.GetMaxDrawdown(), want.MaxDrawdown.String()},
		{"events", fmt.Sprint(got.GetEvents()), fmt.Sprint(want.Events)},
		{"orders", fmt.Sprint(got.GetOrders()), fmt.Sprint(want.Orders)},
		{"fills", fmt.Sprint(got.GetFills()), fmt.Sprint(want.Fills)},
		{"sharpe_note", got.GetSharpeNote(), want.SharpeNote},
		{"chart_every", resp.GetChartEvery().AsDuration().String(), want.Chart.Every.String()},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if want.Fills == 0 || got.GetFinalEquity() == "100000" {
		t.Fatalf("a run that traded nothing proves nothing: %v", got)
	}
	rows := want.Summary()
	if len(resp.GetSummary()) != len(rows) {
		t.Fatalf("%d summary rows, want %d", len(resp.GetSummary()), len(rows))
	}
	for i, r := range rows {
		if g := resp.GetSummary()[i]; g.GetLabel() != r.Label || g.GetValue() != r.Value {
			t.Errorf("summary row %d = %s %q, want %s %q", i, g.GetLabel(), g.GetValue(), r.Label, r.Value)
		}
	}
	if len(resp.GetEquity()) != len(want.Chart.Equity) || len(resp.GetPrices()) != 1 ||
		len(resp.GetTrades()) != want.Fills || resp.GetTrades()[0].GetSessionId() != "" ||
		resp.GetTrades()[0].GetFill().GetPrice() != want.Trades[0].Price.String() {
		t.Fatalf("curves and trades: %d equity points, %d price series, %d trades; want %d, 1, %d",
			len(resp.GetEquity()), len(resp.GetPrices()), len(resp.GetTrades()), len(want.Chart.Equity), want.Fills)
	}
}

// Each refusal names its field, with the message StartTrading gives for a
// setting both take.
func TestRunBacktestRefusalsByField(t *testing.T) {
	c := serve(t, backtestService(t))
	ctx := context.Background()
	hour := durationpb.New(time.Hour)
	for _, tc := range []struct {
		field string
		req   *tradingv1.RunBacktestRequest
	}{
		{"settings.mode", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_LIVE}}},
		{"settings.duration", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{Duration: hour}}},
		{"settings.health_interval", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{HealthInterval: hour}}},
		{"settings.tick_interval", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{TickInterval: hour}}},
		{"settings.auto_restart", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{AutoRestart: true}}},
		{"settings.strategy", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{Strategy: "remote:sma"}}},
		{"settings.on_detach", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{OnDetach: tradingv1.DetachPolicy_DETACH_POLICY_KEEP}}},
		{"settings.attach_grace", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{AttachGrace: hour}}},
		{"settings.answer_timeout", &tradingv1.RunBacktestRequest{SimDuration: hour, Settings: &tradingv1.SessionSettings{AnswerTimeout: hour}}},
		{"sim_duration", &tradingv1.RunBacktestRequest{}},
		{"sim_duration", &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(0)}},
		{"sim_duration", &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(-time.Second)}},
		{"sim_duration", &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(tradingv1.MaxBacktestDuration + time.Second)}},
		{"sample_every", &tradingv1.RunBacktestRequest{SimDuration: hour, SampleEvery: durationpb.New(0)}},
		{"sample_every", &tradingv1.RunBacktestRequest{SimDuration: hour, SampleEvery: durationpb.New(-time.Minute)}},
	} {
		_, err := c.RunBacktest(ctx, tc.req)
		if code, field, _ := fieldOf(t, err); code != codes.InvalidArgument || field != tc.field {
			t.Errorf("%v: %v; want INVALID_ARGUMENT on %s", tc.req, err, tc.field)
		}
	}
	// Settings both calls take are refused alike, by the same rules.
	for _, bad := range []*tradingv1.SessionSettings{
		{Strategy: "grid", Params: map[string]string{"nope": "1"}},
		{Strategy: "no-such-strategy"},
		{Symbols: []string{"btc"}},
		{Symbols: []string{"NOPE-USD"}},
		{StartingCash: "-5"},
		{Risk: &tradingv1.RiskLimits{MaxDrawdown: "x"}},
	} {
		_, berr := c.RunBacktest(ctx, &tradingv1.RunBacktestRequest{Settings: bad, SimDuration: hour})
		_, serr := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: bad})
		bcode, bfield, bwhy := fieldOf(t, berr)
		scode, sfield, swhy := fieldOf(t, serr)
		if bcode != codes.InvalidArgument || bfield == "" || bcode != scode || bfield != sfield || bwhy != swhy {
			t.Errorf("%v: backtest %v %s %q, start %v %s %q; want the same refusal", bad, bcode, bfield, bwhy, scode, sfield, swhy)
		}
	}
}

// longRun is a backtest far longer than any test waits for: a day of
// every paper symbol, about 15s of a core even without the race detector.
var longRun = &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(24 * time.Hour), Settings: &tradingv1.SessionSettings{
	Strategy: "grid", Symbols: []string{"ADA-USD", "AVAX-USD", "BTC-USD", "DOGE-USD", "ETH-USD", "LINK-USD", "LTC-USD", "SOL-USD", "XRP-USD"}}}

// One backtest at a time: a second while one runs is BACKTEST_BUSY; the
// first, cancelled, ends CANCELLED and frees the slot.
func TestRunBacktestOneAtATime(t *testing.T) {
	svc := backtestService(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan error, 1)
	busy := func(err error) bool {
		r, _ := tradingv1.ReasonOf(status.Convert(err))
		return r == tradingv1.ErrorReason_ERROR_REASON_BACKTEST_BUSY
	}
	go func() {
		for { // until it has the slot: a probe below may hold it a moment
			_, err := svc.RunBacktest(ctx, longRun)
			if !busy(err) {
				first <- err
				return
			}
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	short := &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(time.Minute)}
	for {
		// Short, so that a probe that took the slot before the first
		// frees it at once.
		_, err := svc.RunBacktest(context.Background(), short)
		if err == nil && time.Now().Before(deadline) {
			continue
		}
		if busy(err) {
			if status.Code(err) != codes.ResourceExhausted {
				t.Fatalf("busy: %v; want RESOURCE_EXHAUSTED", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a backtest while another runs: %v; want BACKTEST_BUSY", err)
		}
	}
	cancel()
	if err := <-first; status.Code(err) != codes.Canceled {
		t.Fatalf("cancelled backtest: %v; want CANCELLED", err)
	}
	if _, err := svc.RunBacktest(context.Background(), short); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
}

// A deadline ends a long run with DEADLINE_EXCEEDED, and the next call
// finds the slot free.
func TestRunBacktestDeadline(t *testing.T) {
	svc := backtestService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := svc.RunBacktest(ctx, longRun); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("a day of nine symbols in 100ms: %v; want DEADLINE_EXCEEDED", err)
	}
	// A liveness bound, not a speed test: the run checks its context every
	// 4096 events (a few ms); ignoring it, it would run on for seconds.
	if took := time.Since(began); took > 3*time.Second {
		t.Fatalf("the run went on %s past its deadline", took)
	}
	if _, err := svc.RunBacktest(context.Background(), &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(time.Minute)}); err != nil {
		t.Fatalf("after a deadline: %v; want the slot free", err)
	}
}

// The largest response RunBacktest can send (every curve at its bound for
// the most symbols a session takes, the most trades, every decimal at its
// longest) fits the daemon's send limit.
func TestRunBacktestLargestResponseFits(t *testing.T) {
	long := money.FromUnits(-(1<<63 - 1)) // "-92233720368.54775807"
	at := time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
	points := backtest.MaxChartPoints + 1 // the run's last event is always kept
	r := &backtest.Result{Strategy: strings.Repeat("s", 64), Sharpe: new(string)}
	for range points {
		r.Chart.Equity = append(r.Chart.Equity, backtest.EquityPoint{Time: at, Equity: long, Drawdown: long})
	}
	for i := range tradingv1.MaxSymbols {
		s := backtest.PriceSeries{Symbol: fmt.Sprintf("%012d-%012d", i, i)}
		for range points {
			s.Points = append(s.Points, backtest.PricePoint{Time: at, Price: long})
		}
		r.Chart.Prices = append(r.Chart.Prices, s)
		r.Positions = append(r.Positions, backtest.Position{Symbol: s.Symbol, Quantity: long, AveragePrice: long, MarkPrice: long, UnrealizedPnL: long})
	}
	for i := range 2 * backtests.MaxTrades {
		r.Trades = append(r.Trades, backtest.Trade{Time: at, OrderID: fmt.Sprintf("bt-%020d", i), Symbol: r.Chart.Prices[0].Symbol,
			Side: "SELL", Quantity: long, Price: long, Fee: long, Liquidity: "maker", Slippage: long})
	}
	r.Fills = len(r.Trades)
	resp := backtestToProto(r)
	size, limit := proto.Size(resp), transport.Limits{}.WithDefaults().MaxSendMsgSize
	t.Logf("largest RunBacktest response: %d bytes (%.1f MiB) of %d", size, float64(size)/(1<<20), limit)
	if len(resp.GetTrades()) != backtests.MaxTrades || size > limit {
		t.Fatalf("%d trades, %d bytes; want %d trades within %d bytes", len(resp.GetTrades()), size, backtests.MaxTrades, limit)
	}
}

// A backtest that names no seed runs tradectl backtest's default, 1, so
// that it repeats; another seed is another market.
func TestRunBacktestSeedUnsetIsOne(t *testing.T) {
	svc := backtestService(t)
	run := func(seed uint64) string {
		resp, err := svc.RunBacktest(context.Background(), &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(10 * time.Minute),
			Settings: &tradingv1.SessionSettings{Strategy: "grid", Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetResult().GetFinalEquity() + " " + resp.GetResult().GetLastEvent().AsTime().String()
	}
	unset, one, two := run(0), run(1), run(2)
	if unset != one || unset == two {
		t.Fatalf("seed unset %s, 1 %s, 2 %s; want unset as 1, and 2 another run", unset, one, two)
	}
}
