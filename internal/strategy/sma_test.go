package strategy

import (
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"pgregory.net/rapid"
)

var d = money.MustParse

func TestSMAConfigValidate(t *testing.T) {
	tests := []struct {
		cfg  SMAConfig
		want string // "" means valid
	}{
		{DefaultSMAConfig(), ""},
		{SMAConfig{Fast: 1, Slow: 2, Notional: d("0.00000001")}, ""},
		{SMAConfig{Fast: 499, Slow: 500, Notional: d("1")}, ""},
		{SMAConfig{Fast: 0, Slow: 20, Notional: d("1")}, `parameter "fast": window must be at least 1, got 0`},
		{SMAConfig{Fast: -3, Slow: 20, Notional: d("1")}, `parameter "fast": window must be at least 1, got -3`},
		{SMAConfig{Fast: 5, Slow: 5, Notional: d("1")}, `parameter "slow": window must be longer than the fast window (5), got 5`},
		{SMAConfig{Fast: 5, Slow: 3, Notional: d("1")}, `parameter "slow": window must be longer than the fast window (5), got 3`},
		{SMAConfig{Fast: 5, Slow: 501, Notional: d("1")}, `parameter "slow": window must be at most 500, got 501`},
		{SMAConfig{Fast: 5, Slow: 20}, `parameter "notional": must be positive, got 0`},
		{SMAConfig{Fast: 5, Slow: 20, Notional: d("-1")}, `parameter "notional": must be positive, got -1`},
	}
	for _, tt := range tests {
		_, err := NewSMA(tt.cfg)
		if tt.want == "" {
			if err != nil {
				t.Errorf("NewSMA(%+v): %v", tt.cfg, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalidParam) || err.Error() != "strategy: sma "+tt.want {
			t.Errorf("NewSMA(%+v) error = %v, want %q", tt.cfg, err, tt.want)
		}
	}
	if c := DefaultSMAConfig(); c.Fast != 5 || c.Slow != 20 || c.Notional != d("1000") {
		t.Errorf("DefaultSMAConfig() = %+v", c)
	}
}

// q is a book event with a mid of mid and a spread of 0.06.
func q(symbol, mid string) *market.Event {
	m := d(mid)
	return quote(symbol, m.Sub(d("0.03")), m.Add(d("0.03")))
}

func TestSMACrossover(t *testing.T) {
	type step struct {
		mid, position string
		want          []Action
	}
	buy := func(qty string) []Action { return []Action{marketOrder("SOL-USD", venue.Buy, qty)} }
	sell := func(qty string) []Action { return []Action{marketOrder("SOL-USD", venue.Sell, qty)} }
	// Fast 2, slow 4; the comments give the windows' averages.
	tests := []struct {
		name  string
		steps []step
	}{{
		name: "buy on the cross up, sell on the cross down",
		steps: []step{
			{"13", "0", nil},
			{"12", "0", nil},
			{"11", "0", nil},
			{"10", "0", nil},                  // warm: fast 10.5 < slow 11.5
			{"20", "0", buy("49.9251")},       // 15 > 13.25; 1000/20.03 = 49.92511…
			{"20", "49.9251", nil},            // 20 > 15.25: no new cross
			{"5", "49.9251", sell("49.9251")}, // 12.5 < 13.75
			{"5", "0", nil},                   // 5 < 12.5
			{"30", "0", buy("33.3")},          // 17.5 > 15; 1000/30.03 = 33.30003…
		},
	}, {
		name: "no buy unless flat, no sell unless long",
		steps: []step{
			{"13", "0", nil}, {"12", "0", nil}, {"11", "0", nil}, {"10", "0", nil},
			{"20", "1", nil},  // crosses up while long
			{"5", "0", nil},   // crosses down while flat
			{"20", "-1", nil}, // crosses up while short: long-only buys from flat
			{"1", "-1", nil},  // crosses down while short: nothing to sell
		},
	}, {
		name: "the first full window sets the regime without a signal",
		steps: []step{
			{"100", "0", nil}, {"1", "0", nil}, {"100", "0", nil},
			{"1000", "0", nil},           // 550 > 300.25, but nothing came before
			{"1000", "0", nil},           // 1000 > 525.25
			{"1", "1", sell("1")},        // 500.5 < 525.25: the first real cross
			{"2000", "0", buy("0.4999")}, // 1000.5 > 1000.25; 1000/2000.03 = 0.49999…
		},
	}, {
		name: "touching is not crossing",
		steps: []step{
			{"10", "0", nil}, {"10", "0", nil}, {"12", "0", nil},
			{"8", "0", nil},             // 10 = 10: no regime yet
			{"9", "0", nil},             // 8.5 < 9.75: regime below
			{"11", "0", nil},            // 10 = 10: touch, regime kept
			{"5", "0", nil},             // 8 < 8.25: still below
			{"15", "0", nil},            // 10 = 10: touch again
			{"20", "0", buy("49.9251")}, // 17.5 > 12.75: crossed
		},
	}, {
		name: "a buy smaller than the lot size is skipped",
		steps: []step{
			{"13", "0", nil}, {"12", "0", nil}, {"11", "0", nil}, {"10", "0", nil},
			{"20000000", "0", nil}, // 1000 / 20000000.03 < 0.0001
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSMA(SMAConfig{Fast: 2, Slow: 4, Notional: d("1000")})
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tt.steps {
				got := s.OnEvent(q("SOL-USD", st.mid), holding(d(st.position)), nil)
				if !reflect.DeepEqual(got, st.want) {
					t.Fatalf("step %d (mid %s): actions %+v, want %+v", i, st.mid, got, st.want)
				}
			}
		})
	}
}

func TestSMANoSignalDuringWarmUp(t *testing.T) {
	s, _ := NewSMA(DefaultSMAConfig())
	// Swings that would cross again and again if the averages were taken
	// over fewer than Slow quotes; the Slow-th quote only sets the regime.
	for i := range 20 {
		mid := "100"
		if i%6 < 3 {
			mid = "1"
		}
		if got := s.OnEvent(q("BTC-USD", mid), holding(money.Decimal{}), nil); len(got) != 0 {
			t.Fatalf("event %d: actions %+v during warm-up", i+1, got)
		}
	}
	if ser := s.series["BTC-USD"]; ser.count != 20 || ser.regime == 0 {
		t.Fatalf("after warm-up: %d quotes, regime %d", ser.count, ser.regime)
	}
}

func TestSMAIgnoresUnusableQuotes(t *testing.T) {
	s, _ := NewSMA(SMAConfig{Fast: 1, Slow: 2, Notional: d("100")})
	trade := quote("X-USD", d("1"), d("2"))
	trade.Kind = market.EventTrade
	bad := []*market.Event{
		quote("X-USD", d("0"), d("1")),
		quote("X-USD", d("-1"), d("1")),
		quote("X-USD", d("2"), d("1")),
		trade,
	}
	for _, b := range bad {
		if got := s.OnEvent(b, holding(money.Decimal{}), nil); len(got) != 0 {
			t.Fatalf("actions %+v from %+v", got, b)
		}
	}
	if len(s.series) != 0 {
		t.Fatal("an unusable event was recorded")
	}
}

func TestSMASymbolsAreIndependent(t *testing.T) {
	mids := []string{"13", "12", "11", "10", "20", "20", "5", "5", "30"}
	alone, _ := NewSMA(SMAConfig{Fast: 2, Slow: 4, Notional: d("1000")})
	mixed, _ := NewSMA(SMAConfig{Fast: 2, Slow: 4, Notional: d("1000")})
	for i, m := range mids {
		want := alone.OnEvent(q("SOL-USD", m), holding(money.Decimal{}), nil)
		mixed.OnEvent(q("ETH-USD", mids[len(mids)-1-i]), holding(money.Decimal{}), nil)
		got := mixed.OnEvent(q("SOL-USD", m), holding(money.Decimal{}), nil)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("quote %d: %+v interleaved, %+v alone", i, got, want)
		}
	}
}

// refSMA recomputes both averages from the whole history at every quote,
// with math/big, as the oracle for the ring buffers and running sums.
type refSMA struct {
	cfg     SMAConfig
	history []*big.Rat
	regime  int
}

func (r *refSMA) onEvent(qt *market.Event, position money.Decimal) []Action {
	mid := new(big.Rat).SetFrac64(qt.Quote().Mid().Units(), 100_000_000)
	r.history = append(r.history, mid)
	if len(r.history) < r.cfg.Slow {
		return nil
	}
	avg := func(n int) *big.Rat {
		sum := new(big.Rat)
		for _, m := range r.history[len(r.history)-n:] {
			sum.Add(sum, m)
		}
		return sum.Quo(sum, big.NewRat(int64(n), 1))
	}
	rel := avg(r.cfg.Fast).Cmp(avg(r.cfg.Slow))
	prev := r.regime
	if rel != 0 {
		r.regime = rel
	}
	switch {
	case prev < 0 && rel > 0 && position.IsZero():
		qty := new(big.Rat).SetFrac64(r.cfg.Notional.Units(), qt.Ask.Units())
		lots := new(big.Int).Quo(new(big.Int).Mul(qty.Num(), big.NewInt(10_000)), qty.Denom())
		if lots.Sign() > 0 {
			return []Action{marketOrder(qt.Symbol, venue.Buy, money.FromUnits(lots.Int64()*10_000).String())}
		}
	case prev > 0 && rel < 0 && position.IsPositive():
		return []Action{marketOrder(qt.Symbol, venue.Sell, position.String())}
	}
	return nil
}

func TestPropSMAMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		slow := rapid.IntRange(2, 30).Draw(t, "slow")
		cfg := SMAConfig{
			Fast:     rapid.IntRange(1, slow-1).Draw(t, "fast"),
			Slow:     slow,
			Notional: money.FromUnits(rapid.Int64Range(1, 10_000*100_000_000).Draw(t, "notional")),
		}
		s, err := NewSMA(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ref := &refSMA{cfg: cfg}
		// Prices move on a coarse grid so that the averages often tie.
		price := rapid.Int64Range(1, 1_000).Draw(t, "start")
		position := money.Decimal{}
		for i := range rapid.IntRange(slow, 200).Draw(t, "quotes") {
			price = max(1, price+rapid.Int64Range(-5, 5).Draw(t, "move"))
			mid := money.FromInt(price)
			qt := quote("X-USD", mid, mid.Add(money.FromUnits(rapid.Int64Range(0, 100).Draw(t, "spread")*2)))
			got := s.OnEvent(qt, holding(position), nil)
			want := ref.onEvent(qt, position)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("event %d: actions %+v, reference %+v", i, got, want)
			}
			for _, a := range got {
				if a.Order.Side == venue.Buy {
					position = position.Add(a.Order.Quantity)
				} else {
					position = position.Sub(a.Order.Quantity)
				}
			}
		}
	})
}

func TestSMAWaitsForItsLiveOrder(t *testing.T) {
	s, _ := NewSMA(SMAConfig{Fast: 2, Slow: 4, Notional: d("1000")})
	busy := &account{open: map[string]int{"SOL-USD": 1}}
	for _, m := range []string{"13", "12", "11", "10"} {
		s.OnEvent(q("SOL-USD", m), busy, nil)
	}
	if got := s.OnEvent(q("SOL-USD", "20"), busy, nil); len(got) != 0 {
		t.Fatalf("signalled %+v with an order live", got)
	}
	// The cross went by: nothing until the next one.
	if got := s.OnEvent(q("SOL-USD", "20"), holding{}, nil); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
}
