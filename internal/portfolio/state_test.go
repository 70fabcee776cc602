package portfolio

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"pgregory.net/rapid"
)

// step draws one mark or fill and applies it to every portfolio; a fill
// must succeed or fail alike on all of them.
func step(t *rapid.T, ps ...*Portfolio) {
	const unit = 100_000_000
	sym := rapid.SampledFrom(symbols).Draw(t, "symbol")
	if rapid.IntRange(0, 3).Draw(t, "op") == 0 {
		bid := units(1, 100_000*unit).Draw(t, "bid")
		q := market.Quote{Symbol: sym, Bid: bid, Ask: bid.Add(units(0, 100*unit).Draw(t, "spread"))}
		for _, p := range ps {
			p.Mark(q)
		}
		return
	}
	f := venue.Fill{ClientID: "c", Symbol: sym,
		Side:     rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(t, "side"),
		Quantity: units(1, 1_000*unit).Draw(t, "qty"),
		Price:    units(1, 100_000*unit).Draw(t, "price"),
		Fee:      units(0, 100*unit).Draw(t, "fee")}
	err0 := ps[0].Apply(f)
	for _, p := range ps[1:] {
		if err := p.Apply(f); (err == nil) != (err0 == nil) {
			t.Fatalf("Apply(%+v): %v on the original, %v on the restored", f, err0, err)
		}
	}
}

// TestPropStateRoundTrip: any reachable account survives State, a JSON
// store and Restore with the same snapshot, the same State, and the same
// behaviour on whatever fills and marks come next.
func TestPropStateRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := New("USD", units(0, 100_000_000_000_000).Draw(t, "start"))
		for range rapid.IntRange(0, 40).Draw(t, "before") {
			step(t, p)
		}
		r := roundTrip(t, p.State())
		if !reflect.DeepEqual(r.State(), p.State()) {
			t.Fatalf("State after restore\n%+v\nwant\n%+v", r.State(), p.State())
		}
		for range rapid.IntRange(0, 40).Draw(t, "after") {
			if got, want := r.Snapshot(), p.Snapshot(); !reflect.DeepEqual(got, want) {
				t.Fatalf("restored snapshot\n%+v\nwant\n%+v", got, want)
			}
			if r.Equity() != p.Equity() {
				t.Fatalf("restored equity %s, want %s", r.Equity(), p.Equity())
			}
			step(t, p, r)
		}
	})
}

func roundTrip(t rapid.TB, s State) *Portfolio {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	p, err := Restore(back)
	if err != nil {
		t.Fatalf("Restore(%s): %v", b, err)
	}
	return p
}

func TestRestoreRefusesInconsistentState(t *testing.T) {
	d := money.MustParse
	p := New("USD", d("1000"))
	for _, f := range []venue.Fill{
		{Symbol: "BTC-USD", Side: venue.Buy, Quantity: d("2"), Price: d("100"), Fee: d("1")},
		{Symbol: "BTC-USD", Side: venue.Sell, Quantity: d("1"), Price: d("110"), Fee: d("1")},
		{Symbol: "ETH-USD", Side: venue.Sell, Quantity: d("3"), Price: d("10"), Fee: d("0.5")},
		{Symbol: "ETH-USD", Side: venue.Buy, Quantity: d("3"), Price: d("9"), Fee: d("0.5")},
	} {
		if err := p.Apply(f); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip(t, p.State())

	for _, tc := range []struct {
		name, want string
		edit       func(s *State)
	}{
		{"no currency", "QuoteCurrency", func(s *State) { s.QuoteCurrency = "" }},
		{"cash", "Cash", func(s *State) { s.Cash = s.Cash.Add(d("0.00000001")) }},
		{"realized total", "RealizedPnL", func(s *State) { s.RealizedPnL = d("7") }},
		{"fee total", "FeesPaid", func(s *State) { s.FeesPaid = d("2") }},
		{"negative fees", "FeesPaid", func(s *State) { s.FeesPaid, s.Positions[0].FeesPaid = d("-1"), d("-4") }},
		{"basis sign", `"BTC-USD": CostBasis`, func(s *State) { s.Positions[0].CostBasis = d("-100") }},
		{"flat with basis", `"ETH-USD": CostBasis`, func(s *State) { s.Positions[1].CostBasis = d("1") }},
		{"open unmarked", `"BTC-USD": Marked`, func(s *State) { s.Positions[0].Marked, s.Positions[0].Mark = false, money.Decimal{} }},
		{"mark unmarked", `"ETH-USD": Mark`, func(s *State) { s.Positions[1].Marked = false }},
		{"position fees", `"ETH-USD": FeesPaid`, func(s *State) { s.Positions[1].FeesPaid = d("-1") }},
		{"position realized", "RealizedPnL", func(s *State) { s.Positions[1].RealizedPnL = d("0") }},
		{"no symbol", "no Symbol", func(s *State) { s.Positions[0].Symbol = "" }},
		{"unsorted", "sorted", func(s *State) { s.Positions[0], s.Positions[1] = s.Positions[1], s.Positions[0] }},
		{"duplicate", "sorted", func(s *State) { s.Positions[1].Symbol = "BTC-USD" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := p.State()
			tc.edit(&s)
			if _, err := Restore(s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Restore = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
