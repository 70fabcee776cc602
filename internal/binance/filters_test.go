package binance

import (
	"strings"
	"testing"

	gb "github.com/adshao/go-binance/v2"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

func TestRulesCheck(t *testing.T) {
	d := money.MustParse
	r := Rules{Symbol: "BTC-USD", VenueSymbol: "BTCUSDT", Trading: true,
		Filters:  venue.Filters{TickSize: d("0.01"), LotSize: d("0.001"), MinNotional: d("5")},
		MinPrice: d("1"), MaxPrice: d("1000000"), MinQty: d("0.001"), MaxQty: d("100"), MaxNotional: d("1000000"),
		MarketMinQty: d("0.01"), MarketMaxQty: d("50"), MarketLotSize: d("0.01"),
		BidUp: d("1.2"), BidDown: d("0.8"), AskUp: d("1.5"), AskDown: d("0.9"), MaxNumOrders: 3}
	lim := func(side venue.Side, qty, price string) venue.OrderSpec {
		return venue.OrderSpec{Symbol: "BTC-USD", Side: side, Type: venue.Limit, TIF: venue.GTC, Quantity: d(qty), Price: d(price)}
	}
	mkt := func(qty string) venue.OrderSpec {
		return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Market, Quantity: d(qty)}
	}
	avg, ref := d("100"), d("100")
	for _, tc := range []struct {
		name      string
		spec      venue.OrderSpec
		ref, avg  money.Decimal
		open      int
		want, has string // want: the filter's name the reason starts with ("" passes)
	}{
		{name: "fine", spec: lim(venue.Buy, "1", "100"), ref: ref, avg: avg},
		{name: "off tick", spec: lim(venue.Buy, "1", "100.005"), want: "PRICE_FILTER", has: "tick"},
		{name: "price below min", spec: lim(venue.Buy, "10", "0.5"), want: "PRICE_FILTER", has: "below the minimum 1"},
		{name: "price above max", spec: lim(venue.Sell, "0.001", "1000000.01"), want: "PRICE_FILTER", has: "above the maximum"},
		{name: "qty off lot", spec: lim(venue.Buy, "1.0005", "100"), want: "LOT_SIZE", has: "multiple"},
		{name: "qty below min", spec: lim(venue.Buy, "0", "100"), want: "LOT_SIZE", has: "below the minimum 0.001"},
		{name: "qty above max", spec: lim(venue.Buy, "100.001", "100"), want: "LOT_SIZE", has: "above the maximum 100"},
		{name: "min notional", spec: lim(venue.Buy, "0.01", "100"), want: "MIN_NOTIONAL"},
		{name: "max notional", spec: lim(venue.Buy, "100", "10000.01"), want: "NOTIONAL", has: "above the maximum 1000000"},
		{name: "max notional at the bound", spec: lim(venue.Buy, "100", "10000")},
		{name: "market fine", spec: mkt("0.05"), ref: ref},
		{name: "market below market min", spec: mkt("0.005"), want: "MARKET_LOT_SIZE", has: "below the minimum 0.01"},
		{name: "market above market max", spec: mkt("50.01"), ref: ref, want: "MARKET_LOT_SIZE", has: "above the maximum 50"},
		{name: "market off market step", spec: mkt("0.055"), ref: ref, want: "MARKET_LOT_SIZE", has: "step 0.01"},
		{name: "market notional at ref", spec: mkt("0.04"), ref: ref, want: "MIN_NOTIONAL"},
		{name: "market max notional at ref", spec: mkt("20"), ref: d("60000"), want: "NOTIONAL", has: "above the maximum"},
		{name: "market without ref skips notional", spec: mkt("20")},
		{name: "bid above avg × up", spec: lim(venue.Buy, "1", "120.01"), avg: avg, want: "PERCENT_PRICE_BY_SIDE", has: "bid multiplier up"},
		{name: "bid at avg × up", spec: lim(venue.Buy, "1", "120"), avg: avg},
		{name: "bid below avg × down", spec: lim(venue.Buy, "1", "79.99"), avg: avg, want: "PERCENT_PRICE_BY_SIDE", has: "bid multiplier down"},
		{name: "ask above avg × up", spec: lim(venue.Sell, "1", "150.01"), avg: avg, want: "PERCENT_PRICE_BY_SIDE", has: "ask multiplier up"},
		{name: "ask below avg × down", spec: lim(venue.Sell, "1", "89.99"), avg: avg, want: "PERCENT_PRICE_BY_SIDE", has: "ask multiplier down"},
		{name: "ask inside the band a bid is not", spec: lim(venue.Sell, "1", "140"), avg: avg},
		{name: "no avg skips percent price", spec: lim(venue.Buy, "1", "500")},
		{name: "open below max", spec: lim(venue.Buy, "1", "100"), open: 2},
		{name: "open at max", spec: lim(venue.Buy, "1", "100"), open: 3, want: "MAX_NUM_ORDERS", has: "3 orders are open on BTC-USD, at most 3"},
	} {
		got := r.Check(tc.spec, tc.ref, tc.avg, tc.open)
		if tc.want == "" && got != "" || tc.want != "" && (!strings.HasPrefix(got, tc.want+": ") || !strings.Contains(got, tc.has)) {
			t.Errorf("%s: Check = %q, want %q with %q", tc.name, got, tc.want, tc.has)
		}
	}
	if got := (Rules{}).Check(lim(venue.Buy, "90000000000", "90000000000"), ref, avg, 0); got != "" {
		t.Errorf("no rules, a notional too large to compute: %q", got)
	}
	big := Rules{MaxNotional: d("1000")}
	if got := big.Check(lim(venue.Buy, "90000000000", "90000000000"), ref, avg, 0); !strings.HasPrefix(got, "NOTIONAL: ") {
		t.Errorf("a notional too large to compute is above any maximum: %q", got)
	}
}

// A filter value the money type cannot hold exactly, or a malformed filter,
// is an error rather than a rounded rule or a crash.
func TestRulesFromSymbolRefusesWhatItCannotHold(t *testing.T) {
	s := &gb.Symbol{Symbol: "BTCUSDT", Status: "TRADING", Filters: []map[string]interface{}{
		{"filterType": "PRICE_FILTER", "minPrice": "0.000000001", "maxPrice": "0", "tickSize": "0.01"}}}
	if _, err := RulesFromSymbol("BTC-USD", s); err == nil || !strings.Contains(err.Error(), "PRICE_FILTER.minPrice") {
		t.Fatalf("nine decimals: %v", err)
	}
	s.Filters = []map[string]interface{}{{"filterType": "LOT_SIZE", "minQty": 0.001}}
	if _, err := RulesFromSymbol("BTC-USD", s); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("a number where a string belongs: %v", err)
	}
}

// MAX_NUM_ORDERS is a whole number; go-binance reads any other value as
// no limit at all (and 200.9 as 200), so our check would be skipped
// without a word.
func TestRulesFromSymbolRefusesAMalformedMaxNumOrders(t *testing.T) {
	for _, v := range []interface{}{"200", 200.5, -1.0, true} {
		s := &gb.Symbol{Symbol: "BTCUSDT", Status: "TRADING", Filters: []map[string]interface{}{
			{"filterType": "MAX_NUM_ORDERS", "maxNumOrders": v}}}
		if r, err := RulesFromSymbol("BTC-USD", s); err == nil || !strings.Contains(err.Error(), "MAX_NUM_ORDERS.maxNumOrders") {
			t.Errorf("maxNumOrders %#v: rules %+v, err %v; want the filter named as malformed", v, r.MaxNumOrders, err)
		}
	}
	s := &gb.Symbol{Symbol: "BTCUSDT", Status: "TRADING", Filters: []map[string]interface{}{
		{"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200.0}}}
	if r, err := RulesFromSymbol("BTC-USD", s); err != nil || r.MaxNumOrders != 200 {
		t.Fatalf("maxNumOrders 200: %d, %v", r.MaxNumOrders, err)
	}
}
