package paper

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"pgregory.net/rapid"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func run(t testing.TB, m *Market, n int) [][]market.Quote {
	t.Helper()
	out := make([][]market.Quote, n)
	for i := range out {
		q, err := m.Quotes(context.Background(), now.Add(time.Duration(i)*time.Second), nil)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = q
	}
	return out
}

func mustMarket(t testing.TB, seed uint64, symbols ...string) *Market {
	t.Helper()
	m, err := NewMarket(seed, symbols)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMarketIsDeterministic(t *testing.T) {
	syms := []string{"BTC-USD", "ETH-USD", "DOGE-USD"}
	a := run(t, mustMarket(t, 42, syms...), 500)
	b := run(t, mustMarket(t, 42, syms...), 500)
	c := run(t, mustMarket(t, 43, syms...), 500)
	same := true
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("step %d symbol %d: %+v != %+v", i, j, a[i][j], b[i][j])
			}
			same = same && a[i][j] == c[i][j]
		}
	}
	if same {
		t.Fatal("seeds 42 and 43 gave the same walk")
	}
	// A symbol's walk depends only on the seed and its name, not on which
	// other symbols the session trades or in what order.
	alone := run(t, mustMarket(t, 42, "ETH-USD"), 500)
	for i := range alone {
		if alone[i][0] != a[i][1] {
			t.Fatalf("step %d: ETH-USD alone %+v, with others %+v", i, alone[i][0], a[i][1])
		}
	}
}

func TestMarketQuotes(t *testing.T) {
	m := mustMarket(t, 7, "SOL-USD", "BTC-USD")
	first, err := m.Quotes(context.Background(), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].Symbol != "SOL-USD" || first[1].Symbol != "BTC-USD" {
		t.Fatalf("quotes %+v not in the order given", first)
	}
	for _, q := range first {
		in, _ := Lookup(q.Symbol)
		if q.Mid() != in.StartPrice || !q.Time.Equal(now) {
			t.Errorf("first quote %+v: mid %s, want start %s at %v", q, q.Mid(), in.StartPrice, now)
		}
	}
	// BTC opens at 60000 with a spread of 2 bps: 59994 / 60006.
	if first[1].Bid.String() != "59994" || first[1].Ask.String() != "60006" {
		t.Errorf("BTC-USD opens at %s / %s", first[1].Bid, first[1].Ask)
	}
	// Appends to dst rather than overwriting it.
	dst := []market.Quote{{Symbol: "keep"}}
	dst, _ = m.Quotes(context.Background(), now, dst)
	if len(dst) != 3 || dst[0].Symbol != "keep" {
		t.Fatalf("Quotes did not append: %+v", dst)
	}
}

func TestMarketHonoursContext(t *testing.T) {
	m := mustMarket(t, 1, "BTC-USD")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst := make([]market.Quote, 0, 1)
	got, err := m.Quotes(ctx, now, dst)
	if !errors.Is(err, context.Canceled) || len(got) != 0 {
		t.Fatalf("cancelled Quotes = %v, %v", got, err)
	}
	// A cancelled call does not step the walk: the next quote is the open.
	got, _ = m.Quotes(context.Background(), now, dst)
	if got[0].Mid().String() != "60000" {
		t.Fatalf("walk stepped while cancelled: %+v", got[0])
	}
	ctx, cancel = context.WithDeadline(context.Background(), now)
	defer cancel()
	if _, err := m.Quotes(ctx, now, dst); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expired Quotes error = %v", err)
	}
}

func TestNewMarketRejectsBadSymbols(t *testing.T) {
	for _, syms := range [][]string{nil, {"NOPE-USD"}, {"BTC-USD", "BTC-USD"}, {"btc"}} {
		if _, err := NewMarket(1, syms); err == nil {
			t.Errorf("NewMarket(%q) succeeded", syms)
		}
	}
}

// TestPropWalkStaysSane runs random seeds and symbol sets and checks every
// quote: on the tick grid, positive, a spread of one tick or more and a few
// bps at most, and steps of a few bps.
func TestPropWalkStaysSane(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		syms := rapid.SliceOfNDistinct(rapid.SampledFrom(Symbols()), 1, 4, rapid.ID).Draw(t, "symbols")
		m, err := NewMarket(seed, syms)
		if err != nil {
			t.Fatal(err)
		}
		prev := make([]money.Decimal, len(syms))
		var buf []market.Quote
		for step := range 300 {
			buf, err = m.Quotes(context.Background(), now, buf[:0])
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range buf {
				in, _ := Lookup(syms[i])
				checkQuote(t, in, q)
				mid := q.Mid()
				if step > 0 {
					// |Δmid| ≤ maxStepBps of the old mid, or one tick.
					move := mid.Sub(prev[i]).Abs()
					limit := money.Max(prev[i].MulBps(maxStepBps).Add(in.TickSize.Half()), in.TickSize)
					if move.Cmp(limit) > 0 {
						t.Fatalf("%s stepped %s from %s", q.Symbol, move, prev[i])
					}
				}
				prev[i] = mid
			}
		}
	})
}

func checkQuote(t interface{ Fatalf(string, ...any) }, in Instrument, q market.Quote) {
	tick := in.TickSize.Units()
	if q.Symbol != in.Symbol || !q.Bid.IsPositive() || q.Bid.Units()%tick != 0 || q.Ask.Units()%tick != 0 {
		t.Fatalf("quote %+v off the %s grid or not positive", q, in.TickSize)
	}
	spread := q.Ask.Sub(q.Bid)
	if spread.Cmp(in.TickSize) < 0 || spread.Cmp(q.Mid().MulBps(4).Add(in.TickSize.MulInt(2))) > 0 {
		t.Fatalf("quote %+v: spread %s", q, spread)
	}
}

// TestLongWalkStaysInRange runs a cheap instrument for a long time with a
// fixed seed: prices stay positive and on the grid.
func TestLongWalkStaysInRange(t *testing.T) {
	m := mustMarket(t, 99, "DOGE-USD", "BTC-USD")
	in := []Instrument{{}, {}}
	in[0], _ = Lookup("DOGE-USD")
	in[1], _ = Lookup("BTC-USD")
	buf := make([]market.Quote, 0, 2)
	var err error
	for range 200_000 {
		buf, err = m.Quotes(context.Background(), now, buf[:0])
		if err != nil {
			t.Fatal(err)
		}
		checkQuote(t, in[0], buf[0])
		checkQuote(t, in[1], buf[1])
	}
}

func TestWalkFloorAndCeiling(t *testing.T) {
	m := mustMarket(t, 5, "XRP-USD")
	w := &m.walks[0]
	w.mid = 2
	for range 10_000 {
		w.step()
		if w.mid < 2 {
			t.Fatalf("mid fell to %d ticks", w.mid)
		}
	}
	w.mid = w.maxMid
	for range 10_000 {
		w.step()
		if w.mid > w.maxMid {
			t.Fatalf("mid rose to %d ticks", w.mid)
		}
	}
	q, _ := m.Quotes(context.Background(), now, nil)
	checkQuote(t, w.inst, q[0])
}
