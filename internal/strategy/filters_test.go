package strategy

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/venue"
)

var solFilters = venue.Filters{TickSize: d("0.001"), LotSize: d("0.01"), MinNotional: d("1")}

// A grid prices its levels on the instrument's tick, away from the market,
// and sizes them on the lot: a mid of 149.3704455 with 0.5% spacing gives
// buys rounded down and sells rounded up to 0.001, and 0.129 becomes 0.12.
func TestGridRoundsToTheInstrument(t *testing.T) {
	g, err := NewGrid(GridConfig{Levels: 2, SpacingBps: 50, Quantity: d("0.129"), RecenterLevels: 2})
	if err != nil {
		t.Fatal(err)
	}
	acct := &account{filters: solFilters}
	m := d("149.3704455")
	got := g.OnEvent(quote("SOL-USD", m.Sub(d("0.01")), m.Add(d("0.01"))), acct, nil)
	var out []string
	for _, a := range got {
		out = append(out, a.Order.Side.String()+" "+a.Order.Quantity.String()+"@"+a.Order.Price.String())
	}
	// step = 0.74685223; levels 148.62359327, 147.87674104, 150.11729773, 150.86414996
	want := "buy 0.12@148.623, buy 0.12@147.876, sell 0.12@150.118, sell 0.12@150.865"
	if strings.Join(out, ", ") != want {
		t.Fatalf("placements %q, want %q", strings.Join(out, ", "), want)
	}

	// A level worth less than the minimum notional is not placed at all.
	small, _ := NewGrid(GridConfig{Levels: 2, SpacingBps: 50, Quantity: d("0.006"), RecenterLevels: 2})
	if got := small.OnEvent(quote("SOL-USD", d("149.36"), d("149.38")), &account{filters: solFilters}, nil); len(got) != 0 {
		t.Fatalf("0.006 rounds to nothing on a 0.01 lot, yet: %+v", got)
	}
}

// The SMA sizes its entry down to the lot, and skips it below the minimum.
func TestSMARoundsToTheLot(t *testing.T) {
	s, err := NewSMA(SMAConfig{Fast: 2, Slow: 4, Notional: d("1000")})
	if err != nil {
		t.Fatal(err)
	}
	acct := &account{positions: map[string]money.Decimal{}, filters: venue.Filters{LotSize: d("1"), MinNotional: d("1")}}
	var got []Action
	for _, m := range []string{"0.13", "0.12", "0.11", "0.10", "0.20"} {
		x := d(m)
		got = s.OnEvent(quote("DOGE-USD", x, x.Add(d("0.01"))), acct, nil)
	}
	// 1000 / 0.21 = 4761.90…: 4761 on a lot of 1.
	if len(got) != 1 || got[0].Order.Quantity != d("4761") {
		t.Fatalf("entry %+v, want a buy of 4761", got)
	}
}

// A grid trading SOL on the paper sim, against a venue that enforces the
// listing's filters, never has an order refused by one, and every fill is
// on the tick and the lot.
func TestGridOnThePaperSimRespectsTheListing(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sim, err := paper.NewSim(paper.SimConfig{Seed: 5, Symbols: []string{"SOL-USD"}, Start: start, End: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := matching.DefaultConfig()
	cfg.Filters = paper.Filters
	e, err := matching.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := NewGrid(GridConfig{Levels: 3, SpacingBps: 3, Quantity: d("0.5"), RecenterLevels: 4})
	var reports []venue.ExecutionReport
	var actions []Action
	acct := &account{positions: map[string]money.Decimal{}, open: map[string]int{}, filters: paper.Filters("SOL-USD")}
	n, fills := 0, 0
	for {
		ev, ok, err := sim.Next(context.Background(), start.Add(time.Hour))
		if errors.Is(err, io.EOF) || !ok {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		reports = e.OnEvent(&ev, reports[:0])
		actions = g.OnEvent(&ev, acct, actions[:0])
		for _, a := range actions {
			switch a.Kind {
			case ActionPlace:
				n++
				reports = e.Submit(a.Order, "g"+strconv.Itoa(n), ev, ev.Time, reports)
			case ActionCancel:
				reports, _ = e.Cancel(a.CancelID, ev.Time, reports)
			}
		}
		fills += check(t, reports, g)
	}
	if n < 10 || fills < 5 {
		t.Fatalf("%d orders placed, %d fills: the path does not exercise the grid", n, fills)
	}
}

// check fails on a report of a refusal by a filter or a fill off the grid,
// passes the reports to g and returns the number of fills.
func check(t *testing.T, reports []venue.ExecutionReport, g *Grid) (fills int) {
	t.Helper()
	for i := range reports {
		r := &reports[i]
		if r.State == venue.StateRejected && (strings.HasPrefix(r.Reason, venue.PriceFilter) ||
			strings.HasPrefix(r.Reason, venue.LotSizeFilter) || strings.HasPrefix(r.Reason, venue.MinNotionalFilter)) {
			t.Fatalf("order %s refused by the venue: %s", r.ClientID, r.Reason)
		}
		if q := r.FillQuantity; q.IsPositive() && (r.FillPrice.Units()%d("0.001").Units() != 0 || q.Units()%d("0.001").Units() != 0) {
			t.Fatalf("fill of %s at %s off the listing's grid", q, r.FillPrice)
		}
		if r.FillQuantity.IsPositive() {
			fills++
		}
		g.OnReport(r)
	}
	return fills
}

// In a cash account a grid places only the sells its holdings cover,
// nearest first, counting what open sells already promised: none when
// flat, one of three when it holds 1.5 with 1 a level.
func TestGridInACashAccountSellsOnlyWhatItHolds(t *testing.T) {
	for _, tc := range []struct {
		held, promised string
		want           []string
	}{
		{"0", "0", []string{"buy 1@99", "buy 1@98", "buy 1@97"}},
		{"1.5", "0", []string{"buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101"}},
		{"2.5", "1", []string{"buy 1@99", "buy 1@98", "buy 1@97", "sell 1@101"}},
	} {
		g := testGrid(t)
		g.cfg.MaxPosition = money.Decimal{}
		acct := &account{cashOnly: true, positions: map[string]money.Decimal{"BTC-USD": d(tc.held)},
			promised: map[string]money.Decimal{"BTC-USD": d(tc.promised)}}
		wantActs(t, "holding "+tc.held, g.OnEvent(mid("100"), acct, nil), tc.want...)
	}
}
