package paper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"pgregory.net/rapid"
)

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func mustSim(t testing.TB, cfg SimConfig) *Sim {
	t.Helper()
	if cfg.Start.IsZero() {
		cfg.Start = now
	}
	s, err := NewSim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drain renders the sim's next n events, book included, one line each.
func drain(t testing.TB, s *Sim, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	for range n {
		ev, ok, err := s.Next(context.Background(), farFuture)
		if err != nil || !ok {
			t.Fatalf("Next = %v, %v", ok, err)
		}
		writeEvent(&buf, ev)
	}
	return buf.Bytes()
}

func writeEvent(buf *bytes.Buffer, ev market.Event) {
	fmt.Fprintf(buf, "%s %s %d bid=%s ask=%s trade=%s@%s/%d book=", ev.Time.Format(time.RFC3339Nano),
		ev.Symbol, ev.Kind, ev.Bid, ev.Ask, ev.Size, ev.Price, ev.Aggressor)
	for _, l := range ev.Book.Bids {
		fmt.Fprintf(buf, "%s@%s ", l.Size, l.Price)
	}
	buf.WriteString("|")
	for _, l := range ev.Book.Asks {
		fmt.Fprintf(buf, " %s@%s", l.Size, l.Price)
	}
	buf.WriteString("\n")
}

func TestSimIsDeterministic(t *testing.T) {
	cfg := SimConfig{Seed: 42, Symbols: []string{"BTC-USD", "ETH-USD", "DOGE-USD"}, Start: now}
	a := drain(t, mustSim(t, cfg), 20_000)
	if b := drain(t, mustSim(t, cfg), 20_000); !bytes.Equal(a, b) {
		t.Fatal("the same config gave different events")
	}
	cfg.Seed = 43
	if c := drain(t, mustSim(t, cfg), 20_000); bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 gave the same events")
	}
	// A symbol's events depend only on the seed and its name.
	alone := drain(t, mustSim(t, SimConfig{Seed: 42, Symbols: []string{"ETH-USD"}, Start: now}), 5_000)
	var eth []byte
	for line := range bytes.Lines(a) {
		if bytes.Contains(line, []byte(" ETH-USD ")) {
			eth = append(eth, line...)
		}
	}
	if !bytes.HasPrefix(eth, alone) {
		t.Fatal("ETH-USD alone differs from ETH-USD beside others")
	}
}

// TestSimTouchIsMarketQuote: without trades there is no price impact, and
// the touch of every book is the paper Market's quote for the same seed.
func TestSimTouchIsMarketQuote(t *testing.T) {
	syms := []string{"SOL-USD", "XRP-USD"}
	s := mustSim(t, SimConfig{Seed: 9, Symbols: syms, MaxTrades: -1, Step: time.Second})
	m := mustMarket(t, 9, syms...)
	for step := range 2_000 {
		quotes, _ := m.Quotes(context.Background(), now, nil)
		for i := range syms {
			ev, ok, err := s.Next(context.Background(), farFuture)
			if err != nil || !ok || ev.Kind != market.EventBook {
				t.Fatalf("step %d: %+v, %v, %v", step, ev, ok, err)
			}
			want := now.Add(time.Duration(step) * time.Second)
			if ev.Symbol != syms[i] || ev.Bid != quotes[i].Bid || ev.Ask != quotes[i].Ask || !ev.Time.Equal(want) {
				t.Fatalf("step %d: event %+v, market quote %+v at %v", step, ev, quotes[i], want)
			}
		}
	}
}

func TestSimPacesByUntil(t *testing.T) {
	s := mustSim(t, SimConfig{Seed: 1, Symbols: []string{"BTC-USD", "ETH-USD"}, MaxTrades: 3})
	ctx := context.Background()
	if ev, ok, err := s.Next(ctx, now.Add(-time.Nanosecond)); ok || err != nil || ev != (market.Event{}) {
		t.Fatalf("before the start: %+v, %v, %v", ev, ok, err)
	}
	until := now
	var last time.Time
	var seen [2]int
	for range 1_000 {
		until = until.Add(37 * time.Millisecond) // not a multiple of anything
		for {
			ev, ok, err := s.Next(ctx, until)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if ev.Time.After(until) || ev.Time.Before(last) {
				t.Fatalf("event at %v, until %v, previous %v", ev.Time, until, last)
			}
			last = ev.Time
			if ev.Kind == market.EventBook {
				seen[map[string]int{"BTC-USD": 0, "ETH-USD": 1}[ev.Symbol]]++
			}
		}
	}
	// 37 s of 100 ms steps: books at 0, 0.1, ..., 37.0 s.
	if seen != [2]int{371, 371} {
		t.Fatalf("book updates per symbol = %v, want 371 each", seen)
	}
}

func TestSimEndsAtEnd(t *testing.T) {
	s := mustSim(t, SimConfig{Seed: 1, Symbols: []string{"BTC-USD"}, MaxTrades: -1, End: now.Add(time.Second)})
	n := 0
	for {
		_, ok, err := s.Next(context.Background(), farFuture)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		n++
	}
	if n != 10 {
		t.Fatalf("%d events in a second of 100 ms steps, want 10", n)
	}
	if _, _, err := s.Next(context.Background(), farFuture); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end: %v", err)
	}
}

func TestSimHonoursContext(t *testing.T) {
	s := mustSim(t, SimConfig{Seed: 1, Symbols: []string{"BTC-USD"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok, err := s.Next(ctx, farFuture); ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Next = %v, %v", ok, err)
	}
	// Nothing was consumed: the first event is still the opening book.
	ev, _, _ := s.Next(context.Background(), farFuture)
	if ev.Kind != market.EventBook || !ev.Time.Equal(now) || ev.Bid.String() != "59994" {
		t.Fatalf("first event after a cancelled call: %+v", ev)
	}
}

func TestNewSimRejects(t *testing.T) {
	btc := []string{"BTC-USD"}
	for _, tt := range []struct {
		cfg  SimConfig
		want string
	}{
		{SimConfig{Start: now}, "no symbols"},
		{SimConfig{Symbols: []string{"FOO-USD"}, Start: now}, "unknown symbol"},
		{SimConfig{Symbols: btc}, "needs a start time"},
		{SimConfig{Symbols: btc, Start: now, End: now}, "is not after its start"},
		{SimConfig{Symbols: btc, Start: now, Step: time.Nanosecond}, "step 1ns out of range"},
		{SimConfig{Symbols: btc, Start: now, Step: -time.Second}, "step -1s out of range"},
		{SimConfig{Symbols: btc, Start: now, Levels: 21}, "levels 21 out of range"},
		{SimConfig{Symbols: btc, Start: now, Levels: -1}, "levels -1 out of range"},
		{SimConfig{Symbols: btc, Start: now, MaxTrades: 101}, "max trades 101 out of range"},
	} {
		if _, err := NewSim(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewSim(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// TestPropSimBooksAreSane checks every event of random configs: the book
// sorted, on the grid, positive, in whole lots and uncrossed; trades at the
// touch they report, for no more than its size; times in order with ties in
// symbol order.
func TestPropSimBooksAreSane(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := SimConfig{
			Seed:      rapid.Uint64().Draw(t, "seed"),
			Symbols:   rapid.SliceOfNDistinct(rapid.SampledFrom(Symbols()), 1, 4, rapid.ID).Draw(t, "symbols"),
			Start:     now,
			Levels:    rapid.IntRange(1, MaxSimLevels).Draw(t, "levels"),
			MaxTrades: rapid.IntRange(-1, 12).Draw(t, "maxTrades"),
		}
		s, err := NewSim(cfg)
		if err != nil {
			t.Fatal(err)
		}
		order := map[string]int{}
		for i, sym := range cfg.Symbols {
			order[sym] = i
		}
		var prev market.Event
		for i := range 3_000 {
			ev, ok, err := s.Next(context.Background(), farFuture)
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			if i > 0 && (ev.Time.Before(prev.Time) ||
				ev.Time.Equal(prev.Time) && ev.Kind == prev.Kind && order[ev.Symbol] <= order[prev.Symbol]) {
				t.Fatalf("event %d %s %v after %s %v", i, ev.Symbol, ev.Time, prev.Symbol, prev.Time)
			}
			checkSimEvent(t, &s.syms[order[ev.Symbol]], ev, cfg.Levels)
			prev = ev
		}
	})
}

func checkSimEvent(t *rapid.T, sym *simSymbol, ev market.Event, levels int) {
	b := ev.Book
	if len(b.Bids) == 0 || len(b.Asks) == 0 || len(b.Bids) > levels || len(b.Asks) > levels {
		t.Fatalf("%s book of %d bids and %d asks", ev.Symbol, len(b.Bids), len(b.Asks))
	}
	tick := sym.inst.TickSize.Units()
	for side, lv := range [][]market.Level{b.Bids, b.Asks} {
		for i, l := range lv {
			if !l.Price.IsPositive() || l.Price.Units()%tick != 0 || !l.Size.IsPositive() || l.Size.Units()%sym.lot != 0 {
				t.Fatalf("%s level %+v off the grid, not positive or not in lots of %d", ev.Symbol, l, sym.lot)
			}
			if i > 0 && (side == 0) != (l.Price.Cmp(lv[i-1].Price) < 0) {
				t.Fatalf("%s side %d not sorted: %+v", ev.Symbol, side, lv)
			}
		}
	}
	if b.Bids[0].Price.Cmp(b.Asks[0].Price) >= 0 {
		t.Fatalf("%s book crossed: %s / %s", ev.Symbol, b.Bids[0].Price, b.Asks[0].Price)
	}
	switch ev.Kind {
	case market.EventBook:
		if ev.Bid != b.Bids[0].Price || ev.Ask != b.Asks[0].Price || !ev.Size.IsZero() {
			t.Fatalf("book event %+v disagrees with its book", ev)
		}
	case market.EventTrade:
		touch := ev.Ask
		if ev.Aggressor < 0 {
			touch = ev.Bid
		}
		if ev.Price != touch || !ev.Size.IsPositive() || ev.Aggressor*ev.Aggressor != 1 {
			t.Fatalf("trade %+v not at its touch", ev)
		}
	default:
		t.Fatalf("event kind %d", ev.Kind)
	}
}

// TestSimTradesTakeFromTheBook follows trades on a one-symbol sim: a trade
// shrinks the level it took from, or removes it, and the next event's touch
// shows it.
func TestSimTradesTakeFromTheBook(t *testing.T) {
	s := mustSim(t, SimConfig{Seed: 3, Symbols: []string{"ETH-USD"}, MaxTrades: 8})
	var before market.Book
	sweeps, partials := 0, 0
	for range 50_000 {
		ev, _, _ := s.Next(context.Background(), farFuture)
		if ev.Kind == market.EventTrade {
			side, after := before.Asks, ev.Book.Asks
			if ev.Aggressor < 0 {
				side, after = before.Bids, ev.Book.Bids
			}
			switch {
			case ev.Size == side[0].Size:
				sweeps++
				if after[0] != side[1] {
					t.Fatalf("swept %+v, touch now %+v, want %+v", side[0], after[0], side[1])
				}
			case after[0].Price == side[0].Price && after[0].Size == side[0].Size.Sub(ev.Size):
				partials++
			default:
				t.Fatalf("trade %s@%s against %+v left %+v", ev.Size, ev.Price, side[0], after[0])
			}
		}
		before.Bids = append(before.Bids[:0], ev.Book.Bids...)
		before.Asks = append(before.Asks[:0], ev.Book.Asks...)
	}
	if sweeps < 1_000 || partials < 3*sweeps/2 {
		t.Fatalf("%d sweeps and %d partial fills: expected about one in four to sweep", sweeps, partials)
	}
}

func TestSimNextDoesNotAllocate(t *testing.T) {
	s := mustSim(t, SimConfig{Seed: 1, Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD"}})
	ctx := context.Background()
	allocs := testing.AllocsPerRun(10_000, func() {
		if _, ok, err := s.Next(ctx, farFuture); !ok || err != nil {
			t.Fatal(ok, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Next allocated %v times per event", allocs)
	}
}

func BenchmarkSimNext(b *testing.B) {
	s := mustSim(b, SimConfig{Seed: 1, Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD"}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Next(ctx, farFuture); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// The sizes of a level are worth $10k–$100k at the start price.
func TestSimSizesAreWorthTensOfThousands(t *testing.T) {
	for _, sym := range Symbols() {
		s := mustSim(t, SimConfig{Seed: 5, Symbols: []string{sym}, MaxTrades: -1})
		ev, _, _ := s.Next(context.Background(), farFuture)
		for _, l := range slices.Concat(ev.Book.Bids, ev.Book.Asks) {
			usd := l.Size.Mul(l.Price)
			if usd.Cmp(money.FromInt(9_000)) < 0 || usd.Cmp(money.FromInt(101_000)) > 0 {
				t.Errorf("%s level %s@%s is worth $%s", sym, l.Size, l.Price, usd)
			}
		}
	}
}
