package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
)

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

const header = "time,symbol,type,price,size,side,bid,bid_size,ask,ask_size\n"

func open(t testing.TB, data string, opts Options) *Source {
	t.Helper()
	s, err := Open(strings.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// all reads every event and the error that ended the replay.
func all(t testing.TB, s *Source) ([]market.Event, error) {
	t.Helper()
	var out []market.Event
	for {
		ev, ok, err := s.Next(context.Background(), farFuture)
		if err != nil {
			return out, err
		}
		if !ok {
			t.Fatal("Next(farFuture) returned no event and no error")
		}
		if ev.Book != nil {
			b := *ev.Book // the source reuses its book: keep a copy
			b.Bids, b.Asks = append([]market.Level(nil), b.Bids...), append([]market.Level(nil), b.Asks...)
			ev.Book = &b
		}
		out = append(out, ev)
	}
}

// show renders an event compactly for comparisons.
func show(ev market.Event) string {
	s := fmt.Sprintf("%s %s", ev.Time.Format("15:04:05.000"), ev.Symbol)
	if ev.Kind == market.EventTrade {
		s += fmt.Sprintf(" trade %s@%s %+d", ev.Size, ev.Price, ev.Aggressor)
	} else {
		s += " book"
	}
	s += fmt.Sprintf(" %s/%s", ev.Bid, ev.Ask)
	if ev.Book != nil {
		s += fmt.Sprintf(" [%s@%s|%s@%s]", ev.Book.Bids[0].Size, ev.Book.Bids[0].Price, ev.Book.Asks[0].Size, ev.Book.Asks[0].Price)
	}
	return s
}

func expect(t *testing.T, data string, opts Options, want ...string) {
	t.Helper()
	evs, err := all(t, open(t, data, opts))
	if !errors.Is(err, io.EOF) {
		t.Fatalf("replay ended with %v", err)
	}
	var got []string
	for _, ev := range evs {
		if ev.Time.Location() != time.UTC {
			t.Errorf("event time %v not in UTC", ev.Time)
		}
		got = append(got, show(ev))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestQuotesAndTrades(t *testing.T) {
	expect(t, header+
		"2026-01-02T00:00:00Z,BTC-USD,quote,,,,59994,1.5,60006,0.8\n"+
		"2026-01-02T00:00:00.05Z,BTC-USD,trade,60006,0.25,buy,,,,\n"+
		"2026-01-02T00:00:00.05Z,ETH-USD,trade,3000,2,sell,,,,\n"+ // before any ETH quote
		"2026-01-02T00:00:00.1Z,ETH-USD,quote,,,,2999.5,10,3000.5,0\n"+
		"2026-01-02T00:00:00.2Z,ETH-USD,trade,2999.5,1,sell,,,,\n",
		Options{},
		"00:00:00.000 BTC-USD book 59994/60006 [1.5@59994|0.8@60006]",
		"00:00:00.050 BTC-USD trade 0.25@60006 +1 59994/60006 [1.5@59994|0.8@60006]",
		"00:00:00.050 ETH-USD trade 2@3000 -1 3000/3000.6 [2@3000|2@3000.6]",
		"00:00:00.100 ETH-USD book 2999.5/3000.5 [10@2999.5|0@3000.5]",
		"00:00:00.200 ETH-USD trade 1@2999.5 -1 2999.5/3000.5 [10@2999.5|0@3000.5]",
	)
}

func TestTradesOnlyMakeUpTheirTouch(t *testing.T) {
	expect(t, "symbol,side,price,time,type,size\n"+ // any column order, only the columns needed
		"SOL-USD,buy,150,2026-01-02T00:00:01Z,trade,3\n"+
		"SOL-USD,buy,150.5,2026-01-02T00:00:02Z,trade,1\n"+
		"DOGE-USD,buy,0.00000001,2026-01-02T00:00:02Z,trade,1\n",
		Options{SpreadBps: 100},
		"00:00:01.000 SOL-USD trade 3@150 +1 148.5/150 [3@148.5|3@150]",
		"00:00:02.000 SOL-USD trade 1@150.5 +1 148.995/150.5 [1@148.995|1@150.5]",
		// The bid never falls below the smallest price.
		"00:00:02.000 DOGE-USD trade 1@0.00000001 +1 0.00000001/0.00000001 [1@0.00000001|1@0.00000001]",
	)
}

const candles = "time,symbol,type,open,high,low,close,volume,interval\n"

func TestCandles(t *testing.T) {
	expect(t, candles+
		"2026-01-02T00:00:00Z,BTC-USD,candle,100,110,90,105,4.00000003,1m\n"+ // rising: O L H C
		"2026-01-02T00:01:00Z,BTC-USD,candle,105,106,95,100,0,1m\n", // falling: O H L C; no volume, no trades
		Options{SpreadBps: 100},
		"00:00:00.000 BTC-USD book 99/100 [1@99|1@100]",
		"00:00:00.000 BTC-USD trade 1@100 +1 99/100 [1@99|1@100]",
		"00:00:15.000 BTC-USD book 90/90.9 [1@90|1@90.9]",
		"00:00:15.000 BTC-USD trade 1@90 -1 90/90.9 [1@90|1@90.9]",
		"00:00:30.000 BTC-USD book 108.9/110 [1@108.9|1@110]",
		"00:00:30.000 BTC-USD trade 1@110 +1 108.9/110 [1@108.9|1@110]",
		"00:00:45.000 BTC-USD book 105/106.05 [1.00000003@105|1.00000003@106.05]",
		"00:00:45.000 BTC-USD trade 1.00000003@105 -1 105/106.05 [1.00000003@105|1.00000003@106.05]",
		"00:01:00.000 BTC-USD book 105/106.05 [0@105|0@106.05]",
		"00:01:15.000 BTC-USD book 104.94/106 [0@104.94|0@106]",
		"00:01:30.000 BTC-USD book 95/95.95 [0@95|0@95.95]",
		"00:01:45.000 BTC-USD book 99/100 [0@99|0@100]",
	)
}

// Rows of other symbols that fall inside a candle come out between its
// points, in time order; ties keep the order of the rows.
func TestCandlesInterleave(t *testing.T) {
	expect(t, "time,symbol,type,open,high,low,close,volume,interval,bid,bid_size,ask,ask_size\n"+
		"2026-01-02T00:00:00Z,BTC-USD,candle,100,100,100,100,0,4s,,,,\n"+
		"2026-01-02T00:00:00Z,ETH-USD,candle,10,10,10,10,0,8s,,,,\n"+
		"2026-01-02T00:00:01Z,SOL-USD,quote,,,,,,,1,1,2,1\n"+
		"2026-01-02T00:00:02.5Z,SOL-USD,quote,,,,,,,1,1,3,1\n",
		Options{},
		"00:00:00.000 BTC-USD book 99.98/100 [0@99.98|0@100]",
		"00:00:00.000 ETH-USD book 9.998/10 [0@9.998|0@10]",
		"00:00:01.000 BTC-USD book 99.98/100 [0@99.98|0@100]",
		"00:00:01.000 SOL-USD book 1/2 [1@1|1@2]",
		"00:00:02.000 BTC-USD book 99.98/100 [0@99.98|0@100]",
		"00:00:02.000 ETH-USD book 9.998/10 [0@9.998|0@10]",
		"00:00:02.500 SOL-USD book 1/3 [1@1|1@3]",
		"00:00:03.000 BTC-USD book 99.98/100 [0@99.98|0@100]",
		"00:00:04.000 ETH-USD book 9.998/10 [0@9.998|0@10]",
		"00:00:06.000 ETH-USD book 9.998/10 [0@9.998|0@10]",
	)
}

func TestFileDetails(t *testing.T) {
	// A byte order mark, CRLF line ends, blank lines and no final newline.
	expect(t, "\ufefftime,symbol,type,bid,bid_size,ask,ask_size\r\n\r\n"+
		"2026-01-02T00:00:00.123456789Z,BTC-USD,quote,1,2,3,4\r\n\n"+
		"2026-01-02T00:00:00.123456789Z,BTC-USD,quote,1,2,1,4",
		Options{Symbols: []string{"BTC-USD"}},
		"00:00:00.123 BTC-USD book 1/3 [2@1|4@3]",
		"00:00:00.123 BTC-USD book 1/1 [2@1|4@1]", // locked, not crossed
	)
	expect(t, header, Options{}) // no rows
}

func TestNextPacesByUntil(t *testing.T) {
	s := open(t, header+
		"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n"+
		"2026-01-02T00:00:02Z,BTC-USD,quote,,,,1,1,2,1\n", Options{})
	ctx := context.Background()
	at := func(sec int) time.Time { return time.Date(2026, 1, 2, 0, 0, sec, 0, time.UTC) }
	for _, step := range []struct {
		until int
		ok    bool
		err   error
	}{{0, false, nil}, {1, true, nil}, {1, false, nil}, {3, true, nil}, {3, false, io.EOF}, {3, false, io.EOF}} {
		ev, ok, err := s.Next(ctx, at(step.until))
		if ok != step.ok || !errors.Is(err, step.err) || ok && ev.Time.After(at(step.until)) {
			t.Fatalf("Next(%ds) = %v, %v, %v; want %v, %v", step.until, ev.Time, ok, err, step.ok, step.err)
		}
	}
}

func TestNextHonoursContext(t *testing.T) {
	s := open(t, header+"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n", Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok, err := s.Next(ctx, farFuture); ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Next = %v, %v", ok, err)
	}
	if evs, err := all(t, s); len(evs) != 1 || !errors.Is(err, io.EOF) {
		t.Fatalf("after a cancelled call: %d events, %v", len(evs), err)
	}
}

// The replay reads as it goes: events come out while the writer is still
// writing.
func TestNextStreams(t *testing.T) {
	r, w := io.Pipe()
	go func() {
		fmt.Fprint(w, header)
		fmt.Fprint(w, "2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n")
	}()
	s, err := Open(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Next(context.Background(), farFuture); !ok || err != nil {
		t.Fatalf("first event before the writer finished: %v, %v", ok, err)
	}
	w.CloseWithError(errors.New("disk on fire"))
	if _, _, err := s.Next(context.Background(), farFuture); err == nil || !strings.Contains(err.Error(), "line 3: disk on fire") {
		t.Fatalf("read error = %v", err)
	}
}

func TestOpenRejects(t *testing.T) {
	for _, tt := range []struct {
		data string
		opts Options
		want string
	}{
		{"", Options{}, "replay: line 1: no header"},
		{"\n" + header, Options{}, "replay: line 1: no header"},
		{"time,symbol,type,bid,colour\n", Options{}, `line 1, column 5 (colour): unknown column "colour"; known: time, symbol,`},
		{"time,symbol,type,bid,bid\n", Options{}, "line 1, column 5 (bid): column named twice"},
		{"time,symbol,bid\n", Options{}, "line 1: header has no type column"},
		{"time,symbol,type,\n", Options{}, `column 4 (): unknown column ""`},
		{header, Options{SpreadBps: -1}, "spread of -1 bps out of range"},
		{header, Options{Symbols: []string{"btc-usd"}}, `malformed symbol "btc-usd"`},
		{header, Options{Symbols: []string{"BTC-USD", "BTC-USD"}}, `symbol "BTC-USD" given more than once`},
	} {
		if _, err := Open(strings.NewReader(tt.data), tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q, %+v) = %v, want %q", tt.data, tt.opts, err, tt.want)
		}
	}
	if _, err := Open(strings.NewReader(strings.Repeat("x", maxLine+1)), Options{}); err == nil ||
		!strings.Contains(err.Error(), "line 1: longer than 65536 bytes") {
		t.Errorf("long header: %v", err)
	}
}

func TestNextRejects(t *testing.T) {
	const ok = "2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n"
	for _, tt := range []struct{ row, want string }{
		{"2026-01-02T00:00:00Z,BTC-USD,quote,,,,1,1,2,1\n", `line 3, column 1 (time): "2026-01-02T00:00:00Z" is before the previous row's time`},
		{"2026-01-02 00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n", "line 3, column 1 (time): \"2026-01-02 00:00:01Z\": want an RFC 3339 time in UTC"},
		{"2026-01-02T00:00:01+01:00,BTC-USD,quote,,,,1,1,2,1\n", "column 1 (time)"},
		{"2026-02-30T00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n", "column 1 (time)"},
		{"1600-01-01T00:00:00Z,BTC-USD,quote,,,,1,1,2,1\n", "column 1 (time): \"1600-01-01T00:00:00Z\": time out of range"},
		{"2026-01-02T00:00:01Z,btc-usd,quote,,,,1,1,2,1\n", `line 3, column 2 (symbol): malformed symbol "btc-usd"`},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2\n", "line 3: 9 cells, but the header has 10 columns"},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2,1,\n", "line 3: 11 cells, but the header has 10 columns"},
		{"2026-01-02T00:00:01Z,BTC-USD,book,,,,1,1,2,1\n", `line 3, column 3 (type): unknown type "book": want quote, trade or candle`},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1e3,2,1\n", `line 3, column 8 (bid_size): money: invalid decimal "1e3"`},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2.000000001,1\n", `line 3, column 9 (ask): money: invalid decimal "2.000000001": more than 8 decimal places`},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,-1,2,1\n", "line 3, column 8 (bid_size): negative: -1"},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,0,1,2,1\n", "line 3, column 7 (bid): zero: must be positive"},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,3,1,2,1\n", "line 3, column 9 (ask): crossed quote: ask 2 below bid 3"},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,,2,1\n", "line 3, column 8 (bid_size): empty, but a quote row needs it"},
		{"2026-01-02T00:00:01Z,BTC-USD,quote,5,,,1,1,2,1\n", `line 3, column 4 (price): must be empty in a quote row, found "5"`},
		{"2026-01-02T00:00:01Z,BTC-USD,trade,5,1,hold,,,,\n", `line 3, column 6 (side): unknown side "hold": want buy or sell`},
		{"2026-01-02T00:00:01Z,BTC-USD,trade,5,0,buy,,,,\n", "line 3, column 5 (size): zero: must be positive"},
		{"2026-01-02T00:00:01Z,BTC-USD,trade,92233720368,1,sell,,,,\n", "line 3, column 4 (price): 92233720368 is too large to quote a spread above"},
		{"2026-01-02T00:00:01Z,BTC-USD,candle,,,,,,,\n", "line 3: a candle row needs a open column, which the header lacks"},
	} {
		s := open(t, header+ok+tt.row+ok, Options{})
		_, err := all(t, s)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("row %q: error %v, want %q", tt.row, err, tt.want)
		}
		if _, _, again := s.Next(context.Background(), farFuture); again != err {
			t.Errorf("row %q: the error is not sticky: %v then %v", tt.row, err, again)
		}
	}
}

func TestCandleRejects(t *testing.T) {
	for _, tt := range []struct{ row, want string }{
		{"100,90,95,99,1,1m", "column 5 (high): high 90 below the open or close"},
		{"100,110,101,105,1,1m", "column 6 (low): low 101 above the open or close"},
		{"100,110,90,105,-1,1m", "column 8 (volume): negative: -1"},
		{"100,110,90,105,1,1d", `column 9 (interval): "1d": want a positive whole number of ms, s, m or h`},
		{"100,110,90,105,1,0s", `column 9 (interval): "0s"`},
		{"100,110,90,105,1,m", `column 9 (interval): "m"`},
		{"100,110,90,105,1,99999999999999999999h", `column 9 (interval)`},
		{"100,92233720368,90,105,1,1m", "column 5 (high): 92233720368 is too large"},
	} {
		s := open(t, candles+"2026-01-02T00:00:00Z,BTC-USD,candle,"+tt.row+"\n", Options{})
		if _, err := all(t, s); err == nil || !strings.Contains(err.Error(), "line 2, "+tt.want) {
			t.Errorf("candle %q: error %v, want %q", tt.row, err, tt.want)
		}
	}
	s := open(t, candles+"2262-04-11T23:47:15Z,BTC-USD,candle,1,1,1,1,1,1h\n", Options{})
	if _, err := all(t, s); err == nil || !strings.Contains(err.Error(), "the candle ends after the last time") {
		t.Errorf("candle at the end of time: %v", err)
	}
}

func TestOptionsSymbolsCloseTheSet(t *testing.T) {
	s := open(t, header+
		"2026-01-02T00:00:01Z,BTC-USD,quote,,,,1,1,2,1\n"+
		"2026-01-02T00:00:01Z,ETH-USD,quote,,,,1,1,2,1\n", Options{Symbols: []string{"BTC-USD"}})
	if evs, err := all(t, s); len(evs) != 1 || err == nil ||
		!strings.Contains(err.Error(), `line 3, column 2 (symbol): unknown symbol "ETH-USD": not among Options.Symbols`) {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	var b strings.Builder
	b.WriteString(header)
	for i := range maxSymbols + 1 {
		fmt.Fprintf(&b, "2026-01-02T00:00:01Z,S%d-USD,quote,,,,1,1,2,1\n", i)
	}
	if _, err := all(t, open(t, b.String(), Options{})); err == nil || !strings.Contains(err.Error(), "more than 4096 symbols") {
		t.Fatalf("too many symbols: %v", err)
	}
}

func TestUnixNanosSaturates(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want int64
	}{
		{farFuture, 1<<63 - 1},
		{time.Time{}, -1 << 63},
		{time.Unix(1, 5), 1_000_000_005},
	} {
		if got := unixNanos(tt.t); got != tt.want {
			t.Errorf("unixNanos(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
}
