package matching

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
)

// fiveLevels is a book with five levels a side around 100.
func fiveLevels(ms int) market.Event {
	return depth(ms,
		levels("99.9x1", "99.8x2", "99.7x3", "99.6x4", "99.5x5"),
		levels("100x1", "100.1x2", "100.2x3", "100.3x4", "100.4x5"))
}

func TestMarketBuyWalksThreeLevels(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	ev := fiveLevels(0)
	e.OnEvent(&ev, nil)
	got := e.Submit(mkt(venue.Buy, "5"), "A", ev, ev.Time, nil)
	// Taker fee 5 bps of each fill's notional: 100, 200.2 and 200.4.
	wantReports(t, "buy 5", got,
		"A ACCEPTED 0/5",
		"A PARTIALLY_FILLED 1/4 1@100 fee 0.05 taker",
		"A PARTIALLY_FILLED 3/2 2@100.1 fee 0.1001 taker",
		"A FILLED 5/0 2@100.2 fee 0.1002 taker")
	for _, r := range got[1:] {
		if r.DecisionPrice != d("100") || r.Liquidity != venue.Taker || r.Time != ev.Time {
			t.Fatalf("fill %+v", r)
		}
	}
	if got[3].Slippage() != d("0.2") {
		t.Fatalf("slippage of the last fill %s", got[3].Slippage())
	}
}

func TestMarketSellWalksBids(t *testing.T) {
	e := newEngine(t, Config{TakerFeeBps: 10})
	ev := fiveLevels(0)
	e.OnEvent(&ev, nil)
	wantReports(t, "sell 2.5", e.Submit(mkt(venue.Sell, "2.5"), "A", ev, ev.Time, nil),
		"A ACCEPTED 0/2.5",
		"A PARTIALLY_FILLED 1/1.5 1@99.9 fee 0.0999 taker",
		"A FILLED 2.5/0 1.5@99.8 fee 0.1497 taker")
}

func TestIOCStopsAtItsLimitAcrossLevels(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	ev := fiveLevels(0)
	e.OnEvent(&ev, nil)
	wantReports(t, "IOC buy 10 at 100.1", e.Submit(limit(venue.Buy, "10", "100.1", venue.IOC), "A", ev, ev.Time, nil),
		"A ACCEPTED 0/10",
		"A PARTIALLY_FILLED 1/9 1@100 fee 0.05 taker",
		"A PARTIALLY_FILLED 3/7 2@100.1 fee 0.1001 taker",
		"A CANCELLED 3/7 ("+reasonIOCRemainder+")")
}

func TestMarketableGTCTakesThenRests(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	ev := fiveLevels(0)
	e.OnEvent(&ev, nil)
	wantReports(t, "GTC buy 2 at 100", e.Submit(limit(venue.Buy, "2", "100", venue.GTC), "A", ev, ev.Time, nil),
		"A ACCEPTED 0/2",
		"A PARTIALLY_FILLED 1/1 1@100 fee 0.05 taker")
	if open := e.Open(nil); len(open) != 1 || !open[0].Active || open[0].Remaining != d("1") {
		t.Fatalf("open %+v", open)
	}
	// The rest is now a maker: a seller hitting 100 fills it at 100.
	wantReports(t, "trade", e.OnEvent(ptr(trade(1, "100", "3", -1, "99.9", "100")), nil),
		"A FILLED 2/0 1@100 fee 0.02 maker")
}

func TestLatency(t *testing.T) {
	e := newEngine(t, Config{Latency: 250 * time.Millisecond, TakerFeeBps: 5})
	decision := fiveLevels(0)
	e.OnEvent(&decision, nil)
	wantReports(t, "submit", e.Submit(mkt(venue.Buy, "1"), "A", decision, at(0), nil), "A ACCEPTED 0/1")
	// 1ns before arrival the market moves, and the order is not there to see it.
	early := depth(0, levels("99x1"), levels("99.5x1"))
	early.Time = at(250).Add(-time.Nanosecond)
	if got := e.OnEvent(&early, nil); len(got) != 0 {
		t.Fatalf("filled before arrival: %q", briefs(got))
	}
	// On arrival it fills at the market of the arrival event.
	wantReports(t, "arrival", e.OnEvent(ptr(depth(250, levels("101x1"), levels("102x1"))), nil),
		"A FILLED 1/0 1@102 fee 0.051 taker")
}

func TestLatencyCountsFromSubmitNotDecision(t *testing.T) {
	e := newEngine(t, Config{Latency: 100 * time.Millisecond})
	decision := quote(0, "100", "101")
	// Decided on an event at 0, submitted at 50: due at 150.
	e.Submit(mkt(venue.Buy, "1"), "A", decision, at(50), nil)
	if got := e.OnEvent(ptr(quote(149, "100", "101")), nil); len(got) != 0 {
		t.Fatalf("%q", briefs(got))
	}
	if got := e.OnEvent(ptr(quote(150, "100", "101")), nil); len(got) != 1 || got[0].State != venue.StateFilled {
		t.Fatalf("%q", briefs(got))
	}
}

func TestInFlightOrdersArriveInSubmitOrder(t *testing.T) {
	e := newEngine(t, Config{Latency: 10 * time.Millisecond})
	q := quote(0, "100", "101")
	e.Submit(mkt(venue.Buy, "1"), "A", q, at(0), nil)
	e.Submit(mkt(venue.Buy, "1"), "B", q, at(5), nil) // due at 15
	e.Submit(mkt(venue.Sell, "1"), "C", q, at(1), nil)
	wantReports(t, "at 12", e.OnEvent(ptr(depth(12, levels("100x1"), levels("101x1"))), nil),
		"A FILLED 1/0 1@101 fee 0 taker",
		"C FILLED 1/0 1@100 fee 0 taker")
	wantReports(t, "at 15", e.OnEvent(ptr(depth(15, levels("100x1"), levels("101x1"))), nil),
		"B FILLED 1/0 1@101 fee 0 taker")
}

func TestRestingOrderFilledByTwoTrades(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	q := quote(0, "100", "101")
	wantReports(t, "submit", e.Submit(limit(venue.Buy, "3", "99.5", venue.GTC), "A", q, at(0), nil), "A ACCEPTED 0/3")
	// Trades that do not reach it: above its price, or buyer-aggressor.
	if got := e.OnEvent(ptr(trade(1, "99.6", "10", -1, "99.6", "100")), nil); len(got) != 0 {
		t.Fatalf("%q", briefs(got))
	}
	if got := e.OnEvent(ptr(trade(2, "99", "10", +1, "98", "99")), nil); len(got) != 0 {
		t.Fatalf("%q", briefs(got))
	}
	// At its price, then through it: filled at 99.5 both times.
	wantReports(t, "first", e.OnEvent(ptr(trade(3, "99.5", "1", -1, "99.5", "100")), nil),
		"A PARTIALLY_FILLED 1/2 1@99.5 fee 0.0199 maker")
	wantReports(t, "second", e.OnEvent(ptr(trade(4, "99", "7", -1, "99", "99.5")), nil),
		"A FILLED 3/0 2@99.5 fee 0.0398 maker")
}

func TestTradeSharedInPriceTimePriority(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	q := quote(0, "100", "101")
	for _, o := range []struct{ id, price string }{{"A", "103"}, {"B", "102"}, {"C", "103"}, {"D", "102.5"}} {
		e.Submit(limit(venue.Sell, "1", o.price, venue.GTC), o.id, q, at(0), nil)
	}
	// Best price first, earliest first at a price: B, D, then A before C.
	wantReports(t, "buyer takes 3.5 at 104", e.OnEvent(ptr(trade(1, "104", "3.5", +1, "103", "104")), nil),
		"B FILLED 1/0 1@102 fee 0.0204 maker",
		"D FILLED 1/0 1@102.5 fee 0.0205 maker",
		"A FILLED 1/0 1@103 fee 0.0206 maker",
		"C PARTIALLY_FILLED 0.5/0.5 0.5@103 fee 0.0103 maker")
	wantReports(t, "then 2 at 103", e.OnEvent(ptr(trade(2, "103", "2", +1, "103", "104")), nil),
		"C FILLED 1/0 0.5@103 fee 0.0103 maker")
}

func TestNoDoubleUseOfLiquidity(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	ev := depth(0, levels("99x1"), levels("100x1", "101x1"))
	e.OnEvent(&ev, nil)
	wantReports(t, "first", e.Submit(mkt(venue.Buy, "0.5"), "A", ev, ev.Time, nil),
		"A ACCEPTED 0/0.5", "A FILLED 0.5/0 0.5@100 fee 0.025 taker")
	// The second order finds only what the first left of the level at 100.
	wantReports(t, "second", e.Submit(mkt(venue.Buy, "1"), "B", ev, ev.Time, nil),
		"B ACCEPTED 0/1",
		"B PARTIALLY_FILLED 0.5/0.5 0.5@100 fee 0.025 taker",
		"B FILLED 1/0 0.5@101 fee 0.02525 taker")
	wantReports(t, "third", e.Submit(mkt(venue.Buy, "1"), "C", ev, ev.Time, nil),
		"C ACCEPTED 0/1",
		"C PARTIALLY_FILLED 0.5/0.5 0.5@101 fee 0.02525 taker",
		"C CANCELLED 0.5/0.5 ("+reasonMarketRemainder+")")
	// A trade is not a book update: the levels stay used.
	tr := trade(1, "99", "1", -1, "99", "100")
	tr.Book = ev.Book
	e.OnEvent(&tr, nil)
	wantReports(t, "after a trade", e.Submit(mkt(venue.Buy, "1"), "D", tr, tr.Time, nil),
		"D ACCEPTED 0/1", "D CANCELLED 0/1 ("+reasonMarketRemainder+")")
	// A book update brings the liquidity back.
	next := depth(2, levels("99x1"), levels("100x1", "101x1"))
	e.OnEvent(&next, nil)
	wantReports(t, "after a book update", e.Submit(mkt(venue.Buy, "1"), "E", next, next.Time, nil),
		"E ACCEPTED 0/1", "E FILLED 1/0 1@100 fee 0.05 taker")
}

func TestCrossedRestingOrdersAndArrivalsShareTheBook(t *testing.T) {
	e := newEngine(t, Config{Latency: 10 * time.Millisecond})
	e.Submit(limit(venue.Buy, "1", "100", venue.GTC), "R", quote(0, "100.5", "101"), at(0), nil)
	e.OnEvent(ptr(quote(10, "100.5", "101")), nil) // R arrives and rests
	e.Submit(mkt(venue.Buy, "2"), "M", quote(10, "100.5", "101"), at(10), nil)
	// The ask drops through R's price as M arrives: R, resting, goes
	// first and takes 1 of the 1.5 at 99.5; M gets the rest.
	wantReports(t, "cross and arrival", e.OnEvent(ptr(depth(20, levels("99x9"), levels("99.5x1.5", "100x0.2"))), nil),
		"R FILLED 1/0 1@100 fee 0 maker",
		"M PARTIALLY_FILLED 0.5/1.5 0.5@99.5 fee 0 taker",
		"M PARTIALLY_FILLED 0.7/1.3 0.2@100 fee 0 taker",
		"M CANCELLED 0.7/1.3 ("+reasonMarketRemainder+")")
}

func TestTopOfBookSize(t *testing.T) {
	e := newEngine(t, Config{TopOfBookSize: d("2")})
	q := quote(0, "100", "101")
	e.OnEvent(&q, nil)
	wantReports(t, "first", e.Submit(mkt(venue.Buy, "1.5"), "A", q, q.Time, nil),
		"A ACCEPTED 0/1.5", "A FILLED 1.5/0 1.5@101 fee 0 taker")
	wantReports(t, "second", e.Submit(mkt(venue.Buy, "1"), "B", q, q.Time, nil),
		"B ACCEPTED 0/1",
		"B PARTIALLY_FILLED 0.5/0.5 0.5@101 fee 0 taker",
		"B CANCELLED 0.5/0.5 ("+reasonMarketRemainder+")")

	unlimited := newEngine(t, Config{})
	wantReports(t, "unlimited", unlimited.Submit(mkt(venue.Sell, "1000"), "C", q, q.Time, nil),
		"C ACCEPTED 0/1000", "C FILLED 1000/0 1000@100 fee 0 taker")
}
