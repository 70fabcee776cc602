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
	ws     *websocket.Conn
	path   string
	pongs  chan string
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
			c.pongs <- s
			return nil
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

// startMD runs a MarketData; stop cancels it and waits for Run to return.
func startMD(t *testing.T, api API, cfg MarketDataConfig) (m *MarketData, stop func()) {
	t.Helper()
	m, err := NewMarketData(api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return m, func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
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
	// Silence: the watchdog closes the socket and dials again.
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
