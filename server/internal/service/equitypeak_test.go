package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// tickSpy keeps, from every committed tick, the account's equity (worked
// out from the stored portfolio, apart from the figures under test) and
// the peak figures the tick carried.
type tickSpy struct {
	store.Store
	mu      sync.Mutex
	equity  []money.Decimal
	carried store.EquityPeak
}

func (s *tickSpy) CommitTick(ctx context.Context, b *store.Batch) error {
	if err := s.Store.CommitTick(ctx, b); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.Portfolio != nil {
		p, err := portfolio.Restore(*b.Portfolio)
		if err != nil {
			panic(err)
		}
		s.equity = append(s.equity, p.Equity())
	}
	if b.Peak != nil {
		s.carried = *b.Peak
	}
	return nil
}

// truth is the peak and largest drawdown over the committed ticks so far.
func (s *tickSpy) truth() (peak, maxDD money.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.equity {
		if i == 0 || e.Cmp(peak) > 0 {
			peak = e
		}
		maxDD = money.Max(maxDD, peak.Sub(e))
	}
	return peak, maxDD
}

func (s *tickSpy) lastCarried() store.EquityPeak {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carried
}

func dec(t *testing.T, s string) money.Decimal {
	t.Helper()
	d, err := money.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return d
}

// health is the current report's peak and largest drawdown.
func health(t *testing.T, c tradingv1.TradingServiceClient) (peak, maxDD money.Decimal) {
	t.Helper()
	st, err := c.GetStatus(context.Background(), &tradingv1.GetStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return dec(t, st.GetHealth().GetPeakEquity()), dec(t, st.GetHealth().GetMaxDrawdown())
}

// The session's largest drawdown is taken from every tick, not from the
// curve's points: with a point an hour, a dip after the first point shows
// in GetEquityCurve and in the health report alike, as the figure the
// ticks committed, at least the drawdown of the ticks' own equities; and
// a resume (the store reopened) carries it on rather than starting over.
func TestMaxDrawdownComesFromEveryTick(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := equityStore(t, dir, time.Hour)
	spy := &tickSpy{Store: st}
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: spy})
	c := serve(t, NewTrading(m, st, nil))
	start, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: tightGrid, TickInterval: durationpb.New(10 * time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	id := start.GetSession().GetId()
	waitStatus(t, c, "a drawdown", func(*tradingv1.GetStatusResponse) bool {
		_, maxDD := spy.truth()
		return maxDD.IsPositive()
	})
	// One point so far, whose own drawdown is 0: the figure comes from the
	// ticks.
	running, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: id})
	if err != nil || running.GetRecorded() != 1 || !dec(t, running.GetMaxDrawdown()).IsPositive() {
		t.Fatalf("running: %v, %v; want one point and a drawdown above 0", running, err)
	}

	check := func(when string) (peak, maxDD money.Decimal) {
		t.Helper()
		curve, err := c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: id})
		if err != nil {
			t.Fatal(err)
		}
		peak, maxDD = health(t, c)
		carried := spy.lastCarried()
		tickPeak, tickDD := spy.truth()
		if got := dec(t, curve.GetMaxDrawdown()); got != maxDD || maxDD != carried.MaxDrawdown || peak != carried.Peak {
			t.Fatalf("%s: curve max drawdown %s, health %s peak %s; the ticks committed %+v", when, got, maxDD, peak, carried)
		}
		if maxDD.Cmp(tickDD) < 0 || peak.Cmp(tickPeak) < 0 {
			t.Fatalf("%s: max drawdown %s peak %s, below the ticks' own %s and %s", when, maxDD, peak, tickDD, tickPeak)
		}
		for _, p := range curve.GetPoints() {
			if dec(t, p.GetDrawdown()).Cmp(maxDD) > 0 {
				t.Fatalf("%s: point %v beyond the max drawdown %s", when, p, maxDD)
			}
		}
		return peak, maxDD
	}
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	peak, maxDD := check("stopped")
	m.Shutdown(ctx)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = equityStore(t, dir, time.Hour)
	defer st.Close()
	spy = &tickSpy{Store: st}
	m = session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: spy})
	defer m.Shutdown(ctx)
	c = serve(t, NewTrading(m, st, nil))
	// A stored session's report shows its figures before any resume.
	if p, dd := health(t, c); p != peak || dd != maxDD {
		t.Fatalf("after the restart: peak %s max drawdown %s; want %s and %s", p, dd, peak, maxDD)
	}
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true, SessionId: id}); err != nil {
		t.Fatal(err)
	}
	if p, dd := health(t, c); p.Cmp(peak) < 0 || dd.Cmp(maxDD) < 0 {
		t.Fatalf("resumed: peak %s max drawdown %s; want them carried on from %s and %s", p, dd, peak, maxDD)
	}
	waitStatus(t, c, "ticks after the resume", func(*tradingv1.GetStatusResponse) bool {
		spy.mu.Lock()
		defer spy.mu.Unlock()
		return len(spy.equity) > 3
	})
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	if p, dd := check("resumed and stopped"); p.Cmp(peak) < 0 || dd.Cmp(maxDD) < 0 {
		t.Fatalf("resumed and stopped: peak %s max drawdown %s; want at least %s and %s", p, dd, peak, maxDD)
	}
}
