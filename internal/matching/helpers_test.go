package matching

import (
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

var (
	d  = money.MustParse
	t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
)

const sym = "BTC-USD"

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// levels reads "price×size" pairs, best first.
func levels(pairs ...string) []market.Level {
	out := make([]market.Level, len(pairs))
	for i, p := range pairs {
		price, size, _ := strings.Cut(p, "x")
		out[i] = market.Level{Price: d(price), Size: d(size)}
	}
	return out
}

// depth is a depth event; its top of book comes from the first levels.
func depth(ms int, bids, asks []market.Level) market.Event {
	ev := market.Event{Kind: market.EventBook, Symbol: sym, Time: at(ms), Book: &market.Book{Bids: bids, Asks: asks}}
	if len(bids) > 0 {
		ev.Bid = bids[0].Price
	}
	if len(asks) > 0 {
		ev.Ask = asks[0].Price
	}
	return ev
}

// quote is a depthless book event.
func quote(ms int, bid, ask string) market.Event {
	return market.Event{Kind: market.EventBook, Symbol: sym, Time: at(ms), Bid: d(bid), Ask: d(ask)}
}

// trade prints size at price; aggressor +1 is a buyer, -1 a seller.
func trade(ms int, price, size string, aggressor int8, bid, ask string) market.Event {
	return market.Event{Kind: market.EventTrade, Symbol: sym, Time: at(ms), Price: d(price), Size: d(size),
		Aggressor: aggressor, Bid: d(bid), Ask: d(ask)}
}

func mkt(side venue.Side, qty string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: sym, Side: side, Type: venue.Market, TIF: venue.IOC, Quantity: d(qty)}
}

func limit(side venue.Side, qty, price string, tif venue.TimeInForce) venue.OrderSpec {
	return venue.OrderSpec{Symbol: sym, Side: side, Type: venue.Limit, TIF: tif, Quantity: d(qty), Price: d(price)}
}

func postOnly(side venue.Side, qty, price string) venue.OrderSpec {
	s := limit(side, qty, price, venue.GTC)
	s.PostOnly = true
	return s
}

func newEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// brief renders the fields of a report a test cares about:
// "id STATE filled/remaining", then " qty@price fee F maker|taker" for a
// fill and " (reason)" for a reason.
func brief(r venue.ExecutionReport) string {
	var b strings.Builder
	b.WriteString(r.ClientID + " " + r.State.String() + " " + r.Filled.String() + "/" + r.Remaining.String())
	if !r.FillQuantity.IsZero() {
		liq := "taker"
		if r.Liquidity == venue.Maker {
			liq = "maker"
		}
		b.WriteString(" " + r.FillQuantity.String() + "@" + r.FillPrice.String() + " fee " + r.Fee.String() + " " + liq)
	}
	if r.Reason != "" {
		b.WriteString(" (" + r.Reason + ")")
	}
	return b.String()
}

func briefs(rs []venue.ExecutionReport) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = brief(r)
	}
	return out
}

func wantReports(t *testing.T, what string, got []venue.ExecutionReport, want ...string) {
	t.Helper()
	g := briefs(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s: reports\n  %s\nwant\n  %s", what, strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}
