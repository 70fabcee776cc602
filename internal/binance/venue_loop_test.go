package binance

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

// loopLog is the order of what happened, as the journal and the venue saw
// it.
type loopLog struct{ steps []string }

type loopJournal struct{ log *loopLog }

func (j loopJournal) Commit(_ context.Context, t *coordinator.Tick) error {
	for _, o := range t.NewOrders {
		j.log.steps = append(j.log.steps, "commit "+o.ClientID)
	}
	return nil
}

// echoVenue is the far side: it notes every order placed and answers it
// with a trade in two parts (at 100 and 101), delivered twice and out of
// order.
type echoVenue struct {
	log  *loopLog
	sink Sink
}

func (e echoVenue) Place(o OrderRequest) bool {
	e.log.steps = append(e.log.steps, "place "+o.ClientID)
	sym, id := o.Spec.Symbol, o.ClientID
	a := vTrade(sym, id, 1, "0.5", "100", "0.5", StatusPartiallyFilled)
	b := vTrade(sym, id, 2, "0.5", "101", "1", StatusFilled)
	for _, u := range []OrderUpdate{vStatus(sym, id, StatusFilled, "1"), b, b, vStatus(sym, id, StatusNew, "0"), a, b, a} {
		e.sink.Update(u)
	}
	return true
}
func (echoVenue) Cancel(_, _ string) bool { return true }
func (echoVenue) Resolve(_, _ string)     {}

type loopBuyOnce struct{ done bool }

func (b *loopBuyOnce) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if b.done || ev.Kind != market.EventBook {
		return dst
	}
	b.done = true
	return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: vLimit(vBTC, venue.Buy, "1", "100.01")})
}

type loopEvents struct{ evs []market.Event }

func (s *loopEvents) Next(context.Context, time.Time) (market.Event, bool, error) {
	if len(s.evs) == 0 {
		return market.Event{}, false, io.EOF
	}
	ev := s.evs[0]
	s.evs = s.evs[1:]
	return ev, true, nil
}

// The trading loop commits the order before the venue sends it, and the
// venue's reports, duplicated and reordered, fill it once in the loop's
// books and account.
func TestVenueInTheTradingLoop(t *testing.T) {
	log := &loopLog{}
	v := NewVenue(VenueConfig{Quote: "USDT", Rules: vRules()})
	v.SetSender(echoVenue{log: log, sink: v})
	book := vQuote(vBTC)
	hb := market.Event{Kind: market.EventHeartbeat, Time: vT0.Add(time.Second)}
	pf := portfolio.New("USD", money.FromInt(10_000))
	ob := orders.NewBook("s", 100)
	co, err := coordinator.New(coordinator.Config{OrderPrefix: "s", TickInterval: time.Second,
		Source: &loopEvents{evs: []market.Event{book, hb, hb}}, Venue: v, Strategy: &loopBuyOnce{}, Portfolio: pf,
		Risk: risk.New(risk.DefaultLimits(), money.FromInt(10_000)), Orders: ob, Journal: loopJournal{log}})
	if err != nil {
		t.Fatal(err)
	}
	if err := co.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(log.steps) != 2 || log.steps[0] != "commit s-1" || log.steps[1] != "place s-1" {
		t.Fatalf("steps %v: the order must be committed before it is placed", log.steps)
	}
	o, ok := ob.Get("s-1")
	if !ok || o.State != venue.StateFilled || len(o.Fills) != 2 || o.Filled != vdec("1") || o.AveragePrice != vdec("100.5") {
		t.Fatalf("order %+v", o)
	}
	if got := pf.Position(vBTC); got != vdec("1") {
		t.Fatalf("position %s, want 1", got)
	}
	if st := co.Stats(); st.Fills != 2 || st.OrderError != nil {
		t.Fatalf("fills %d, order error %v", st.Fills, st.OrderError)
	}
}
