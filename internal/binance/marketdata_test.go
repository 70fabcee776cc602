package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// fakeDepthAPI is the venue's books as REST serves them: only Depth is
// implemented (MarketData calls nothing else; anything else panics).
type fakeDepthAPI struct {
	API
	mu    sync.Mutex
	books map[string]*fakeBook // by our symbol
	calls map[string]int
	// gate, when set, makes every Depth call wait for a token, so that a
	// test sees the book while its snapshot is on the way.
	gate chan struct{}
}

type fakeBook struct {
	venue      string
	id         int64
	bids, asks map[string]string
}

func newFakeDepthAPI() *fakeDepthAPI {
	return &fakeDepthAPI{books: map[string]*fakeBook{}, calls: map[string]int{}}
}

// add creates a venue book at update id id with "price:size" levels.
func (a *fakeDepthAPI) add(symbol, venue string, id int64, bids, asks []string) {
	b := &fakeBook{venue: venue, id: id, bids: map[string]string{}, asks: map[string]string{}}
	for _, l := range bids {
		p, q, _ := strings.Cut(l, ":")
		b.bids[p] = q
	}
	for _, l := range asks {
		p, q, _ := strings.Cut(l, ":")
		b.asks[p] = q
	}
	a.books[symbol] = b
}

func (a *fakeDepthAPI) Depth(ctx context.Context, symbol string, limit int) (DepthSnapshot, error) {
	if a.gate != nil {
		select {
		case <-a.gate:
		case <-ctx.Done():
			return DepthSnapshot{}, ctx.Err()
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls[symbol]++
	b := a.books[symbol]
	if b == nil {
		return DepthSnapshot{}, errors.New("no such symbol")
	}
	s := DepthSnapshot{LastUpdateID: b.id}
	for p, q := range b.bids {
		s.Bids = append(s.Bids, market.Level{Price: money.MustParse(p), Size: money.MustParse(q)})
	}
	for p, q := range b.asks {
		s.Asks = append(s.Asks, market.Level{Price: money.MustParse(p), Size: money.MustParse(q)})
	}
	return s, nil
}

func (a *fakeDepthAPI) depthCalls(symbol string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[symbol]
}

// change moves the venue's book by one update id and returns the
// depthUpdate event saying so, as the venue sends it. Not sending it is
// losing it.
func (a *fakeDepthAPI) change(symbol string, bids, asks [][2]string) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.books[symbol]
	b.id++
	for _, l := range bids {
		setFake(b.bids, l)
	}
	for _, l := range asks {
		setFake(b.asks, l)
	}
	if bids == nil {
		bids = [][2]string{}
	}
	if asks == nil {
		asks = [][2]string{}
	}
	msg, _ := json.Marshal(map[string]any{"e": "depthUpdate", "E": 1700000000000, "s": b.venue,
		"U": b.id, "u": b.id, "b": bids, "a": asks})
	return msg
}

func setFake(side map[string]string, l [2]string) {
	if money.MustParse(l[1]).IsZero() {
		delete(side, l[0])
	} else {
		side[l[0]] = l[1]
	}
}

// combined wraps an event as a combined stream does.
func combined(stream string, event []byte) []byte {
	msg, _ := json.Marshal(map[string]any{"stream": stream, "data": json.RawMessage(event)})
	return msg
}

// fakeStreams is a stream server the test drives: each accepted socket is
// handed to the test, which writes to it, pings it, closes it or leaves it
// silent.
type fakeStreams struct {
	srv   *httptest.Server
	conns chan *fakeConn
}

type fakeConn struct {
	ws    *websocket.Conn
	path  string
	pongs chan string
	// mute: the server answers no ping (a dead peer).
	mute   atomic.Bool
	closed chan struct{} // the client closed it, or the test did
}

func newFakeStreams() *fakeStreams {
	f := &fakeStreams{conns: make(chan *fakeConn, 16)}
	var up websocket.Upgrader
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &fakeConn{ws: ws, path: r.URL.RequestURI(), pongs: make(chan string, 64), closed: make(chan struct{})}
		ws.SetPongHandler(func(s string) error {
			select {
			case c.pongs <- s:
			default:
			}
			return nil
		})
		ws.SetPingHandler(func(data string) error {
			if c.mute.Load() {
				return nil
			}
			return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		f.conns <- c
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				break
			}
		}
		_ = ws.Close()
		close(c.closed)
	}))
	return f
}

func (f *fakeStreams) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

func (f *fakeStreams) accept(t *testing.T) *fakeConn {
	t.Helper()
	select {
	case c := <-f.conns:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the client did not connect")
		return nil
	}
}

func (c *fakeConn) send(t *testing.T, msg []byte) {
	t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
}

// startMD runs a MarketData; stop (idempotent) cancels it and waits for Run
// to return.
func startMD(t *testing.T, api API, cfg MarketDataConfig) (m *MarketData, stop func()) {
	t.Helper()
	m, err := NewMarketData(api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	return m, func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
}

// eventually polls cond (the state under test is another goroutine's)
// and fails the test if it stays false for seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
	}
}

// nextBook polls Next until it shows symbol's book as want ("bid/ask"),
// skipping heartbeats and intermediate books.
func nextBook(t *testing.T, m *MarketData, symbol, want string) market.Event {
	t.Helper()
	var last string
	var ev market.Event
	eventually(t, symbol+" book "+want+" (last seen "+last+")", func() bool {
		var ok bool
		var err error
		ev, ok, err = m.Next(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if ok && ev.Kind == market.EventBook && ev.Symbol == symbol {
			last = ev.Bid.String() + "/" + ev.Ask.String()
		}
		return ok && ev.Kind == market.EventBook && ev.Symbol == symbol && last == want
	})
	return ev
}

func testMDConfig(f *fakeStreams, symbols ...string) MarketDataConfig {
	return MarketDataConfig{Stream: f.url(), Symbols: symbols, Map: SymbolMap{Quote: "USDT"}, Levels: 2,
		Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}
}

// TestMarketDataSyncsAndServesBooks: over a combined stream, each book is
// served once its snapshot bridged its events, from the exact decimals the
// venue sent, top N levels deep; a book not in sync is not served and is
// named in health.
func TestMarketDataSyncsAndServesBooks(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeStreams()
	defer f.srv.Close()
	api := newFakeDepthAPI()
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1", "99:2", "98:3"}, []string{"101:1", "102:3"})
	api.add("ETH-USD", "ETHUSDT", 50, []string{"10:1"}, []string{"11:1"})
	m, stop := startMD(t, api, testMDConfig(f, "BTC-USD", "ETH-USD"))
	defer stop()
	c := f.accept(t)
	if want := "/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms"; c.path != want {
		t.Fatalf("dialled %s, want %s", c.path, want)
	}
	if ev, ok, err := m.Next(context.Background(), time.Now()); err != nil || !ok || ev.Kind != market.EventHeartbeat {
		t.Fatalf("nothing in sync: got %+v ok=%v err=%v, want a heartbeat", ev, ok, err)
	}

	c.send(t, combined("btcusdt@depth@100ms", api.change("BTC-USD", [][2]string{{"100.50000000", "0.25"}}, nil)))
	eventually(t, "BTC-USD in sync", func() bool { return m.Synced("BTC-USD") })
	ev := nextBook(t, m, "BTC-USD", "100.5/101")
	if got := show(ev.Book.Bids) + " | " + show(ev.Book.Asks); got != "100.5:0.25 100:1 | 101:1 102:3" {
		t.Fatalf("book %s", got)
	}
	c.send(t, combined("btcusdt@depth@100ms", api.change("BTC-USD", nil, [][2]string{{"101", "0"}})))
	c.send(t, combined("btcusdt@depth@100ms", api.change("BTC-USD", [][2]string{{"100.5", "0"}}, nil)))
	nextBook(t, m, "BTC-USD", "100/102")

	if m.Synced("ETH-USD") {
		t.Fatal("ETH-USD in sync before any event")
	}
	h := m.Health(time.Now())
	if h.Name != "market_data" || h.Level != Degraded || !strings.Contains(h.Reason, "ETH-USD: book not in sync") ||
		strings.Contains(h.Reason, "BTC-USD") {
		t.Fatalf("health %+v", h)
	}
	c.send(t, combined("ethusdt@depth@100ms", api.change("ETH-USD", nil, [][2]string{{"10.5", "4"}})))
	nextBook(t, m, "ETH-USD", "10/10.5")
	if h := m.Health(time.Now()); h.Level != Healthy {
		t.Fatalf("health %+v", h)
	}
	stop()
	if m.Synced("BTC-USD") || m.Synced("ETH-USD") {
		t.Fatal("a book is in sync after Run returned")
	}
}

// TestMarketDataResyncsAfterGap: a skipped update id takes the book out of
// sync at once, nothing is served from it, and a new snapshot brings it
// back with the updates it missed.
func TestMarketDataResyncsAfterGap(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeStreams()
	defer f.srv.Close()
	api := newFakeDepthAPI()
	api.gate = make(chan struct{})
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1"}, []string{"101:1"})
	m, stop := startMD(t, api, testMDConfig(f, "BTC-USD"))
	defer stop()
	c := f.accept(t)
	if want := "/ws/btcusdt@depth@100ms"; c.path != want {
		t.Fatalf("dialled %s, want %s", c.path, want)
	}
	c.send(t, api.change("BTC-USD", [][2]string{{"100", "2"}}, nil))
	api.gate <- struct{}{}
	eventually(t, "in sync", func() bool { return m.Synced("BTC-USD") })
	nextBook(t, m, "BTC-USD", "100/101")

	api.change("BTC-USD", [][2]string{{"100.1", "1"}}, nil) // lost
	c.send(t, api.change("BTC-USD", nil, [][2]string{{"100.9", "1"}}))
	eventually(t, "out of sync after the gap", func() bool { return !m.Synced("BTC-USD") })
	c.send(t, api.change("BTC-USD", nil, [][2]string{{"101", "0"}}))
	// The snapshot waits at the gate: nothing may be served meanwhile.
	for range 3 {
		if ev, ok, _ := m.Next(context.Background(), time.Now().Add(time.Hour)); ok && ev.Kind != market.EventHeartbeat {
			t.Fatalf("served %+v from a book out of sync", ev)
		}
	}
	if h := m.Health(time.Now()); h.Level != Degraded || !strings.Contains(h.Reason, "BTC-USD: book not in sync") ||
		!strings.Contains(h.Reason, "1 resyncs") {
		t.Fatalf("health %+v", h)
	}
	api.gate <- struct{}{}
	eventually(t, "in sync again", func() bool { return m.Synced("BTC-USD") })
	ev := nextBook(t, m, "BTC-USD", "100.1/100.9")
	if got := show(ev.Book.Bids) + " | " + show(ev.Book.Asks); got != "100.1:1 100:2 | 100.9:1" {
		t.Fatalf("book %s", got)
	}
	if n := api.depthCalls("BTC-USD"); n != 2 {
		t.Fatalf("%d snapshots, want 2", n)
	}
}

// TestMarketDataReconnectsAfterDrop: a dropped socket is redialled and
// counted, and the book, which may have missed updates meanwhile, is out
// of sync until a new snapshot bridges the new socket's events.
func TestMarketDataReconnectsAfterDrop(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeStreams()
	defer f.srv.Close()
	api := newFakeDepthAPI()
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1"}, []string{"101:1"})
	m, stop := startMD(t, api, testMDConfig(f, "BTC-USD"))
	defer stop()
	c := f.accept(t)
	c.send(t, api.change("BTC-USD", [][2]string{{"100", "2"}}, nil))
	eventually(t, "in sync", func() bool { return m.Synced("BTC-USD") })

	_ = c.ws.Close()
	c2 := f.accept(t)
	// The book was dropped before the redial.
	if m.Synced("BTC-USD") {
		t.Fatal("book still in sync after its socket dropped")
	}
	if h := m.Health(time.Now()); !strings.Contains(h.Reason, "BTC-USD: book not in sync") ||
		!strings.Contains(h.Reason, "1 reconnects") {
		t.Fatalf("health %+v", h)
	}
	api.change("BTC-USD", [][2]string{{"99", "1"}}, nil) // sent while we were away
	c2.send(t, api.change("BTC-USD", nil, [][2]string{{"101", "3"}}))
	eventually(t, "in sync again", func() bool { return m.Synced("BTC-USD") })
	ev := nextBook(t, m, "BTC-USD", "100/101")
	if got := show(ev.Book.Bids) + " | " + show(ev.Book.Asks); got != "100:2 99:1 | 101:3" {
		t.Fatalf("book %s", got)
	}
}

// TestMarketDataWatchdog: pings keep a quiet socket alive and are
// answered; a socket that sends nothing at all is closed and redialled.
func TestMarketDataWatchdog(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeStreams()
	defer f.srv.Close()
	api := newFakeDepthAPI()
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1"}, []string{"101:1"})
	cfg := testMDConfig(f, "BTC-USD")
	cfg.Silence = 400 * time.Millisecond
	m, stop := startMD(t, api, cfg)
	defer stop()
	c := f.accept(t)
	// Pings for twice the silence allowed, each answered with a pong.
	for i := range 16 {
		payload := fmt.Sprint(i)
		if err := c.ws.WriteControl(websocket.PingMessage, []byte(payload), time.Now().Add(time.Second)); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		select {
		case p := <-c.pongs:
			if p != payload {
				t.Fatalf("pong %q to ping %q", p, payload)
			}
		case <-c.closed:
			t.Fatalf("socket closed after %d pings", i)
		case <-time.After(5 * time.Second):
			t.Fatalf("no pong to ping %d", i)
		}
		time.Sleep(cfg.Silence / 8)
	}
	if len(f.conns) != 0 {
		t.Fatal("redialled while pinged")
	}
	// Silence, pings unanswered: the watchdog closes the socket and
	// dials again.
	c.mute.Store(true)
	select {
	case <-c.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("a silent socket stayed open")
	}
	f.accept(t)
	eventually(t, "the reconnect counted", func() bool {
		return strings.Contains(m.Health(time.Now()).Reason, "1 reconnects")
	})
}

// TestMarketDataNext: Next serves each changed book in sync once, oldest
// change first, as it is now; skips books out of sync or one-sided;
// keeps event times at or before until and monotonic; and heartbeats only
// when it served nothing for Heartbeat.
func TestMarketDataNext(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	api := newFakeDepthAPI()
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1", "99:1"}, []string{"101:1"})
	api.add("ETH-USD", "ETHUSDT", 20, []string{"10:1"}, []string{"11:1"})
	api.add("SOL-USD", "SOLUSDT", 30, []string{"1:1"}, nil)
	api.add("XRP-USD", "XRPUSDT", 40, []string{"0.5:1"}, []string{"0.6:1"})
	m, err := NewMarketData(api, MarketDataConfig{Stream: "ws://unused", Map: SymbolMap{Quote: "USDT"},
		Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD"}, Levels: 1, Heartbeat: 100 * time.Millisecond,
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	feed := func(symbol string, bids, asks [][2]string, sync bool) {
		now = now.Add(time.Millisecond)
		m.handle(api.change(symbol, bids, asks))
		if sync && m.resync(ctx, m.bySymbol[symbol]) {
			t.Fatalf("%s: snapshot refused", symbol)
		}
	}
	feed("ETH-USD", [][2]string{{"10", "2"}}, nil, true)     // t+1ms
	feed("BTC-USD", [][2]string{{"100", "3"}}, nil, true)    // t+2ms
	feed("SOL-USD", [][2]string{{"1", "2"}}, nil, true)      // one-sided
	feed("XRP-USD", [][2]string{{"0.5", "2"}}, nil, false)   // not in sync
	feed("BTC-USD", nil, [][2]string{{"100.5", "1"}}, false) // t+5ms: shown once, as of t+5ms
	start := now.Add(-5 * time.Millisecond)
	until := now.Add(time.Second)
	type want struct {
		kind       market.EventKind
		symbol     string
		at         time.Time
		bid, ask   string
		bids, ask1 string
	}
	next := func(until time.Time, w *want) {
		t.Helper()
		ev, ok, err := m.Next(ctx, until)
		if err != nil {
			t.Fatal(err)
		}
		if w == nil {
			if ok {
				t.Fatalf("got %+v, want nothing", ev)
			}
			return
		}
		got := fmt.Sprint(ev.Kind, ev.Symbol, ev.Time.Sub(start), ev.Bid, ev.Ask)
		exp := fmt.Sprint(w.kind, w.symbol, w.at.Sub(start), money.MustParse(w.bid), money.MustParse(w.ask))
		if !ok || got != exp {
			t.Fatalf("got %s ok=%v, want %s", got, ok, exp)
		}
		if w.kind == market.EventBook && (show(ev.Book.Bids) != w.bids || show(ev.Book.Asks) != w.ask1) {
			t.Fatalf("book %s | %s", show(ev.Book.Bids), show(ev.Book.Asks))
		}
	}
	next(until, &want{market.EventBook, "ETH-USD", start.Add(time.Millisecond), "10", "11", "10:2", "11:1"})
	next(until, &want{market.EventBook, "BTC-USD", start.Add(5 * time.Millisecond), "100", "100.5", "100:3", "100.5:1"})
	next(until, nil)
	next(until.Add(99*time.Millisecond), nil)
	next(until.Add(100*time.Millisecond), &want{kind: market.EventHeartbeat, at: until.Add(100 * time.Millisecond), bid: "0", ask: "0"})
	next(until.Add(150*time.Millisecond), nil)
	// A change stamped after until is shown at until, never later.
	now = until.Add(time.Hour)
	m.handle(api.change("ETH-USD", nil, [][2]string{{"11", "5"}}))
	next(until.Add(200*time.Millisecond), &want{market.EventBook, "ETH-USD", until.Add(200 * time.Millisecond), "10", "11", "10:2", "11:5"})
	// Nor earlier than what was already served.
	m.handle(api.change("ETH-USD", nil, [][2]string{{"11", "6"}}))
	next(until.Add(150*time.Millisecond), &want{market.EventBook, "ETH-USD", until.Add(200 * time.Millisecond), "10", "11", "10:2", "11:6"})
	// A book that changed and then lost an update is not served.
	m.handle(api.change("BTC-USD", [][2]string{{"100", "4"}}, nil))
	api.change("BTC-USD", [][2]string{{"100", "5"}}, nil) // lost
	m.handle(api.change("BTC-USD", [][2]string{{"100", "6"}}, nil))
	next(until.Add(250*time.Millisecond), &want{kind: market.EventHeartbeat, at: until.Add(250 * time.Millisecond), bid: "0", ask: "0"})

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok, err := m.Next(cctx, until.Add(time.Hour)); ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: ok=%v err=%v", ok, err)
	}
}

// TestMarketDataHealth: judged per symbol by the age of its last message
// and whether its book is in sync, with the counts of resyncs.
func TestMarketDataHealth(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	now := t0
	api := newFakeDepthAPI()
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1"}, []string{"101:1"})
	m, err := NewMarketData(api, MarketDataConfig{Stream: "ws://unused", Map: SymbolMap{Quote: "USDT"},
		Symbols: []string{"BTC-USD"}, Silence: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	check := func(at time.Duration, level Level, reason string) {
		t.Helper()
		h := m.Health(t0.Add(at))
		if h.Name != "market_data" || h.Level != level || h.Reason != reason {
			t.Fatalf("at %v: %v %q, want %v %q", at, h.Level, h.Reason, level, reason)
		}
	}
	check(0, Degraded, "BTC-USD: book not in sync; 0 reconnects, 0 resyncs")
	check(1500*time.Millisecond, Degraded, "BTC-USD: no message in 1.5s; BTC-USD: book not in sync; 0 reconnects, 0 resyncs")
	check(3500*time.Millisecond, Unhealthy, "stream: no message in 3.5s; BTC-USD: book not in sync; 0 reconnects, 0 resyncs")

	now = t0.Add(5 * time.Second)
	m.handle(api.change("BTC-USD", nil, nil))
	if m.resync(context.Background(), m.bySymbol["BTC-USD"]) {
		t.Fatal("snapshot refused")
	}
	check(5100*time.Millisecond, Healthy, "1 books in sync; 0 reconnects, 0 resyncs")
	if h := m.Health(now); !h.LastProgress.Equal(now) {
		t.Fatalf("last progress %v, want %v", h.LastProgress, now)
	}
	check(6500*time.Millisecond, Degraded, "BTC-USD: no message for 1.5s; 0 reconnects, 0 resyncs")
	check(8500*time.Millisecond, Unhealthy, "stream: no message for 3.5s; 0 reconnects, 0 resyncs")

	// A price we cannot hold exactly is an update we did not apply.
	m.handle([]byte(`{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":12,"u":12,"b":[["100.000000001","1"]],"a":[]}`))
	check(5100*time.Millisecond, Degraded, "BTC-USD: book not in sync; 0 reconnects, 1 resyncs")
}

// TestMarketDataHealthQuietPair: a symbol with no event of its own on a
// socket that keeps delivering is a quiet pair, DEGRADED and named, never
// UNHEALTHY.
func TestMarketDataHealthQuietPair(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	now := t0
	api := newFakeDepthAPI()
	api.add("BTC-USD", "BTCUSDT", 10, []string{"100:1"}, []string{"101:1"})
	api.add("ETH-USD", "ETHUSDT", 10, []string{"10:1"}, []string{"11:1"})
	m, err := NewMarketData(api, MarketDataConfig{Stream: "ws://unused", Map: SymbolMap{Quote: "USDT"},
		Symbols: []string{"BTC-USD", "ETH-USD"}, Silence: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range []string{"BTC-USD", "ETH-USD"} {
		m.handle(api.change(sym, nil, nil))
		if m.resync(context.Background(), m.bySymbol[sym]) {
			t.Fatal("snapshot refused")
		}
	}
	for range 10 {
		now = now.Add(500 * time.Millisecond)
		m.handle(api.change("BTC-USD", [][2]string{{"100", "2"}}, nil))
	}
	h := m.Health(now)
	if h.Level != Degraded || h.Reason != "ETH-USD: no message for 5s; 0 reconnects, 0 resyncs" || !h.LastProgress.Equal(now) {
		t.Fatalf("health %+v", h)
	}
}

func TestMarketDataConfigRefused(t *testing.T) {
	ok := MarketDataConfig{Stream: "ws://x", Symbols: []string{"BTC-USD"}, Map: SymbolMap{Quote: "USDT"}}
	for _, c := range []struct {
		name string
		edit func(*MarketDataConfig)
		want string
	}{
		{"no stream", func(c *MarketDataConfig) { c.Stream = "" }, "stream endpoint"},
		{"no symbols", func(c *MarketDataConfig) { c.Symbols = nil }, "at least one symbol"},
		{"no quote", func(c *MarketDataConfig) { c.Map.Quote = "" }, "quote asset"},
		{"bad symbol", func(c *MarketDataConfig) { c.Symbols = []string{"BTCUSD"} }, `symbol "BTCUSD"`},
		{"twice", func(c *MarketDataConfig) { c.Symbols = []string{"BTC-USD", "BTC-USD"} }, "BTC-USD given twice"},
		{"negative silence", func(c *MarketDataConfig) { c.Silence = -1 }, "silence -1 is negative"},
		{"negative levels", func(c *MarketDataConfig) { c.Levels = -1 }, "levels -1 is negative"},
		{"deep snapshot", func(c *MarketDataConfig) { c.SnapshotDepth = 5001 }, "snapshot depth 5001"},
		{"backoffs", func(c *MarketDataConfig) { c.Backoff, c.MaxBackoff = time.Second, time.Millisecond }, "max backoff"},
	} {
		cfg := ok
		c.edit(&cfg)
		if _, err := NewMarketData(newFakeDepthAPI(), cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
	if _, err := NewMarketData(nil, ok); err == nil || !strings.Contains(err.Error(), "REST API") {
		t.Errorf("no API: %v", err)
	}
	m, err := NewMarketData(newFakeDepthAPI(), ok)
	if err != nil {
		t.Fatal(err)
	}
	if m.cfg.Levels != DefaultBookLevels || m.cfg.Heartbeat != DefaultHeartbeat || m.cfg.Silence != DefaultSilence {
		t.Fatalf("defaults not applied: %+v", m.cfg)
	}
}

// TestMarketDataJitter: every pause lies within the exponential bound of
// its attempt, capped, and the draws do spread.
func TestMarketDataJitter(t *testing.T) {
	base, maxPause := 250*time.Millisecond, 30*time.Second
	for n := 1; n <= 100; n++ {
		bound := maxPause
		if n <= 8 {
			bound = base << (n - 1)
		}
		seen := map[time.Duration]bool{}
		for range 50 {
			d := mdJitter(base, maxPause, n)
			if d < 0 || d > bound {
				t.Fatalf("attempt %d: pause %v outside [0, %v]", n, d, bound)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("attempt %d: %d distinct pauses in 50 draws", n, len(seen))
		}
	}
}

// BenchmarkMarketDataFrame: one depth frame (10 levels a side) off the
// socket, parsed exactly and applied to a 1,000-level book.
func BenchmarkMarketDataFrame(b *testing.B) {
	api := newFakeDepthAPI()
	var bids, asks []string
	for i := range 1000 {
		bids = append(bids, fmt.Sprintf("%d.5:1", 50000-i))
		asks = append(asks, fmt.Sprintf("%d.5:1", 50001+i))
	}
	api.add("BTC-USD", "BTCUSDT", 1, bids, asks)
	m, err := NewMarketData(api, MarketDataConfig{Stream: "ws://unused", Map: SymbolMap{Quote: "USDT"}, Symbols: []string{"BTC-USD"}})
	if err != nil {
		b.Fatal(err)
	}
	m.handle(api.change("BTC-USD", nil, nil))
	if m.resync(context.Background(), m.bySymbol["BTC-USD"]) {
		b.Fatal("snapshot refused")
	}
	var lb, la [][2]string
	for i := range 10 {
		lb = append(lb, [2]string{fmt.Sprintf("%d.5", 49995-i), "0.12345678"})
		la = append(la, [2]string{fmt.Sprintf("%d.5", 50005+i), "0.87654321"})
	}
	frames := make([][]byte, 1024)
	for i := range frames {
		frames[i] = combined("btcusdt@depth@100ms", api.change("BTC-USD", lb, la))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%len(frames) == 0 {
			b.StopTimer()
			for j := range frames {
				frames[j] = combined("btcusdt@depth@100ms", api.change("BTC-USD", lb, la))
			}
			b.StartTimer()
		}
		m.handle(frames[i%len(frames)])
	}
	b.StopTimer()
	if !m.Synced("BTC-USD") {
		b.Fatal("lost sync")
	}
}

// BenchmarkMarketDataNext: the loop's side, a changed book served top 20.
func BenchmarkMarketDataNext(b *testing.B) {
	api := newFakeDepthAPI()
	var bids, asks []string
	for i := range 100 {
		bids = append(bids, fmt.Sprintf("%d:1", 50000-i))
		asks = append(asks, fmt.Sprintf("%d:1", 50001+i))
	}
	api.add("BTC-USD", "BTCUSDT", 1, bids, asks)
	m, err := NewMarketData(api, MarketDataConfig{Stream: "ws://unused", Map: SymbolMap{Quote: "USDT"}, Symbols: []string{"BTC-USD"}})
	if err != nil {
		b.Fatal(err)
	}
	m.handle(api.change("BTC-USD", nil, nil))
	if m.resync(context.Background(), m.bySymbol["BTC-USD"]) {
		b.Fatal("snapshot refused")
	}
	ctx, until := context.Background(), time.Now()
	s := m.bySymbol["BTC-USD"]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.mu.Lock()
		s.dirty = true
		m.mu.Unlock()
		if ev, ok, _ := m.Next(ctx, until); !ok || ev.Kind != market.EventBook {
			b.Fatal("no book")
		}
	}
}
