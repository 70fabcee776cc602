package matching

import (
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
)

// The venue refuses orders off the instrument's grid as a real venue does:
// REJECTED, with the filter's name leading the reason. On-grid orders pass.
func TestOffGridOrdersAreRejectedNamingTheFilter(t *testing.T) {
	e, err := New(Config{Filters: func(symbol string) venue.Filters {
		return venue.Filters{TickSize: d("0.01"), LotSize: d("0.0001"), MinNotional: d("5")}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ev := depth(0, levels("100x10"), levels("101x10"))
	limit := func(qty, price string) venue.OrderSpec {
		return venue.OrderSpec{Symbol: sym, Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
			Quantity: d(qty), Price: d(price)}
	}
	market := venue.OrderSpec{Symbol: sym, Side: venue.Buy, Type: venue.Market, Quantity: d("0.04")}
	for i, tc := range []struct {
		spec   venue.OrderSpec
		reason string
	}{
		{limit("1", "99.995"), "PRICE_FILTER"},
		{limit("0.00015", "99"), "LOT_SIZE"},
		{limit("0.05", "99"), "MIN_NOTIONAL"},
		{market, "MIN_NOTIONAL"}, // 0.04 at the ask of 101
		{limit("0.0506", "99"), ""},
	} {
		rs := e.Submit(tc.spec, "o"+string(rune('a'+i)), ev, at(0), nil)
		got := rs[0]
		if tc.reason == "" {
			if got.State != venue.StateAccepted {
				t.Errorf("%+v: %s %q, want ACCEPTED", tc.spec, got.State, got.Reason)
			}
			continue
		}
		if got.State != venue.StateRejected || !strings.HasPrefix(got.Reason, tc.reason+": ") {
			t.Errorf("%+v: %s %q, want REJECTED by %s", tc.spec, got.State, got.Reason, tc.reason)
		}
	}
}
