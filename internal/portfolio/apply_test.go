package portfolio

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

var d = money.MustParse

func fill(side venue.Side, symbol, qty, price, fee string) venue.Fill {
	return venue.Fill{ClientID: "c1", Symbol: symbol, Side: side, Quantity: d(qty), Price: d(price), Fee: d(fee)}
}

func quote(symbol, bid, ask string) market.Quote {
	return market.Quote{Symbol: symbol, Bid: d(bid), Ask: d(ask), Time: time.Unix(0, 0)}
}

// pos is an expected open position.
type pos struct{ symbol, qty, basis, avg, mark, unrealized, realized string }

type want struct {
	cash, equity, realized, unrealized, fees string
	positions                                []pos
}

func TestApplyScenarios(t *testing.T) {
	tests := []struct {
		name string
		// ops are fills and quotes, applied in order.
		ops  []any
		want want
	}{{
		name: "buy then mark up",
		ops:  []any{fill(venue.Buy, "BTC-USD", "0.5", "60000", "30"), quote("BTC-USD", "61000", "61002")},
		want: want{cash: "69970", equity: "100470.5", realized: "0", unrealized: "500.5", fees: "30",
			positions: []pos{{"BTC-USD", "0.5", "30000", "60000", "61001", "500.5", "0"}}},
	}, {
		name: "a position never marked is valued at its first fill price",
		ops:  []any{fill(venue.Buy, "ETH-USD", "2", "3000", "6")},
		want: want{cash: "93994", equity: "99994", realized: "0", unrealized: "0", fees: "6",
			positions: []pos{{"ETH-USD", "2", "6000", "3000", "3000", "0", "0"}}},
	}, {
		name: "a round trip realizes the difference and closes the position",
		ops: []any{
			fill(venue.Buy, "ETH-USD", "2", "3000", "6"),
			fill(venue.Sell, "ETH-USD", "2", "3100", "6.2"),
		},
		want: want{cash: "100187.8", equity: "100187.8", realized: "200", unrealized: "0", fees: "12.2"},
	}, {
		name: "adding averages the entry",
		ops: []any{
			fill(venue.Buy, "SOL-USD", "1", "100", "0"),
			fill(venue.Buy, "SOL-USD", "3", "200", "0"),
			quote("SOL-USD", "150", "150"),
		},
		want: want{cash: "99300", equity: "99900", realized: "0", unrealized: "-100", fees: "0",
			positions: []pos{{"SOL-USD", "4", "700", "175", "150", "-100", "0"}}},
	}, {
		name: "a partial close releases a prorated basis, rounded once",
		ops: []any{
			fill(venue.Buy, "SOL-USD", "3", "100.00000001", "0"),
			fill(venue.Sell, "SOL-USD", "1", "110", "0"),
		},
		want: want{cash: "99809.99999997", equity: "100009.99999999", realized: "9.99999999", unrealized: "0", fees: "0",
			positions: []pos{{"SOL-USD", "2", "200.00000002", "100.00000001", "100.00000001", "0", "9.99999999"}}},
	}, {
		name: "notional rounds half away from zero and cash moves by exactly that",
		ops: []any{
			fill(venue.Buy, "DOGE-USD", "0.3", "0.00000005", "0"),  // 0.000000015 -> 0.00000002
			fill(venue.Sell, "DOGE-USD", "0.1", "0.00000005", "0"), // 0.000000005 -> 0.00000001
		},
		want: want{cash: "99999.99999999", equity: "100000", realized: "0", unrealized: "0", fees: "0",
			positions: []pos{{"DOGE-USD", "0.2", "0.00000001", "0.00000005", "0.00000005", "0", "0"}}},
	}, {
		name: "short then cover",
		ops: []any{
			fill(venue.Sell, "BTC-USD", "1", "60000", "60"),
			quote("BTC-USD", "59000", "59000"),
		},
		want: want{cash: "159940", equity: "100940", realized: "0", unrealized: "1000", fees: "60",
			positions: []pos{{"BTC-USD", "-1", "-60000", "60000", "59000", "1000", "0"}}},
	}, {
		name: "short covered at a profit",
		ops: []any{
			fill(venue.Sell, "BTC-USD", "1", "60000", "60"),
			fill(venue.Buy, "BTC-USD", "1", "59000", "59"),
		},
		want: want{cash: "100881", equity: "100881", realized: "1000", unrealized: "0", fees: "119"},
	}, {
		name: "long flips short through zero",
		ops: []any{
			fill(venue.Buy, "SOL-USD", "1", "100", "0"),
			fill(venue.Sell, "SOL-USD", "3", "110", "0"),
			quote("SOL-USD", "105", "105"),
		},
		want: want{cash: "100230", equity: "100020", realized: "10", unrealized: "10", fees: "0",
			positions: []pos{{"SOL-USD", "-2", "-220", "110", "105", "10", "10"}}},
	}, {
		name: "short flips long through zero",
		ops: []any{
			fill(venue.Sell, "SOL-USD", "2", "50", "0"),
			fill(venue.Buy, "SOL-USD", "5", "40", "0"),
		},
		// Still marked at the first fill's 50: the flip does not re-mark.
		want: want{cash: "99900", equity: "100050", realized: "20", unrealized: "30", fees: "0",
			positions: []pos{{"SOL-USD", "3", "120", "40", "50", "30", "20"}}},
	}, {
		name: "positions are sorted by symbol and marks of flat symbols count for nothing",
		ops: []any{
			quote("LINK-USD", "15", "15"),
			fill(venue.Buy, "SOL-USD", "1", "150", "0"),
			fill(venue.Buy, "BTC-USD", "0.01", "60000", "0"),
			fill(venue.Buy, "ETH-USD", "0.1", "3000", "0"),
		},
		want: want{cash: "98950", equity: "100000", realized: "0", unrealized: "0", fees: "0",
			positions: []pos{
				{"BTC-USD", "0.01", "600", "60000", "60000", "0", "0"},
				{"ETH-USD", "0.1", "300", "3000", "3000", "0", "0"},
				{"SOL-USD", "1", "150", "150", "150", "0", "0"},
			}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New("USD", d("100000"))
			for _, op := range tt.ops {
				switch op := op.(type) {
				case venue.Fill:
					if err := p.Apply(op); err != nil {
						t.Fatal(err)
					}
				case market.Quote:
					p.Mark(op)
				}
			}
			check(t, p.Snapshot(), tt.want)
		})
	}
}

func check(t *testing.T, s Snapshot, w want) {
	t.Helper()
	got := []string{s.Cash.String(), s.Equity.String(), s.RealizedPnL.String(), s.UnrealizedPnL.String(), s.FeesPaid.String()}
	exp := []string{w.cash, w.equity, w.realized, w.unrealized, w.fees}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("cash, equity, realized, unrealized, fees = %v, want %v", got, exp)
	}
	if s.QuoteCurrency != "USD" || s.StartingCash != d("100000") {
		t.Errorf("currency %q, starting cash %s", s.QuoteCurrency, s.StartingCash)
	}
	var gotPos []pos
	for _, ps := range s.Positions {
		gotPos = append(gotPos, pos{ps.Symbol, ps.Quantity.String(), ps.CostBasis.String(), ps.AveragePrice.String(),
			ps.MarkPrice.String(), ps.UnrealizedPnL.String(), ps.RealizedPnL.String()})
	}
	if !reflect.DeepEqual(gotPos, w.positions) {
		t.Errorf("positions:\n got %v\nwant %v", gotPos, w.positions)
	}
}

func TestApplyRejects(t *testing.T) {
	good := fill(venue.Buy, "BTC-USD", "1", "60000", "60")
	tests := []struct {
		name   string
		mutate func(*venue.Fill)
		want   string
	}{
		{"empty symbol", func(f *venue.Fill) { f.Symbol = "" }, "no symbol"},
		{"zero side", func(f *venue.Fill) { f.Side = 0 }, "invalid side 0"},
		{"side 2", func(f *venue.Fill) { f.Side = 2 }, "invalid side 2"},
		{"zero quantity", func(f *venue.Fill) { f.Quantity = money.Decimal{} }, "quantity 0 is not positive"},
		{"negative quantity", func(f *venue.Fill) { f.Quantity = d("-1") }, "quantity -1 is not positive"},
		{"zero price", func(f *venue.Fill) { f.Price = money.Decimal{} }, "price 0 is not positive"},
		{"negative price", func(f *venue.Fill) { f.Price = d("-5") }, "price -5 is not positive"},
		{"negative fee", func(f *venue.Fill) { f.Fee = d("-0.00000001") }, "fee -0.00000001 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New("USD", d("100000"))
			if err := p.Apply(good); err != nil {
				t.Fatal(err)
			}
			before := p.Snapshot()
			f := good
			tt.mutate(&f)
			err := p.Apply(f)
			if err == nil || !strings.HasPrefix(err.Error(), "portfolio: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Apply error = %v, want one containing %q", err, tt.want)
			}
			if after := p.Snapshot(); !reflect.DeepEqual(before, after) {
				t.Fatalf("rejected fill changed the account:\n%+v\n%+v", before, after)
			}
		})
	}
}

func TestApplyOverflowChangesNothing(t *testing.T) {
	p := New("USD", d("92233720000"))
	before := p.Snapshot()
	// Selling short would take cash past the top of Decimal's range.
	err := p.Apply(fill(venue.Sell, "BTC-USD", "10", "60000", "0"))
	if !errors.Is(err, money.ErrOverflow) {
		t.Fatalf("err = %v, want overflow", err)
	}
	if after := p.Snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("overflowing fill changed the account:\n%+v\n%+v", before, after)
	}
	if !p.Position("BTC-USD").IsZero() {
		t.Fatal("position changed")
	}
}

func TestPositionAndAccessors(t *testing.T) {
	p := New("EUR", d("10"))
	if !p.Position("BTC-USD").IsZero() || p.QuoteCurrency() != "EUR" || p.Cash() != d("10") {
		t.Fatal("fresh portfolio wrong")
	}
	p.Mark(quote("BTC-USD", "1", "2"))
	if !p.Position("BTC-USD").IsZero() || len(p.Snapshot().Positions) != 0 {
		t.Fatal("a mark opened a position")
	}
	if err := p.Apply(fill(venue.Sell, "BTC-USD", "0.25", "2", "0")); err != nil {
		t.Fatal(err)
	}
	if p.Position("BTC-USD") != d("-0.25") || p.Cash() != d("10.5") {
		t.Fatalf("position %s, cash %s", p.Position("BTC-USD"), p.Cash())
	}
	// The earlier mark (mid 1.5) is kept rather than replaced by the fill.
	if s := p.Snapshot(); s.Positions[0].MarkPrice != d("1.5") || s.Equity != d("10.125") {
		t.Fatalf("snapshot %+v", s)
	}
}

func TestEquityMatchesSnapshot(t *testing.T) {
	p := New("USD", money.FromInt(1000))
	for _, f := range []venue.Fill{
		{ClientID: "a", Symbol: "BTC-USD", Side: venue.Buy, Quantity: money.MustParse("0.5"), Price: money.FromInt(100), Fee: money.MustParse("0.1")},
		{ClientID: "b", Symbol: "ETH-USD", Side: venue.Sell, Quantity: money.MustParse("2"), Price: money.FromInt(10), Fee: money.MustParse("0.02")},
	} {
		if err := p.Apply(f); err != nil {
			t.Fatal(err)
		}
	}
	p.Mark(market.Quote{Symbol: "BTC-USD", Bid: money.FromInt(110), Ask: money.FromInt(112)})
	if got, want := p.Equity(), p.Snapshot().Equity; got != want {
		t.Fatalf("Equity() = %s, Snapshot().Equity = %s", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { p.Equity() }); n != 0 {
		t.Fatalf("Equity allocates %v times", n)
	}
}
