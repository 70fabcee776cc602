package coordinator

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// wire is a write-ahead venue in front of the paper engine: it records,
// at each Submit, which client ids the journal had committed by then.
type wire struct {
	*matching.Engine
	journal   *committed
	sent      []string
	committed [][]string // journal's ids at each Submit
	heartbeat int
}

func (w *wire) WriteAhead() bool { return true }

func (w *wire) Submit(spec venue.OrderSpec, id string, d market.Event, now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	w.sent = append(w.sent, id)
	w.committed = append(w.committed, slices.Clone(w.journal.ids))
	return w.Engine.Submit(spec, id, d, now, dst)
}

func (w *wire) OnEvent(ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	if ev.Kind == market.EventHeartbeat {
		w.heartbeat++
		return dst
	}
	return w.Engine.OnEvent(ev, dst)
}

// committed is a journal that keeps the ids of the orders it committed,
// and fails while fail is set.
type committed struct {
	ids  []string
	fail bool
}

func (j *committed) Commit(_ context.Context, t *Tick) error {
	if j.fail {
		return errors.New("disk full")
	}
	for _, o := range t.NewOrders {
		j.ids = append(j.ids, o.ClientID)
	}
	return nil
}

func writeAheadRig(t *testing.T, j *committed, evs []market.Event, at map[int]venue.OrderSpec) (*Coordinator, *wire, *planned, *portfolio.Portfolio) {
	t.Helper()
	engine, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	w := &wire{Engine: engine, journal: j}
	strat := &planned{at: at}
	pf := portfolio.New("USD", money.FromInt(10_000))
	co, err := New(Config{OrderPrefix: "s", TickInterval: time.Second, Source: &script{evs: evs}, Venue: w,
		Strategy: strat, Portfolio: pf, Risk: risk.New(risk.DefaultLimits(), money.FromInt(10_000)),
		Orders: orders.NewBook("s", 100), Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	return co, w, strat, pf
}

// An order leaves for a write-ahead venue only once the journal holds it:
// after a crash the store knows every order the venue may have.
func TestWriteAheadVenueGetsOnlyCommittedOrders(t *testing.T) {
	j := &committed{}
	co, w, _, pf := writeAheadRig(t, j, []market.Event{book(0, 100), book(1, 100), book(2, 100)},
		map[int]venue.OrderSpec{1: buy("1"), 2: buy("2")})
	if err := co.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(w.sent) != 2 {
		t.Fatalf("sent %v, want two orders", w.sent)
	}
	for i, id := range w.sent {
		if !slices.Contains(w.committed[i], id) {
			t.Fatalf("order %s reached the venue before the journal committed it (journal had %v)", id, w.committed[i])
		}
	}
	if got := pf.Position("BTC-USD"); got != money.FromInt(3) {
		t.Fatalf("position = %s, want 3", got)
	}
}

// If the journal cannot commit an order, the order is not sent: it is
// rejected, saying why, and trading halts.
func TestWriteAheadOrderIsRejectedNotSentWhenTheStoreFails(t *testing.T) {
	j := &committed{fail: true}
	co, w, strat, pf := writeAheadRig(t, j, []market.Event{book(0, 100), book(1, 100)}, map[int]venue.OrderSpec{1: buy("1")})
	if err := co.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(w.sent) != 0 {
		t.Fatalf("sent %v with the store failing", w.sent)
	}
	if len(strat.reports) == 0 || strat.reports[len(strat.reports)-1].State != venue.StateRejected {
		t.Fatalf("strategy heard %+v, want its order rejected", strat.reports)
	}
	if co.cfg.Risk.State() != risk.Halted {
		t.Fatalf("risk state %v, want halted", co.cfg.Risk.State())
	}
	if !pf.Position("BTC-USD").IsZero() {
		t.Fatalf("position %s after an unsent order", pf.Position("BTC-USD"))
	}
}

// A write-ahead venue without a journal could send what no store knows:
// refused at construction.
func TestWriteAheadVenueNeedsAJournal(t *testing.T) {
	engine, _ := matching.New(matching.DefaultConfig())
	_, err := New(Config{OrderPrefix: "s", TickInterval: time.Second, Source: &script{}, Venue: &wire{Engine: engine},
		Strategy: &planned{}, Portfolio: portfolio.New("USD", money.FromInt(1)),
		Risk: risk.New(risk.DefaultLimits(), money.FromInt(1)), Orders: orders.NewBook("s", 1)})
	if err == nil {
		t.Fatal("a write-ahead venue without a journal was accepted")
	}
}

// A heartbeat reaches the venue (a live one hands over its reports then)
// and nothing else: the strategy is not asked, the portfolio not marked.
func TestHeartbeatReachesOnlyTheVenue(t *testing.T) {
	j := &committed{}
	hb := market.Event{Kind: market.EventHeartbeat, Time: time.Unix(5, 0)}
	co, w, strat, _ := writeAheadRig(t, j, []market.Event{book(0, 100), hb}, map[int]venue.OrderSpec{2: buy("1")})
	if err := co.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.heartbeat != 1 {
		t.Fatalf("venue saw %d heartbeats, want 1", w.heartbeat)
	}
	if strat.calls != 1 || len(w.sent) != 0 {
		t.Fatalf("the strategy was asked %d times (once for the book, never for the heartbeat) and placed %v", strat.calls, w.sent)
	}
	if _, ok := co.last[""]; ok {
		t.Fatal("a heartbeat was taken for a quote")
	}
}
