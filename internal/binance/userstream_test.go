package binance

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// The signature example of Binance's WebSocket API docs ("SIGNED request
// example (HMAC)", https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security).
func TestSignWSAPIMatchesTheDocsExample(t *testing.T) {
	params := map[string]string{
		"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
		"quantity": "0.01000000", "price": "52000.00", "newOrderRespType": "ACK",
		"recvWindow": "100", "timestamp": "1645423376532",
		"apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
	}
	got := signWSAPI(NewSecret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"), params)
	if want := "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"; got != want {
		t.Fatalf("signature %s, want the docs' %s", got, want)
	}
}

// usSink records what the stream hands over; note is signalled on each.
type usSink struct {
	mu       sync.Mutex
	updates  []OrderUpdate
	balances [][]Balance
	halts    map[string]string
	note     chan struct{}
}

func newUSSink() *usSink { return &usSink{halts: map[string]string{}, note: make(chan struct{}, 1024)} }

func (s *usSink) Update(u OrderUpdate) {
	s.mu.Lock()
	s.updates = append(s.updates, u)
	s.mu.Unlock()
	s.note <- struct{}{}
}

func (s *usSink) Balances(b []Balance) {
	s.mu.Lock()
	s.balances = append(s.balances, b)
	s.mu.Unlock()
	s.note <- struct{}{}
}

func (s *usSink) Halt(cause, reason string) { s.mu.Lock(); s.halts[cause] = reason; s.mu.Unlock() }
func (s *usSink) Resume(cause string)       { s.mu.Lock(); delete(s.halts, cause); s.mu.Unlock() }

func (s *usSink) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-s.note:
		case <-time.After(10 * time.Second):
			t.Fatal("the sink got nothing")
		}
	}
}

// usConn is one accepted socket of the fake WS API, with the subscribe
// request it received. The test writes; the handler reads (so that the
// client's pongs and close are processed) until the socket closes.
type usConn struct {
	ws     *websocket.Conn
	req    map[string]any
	params map[string]any
	pongs  atomic.Int64
	// mute: the server answers no ping (a dead peer), as well as sending
	// nothing.
	mute   atomic.Bool
	closed chan struct{}
}

func (c *usConn) send(t *testing.T, v string) {
	t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(v)); err != nil {
		t.Fatalf("server write: %v", err)
	}
}

func (c *usConn) answerOK(t *testing.T, subID int) {
	t.Helper()
	c.send(t, fmt.Sprintf(`{"id":%q,"status":200,"result":{"subscriptionId":%d},"rateLimits":[]}`, c.req["id"], subID))
}

type usServer struct {
	srv   *httptest.Server
	conns chan *usConn
	mu    sync.Mutex
	all   []*usConn
}

func newUSServer(t *testing.T) *usServer {
	s := &usServer{conns: make(chan *usConn, 16)}
	up := websocket.Upgrader{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ws-api/v3" {
			http.NotFound(w, r)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &usConn{ws: ws, closed: make(chan struct{})}
		defer close(c.closed)
		ws.SetPongHandler(func(string) error { c.pongs.Add(1); return nil })
		ws.SetPingHandler(func(data string) error {
			if c.mute.Load() {
				return nil
			}
			return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		_, data, err := ws.ReadMessage()
		if err != nil || json.Unmarshal(data, &c.req) != nil {
			ws.Close()
			return
		}
		c.params, _ = c.req["params"].(map[string]any)
		s.mu.Lock()
		s.all = append(s.all, c)
		s.mu.Unlock()
		s.conns <- c
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				ws.Close()
				return
			}
		}
	}))
	t.Cleanup(func() {
		s.mu.Lock()
		for _, c := range s.all {
			c.ws.Close()
		}
		s.mu.Unlock()
		s.srv.Close()
	})
	return s
}

func (s *usServer) url() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws-api/v3" }

func (s *usServer) next(t *testing.T) *usConn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not (re)connect")
		return nil
	}
}

// usClock is a settable clock for the stream's Now.
type usClock struct{ ns atomic.Int64 }

func (c *usClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *usClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *usClock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newUSClock(t time.Time) *usClock  { c := &usClock{}; c.set(t); return c }

type usRig struct {
	us        *UserStream
	sink      *usSink
	srv       *usServer
	clock     *usClock
	connected chan struct{}
	cancel    context.CancelFunc
	done      chan error
}

func startUserStream(t *testing.T, mod func(*UserStreamConfig)) *usRig {
	t.Helper()
	r := &usRig{sink: newUSSink(), srv: newUSServer(t), clock: newUSClock(time.UnixMilli(1_700_000_000_000)),
		connected: make(chan struct{}, 16), done: make(chan error, 1)}
	cfg := UserStreamConfig{
		WSAPI: r.srv.url(), Keys: Keys{APIKey: NewSecret("key-abc"), Secret: NewSecret("secret-xyz")},
		Map: SymbolMap{Quote: "USDT"}, Sink: r.sink, Now: r.clock.now,
		OnConnect: func() { r.connected <- struct{}{} },
		Backoff:   time.Millisecond, MaxBackoff: 5 * time.Millisecond, Silence: 5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	us, err := NewUserStream(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.us = us
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- us.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

func (r *usRig) stop() {
	r.cancel()
	if err := <-r.done; err != nil {
		panic(err)
	}
	r.done <- nil // stop is idempotent
}

func (r *usRig) waitConnected(t *testing.T) {
	t.Helper()
	select {
	case <-r.connected:
	case <-time.After(10 * time.Second):
		t.Fatal("OnConnect was not called")
	}
}

// The docs' executionReport example (https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream,
// "Order Update"), with fields "P", "F", "I", "Z", "M" that a tagged struct
// would fold onto "p", "f", "i", "z", "m".
const usExecNew = `{"e":"executionReport","E":1499405658658,"s":"ETHUSDT","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY",
"o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"",
"x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0",
"N":null,"T":1499405658657,"t":-1,"v":3,"I":8641984,"w":true,"m":false,"M":true,"O":1499405658657,
"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}`

const usExecTrade = `{"e":"executionReport","E":1499405658700,"s":"ETHUSDT","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY",
"o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":null,
"x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":4293153,"l":"0.25000000","z":"0.25000000","L":"0.10264400",
"n":"0.00002566","N":"USDT","T":1499405658690,"t":77,"v":3,"I":8641999,"w":false,"m":true,"M":false,
"O":1499405658657,"Z":"0.02566100","Y":"0.02566100","Q":"0.00000000","W":1499405658657,"V":"NONE"}`

func TestUserStreamSubscribesSignedAndHandsOverEvents(t *testing.T) {
	usLeakCheck(t)
	r := startUserStream(t, func(c *UserStreamConfig) {
		c.Offset = func() time.Duration { return 1500 * time.Millisecond }
		c.RecvWindow = 3 * time.Second
	})
	c := r.srv.next(t)

	// The request: the documented method and params, signed over the
	// sorted query string, timestamped by the venue's clock.
	if c.req["method"] != "userDataStream.subscribe.signature" {
		t.Fatalf("method %v", c.req["method"])
	}
	wantTS := r.clock.now().Add(1500 * time.Millisecond).UnixMilli()
	if ts, _ := c.params["timestamp"].(float64); int64(ts) != wantTS || c.params["recvWindow"] != 3000.0 || c.params["apiKey"] != "key-abc" {
		t.Fatalf("params %v, want timestamp %d (now + offset), recvWindow 3000, apiKey", c.params, wantTS)
	}
	mac := hmac.New(sha256.New, []byte("secret-xyz"))
	fmt.Fprintf(mac, "apiKey=key-abc&recvWindow=3000&timestamp=%d", wantTS)
	if c.params["signature"] != hex.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("signature %v does not sign the sorted params", c.params["signature"])
	}

	c.answerOK(t, 7)
	r.waitConnected(t)
	if h := r.us.Health(r.clock.now()); h.Level != Healthy || h.Name != "user_stream" {
		t.Fatalf("health after subscribing: %+v", h)
	}
	c.send(t, `{"subscriptionId":7,"event":`+usExecNew+`}`)
	c.send(t, `{"subscriptionId":8,"event":`+usExecTrade+`}`) // another subscription's: not ours
	c.send(t, `{"subscriptionId":7,"event":{"e":"listStatus","E":1}}`)
	c.send(t, `{"subscriptionId":7,"event":{"e":"executionReport","E":1,"s":"ETHBTC","c":"x","X":"NEW","i":1,"z":"0"}}`)
	c.send(t, `{"subscriptionId":7,"event":{"e":"balanceUpdate","E":1,"a":"USDT","d":"100.50000000","T":1}}`)
	c.send(t, `{"subscriptionId":7,"event":{"e":"balanceUpdate","E":1,"a":"USDT","d":"-0.25000000","T":1}}`)
	c.send(t, `{"subscriptionId":7,"event":`+usExecTrade+`}`)
	c.send(t, `{"subscriptionId":7,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[{"a":"ETH","f":"10000.000000","l":"0.12345678"}]}}`)
	r.sink.wait(t, 3)

	r.sink.mu.Lock()
	defer r.sink.mu.Unlock()
	if len(r.sink.updates) != 2 {
		t.Fatalf("updates %+v: want the NEW and the TRADE of ETH-USD only", r.sink.updates)
	}
	n := r.sink.updates[0]
	if n.Symbol != "ETH-USD" || n.ClientID != "mUvoqJxFIILMdfAW5iGSOW" || n.OrderID != 4293153 || n.Status != StatusNew ||
		!n.Executed.IsZero() || n.Trade != nil || n.Reason != "" || !n.Time.Equal(time.UnixMilli(1499405658658)) {
		t.Fatalf("NEW report read as %+v", n)
	}
	tr := r.sink.updates[1]
	want := Trade{ID: 77, Symbol: "ETH-USD", ClientID: "mUvoqJxFIILMdfAW5iGSOW", OrderID: 4293153, Side: venue.Buy,
		Quantity: money.MustParse("0.25"), Price: money.MustParse("0.102644"), Fee: money.MustParse("0.00002566"),
		FeeAsset: "USDT", Maker: true, Time: time.UnixMilli(1499405658690)}
	if tr.Status != StatusPartiallyFilled || tr.Executed != money.MustParse("0.25") || tr.Trade == nil || *tr.Trade != want {
		t.Fatalf("TRADE report read as %+v (trade %+v), want trade %+v", tr, tr.Trade, want)
	}
	if len(r.sink.balances) != 1 || r.sink.balances[0][0] != (Balance{Asset: "ETH", Free: money.MustParse("10000"), Locked: money.MustParse("0.12345678")}) {
		t.Fatalf("balances %+v", r.sink.balances)
	}
	if ext := r.us.External(); len(ext) != 1 || ext["USDT"] != money.MustParse("100.25") {
		t.Fatalf("external changes %v, want USDT 100.25", ext)
	}
}

func TestUserStreamCancelReportNamesTheOriginalOrder(t *testing.T) {
	f := userFields{}
	ev := `{"e":"executionReport","E":5,"s":"BTCUSDT","c":"cancel-req-1","C":"t-ours-9","S":"SELL","x":"CANCELED",
"X":"CANCELED","r":"NONE","i":12,"z":"0.10000000","T":5,"t":-1}`
	if err := json.Unmarshal([]byte(ev), &f); err != nil {
		t.Fatal(err)
	}
	up, ours, err := userExecutionReport(SymbolMap{Quote: "USDT"}, f)
	if err != nil || !ours || up.ClientID != "t-ours-9" || up.Status != StatusCanceled || up.Executed != money.MustParse("0.1") {
		t.Fatalf("cancel read as %+v, ours %v, err %v", up, ours, err)
	}
	f["X"], f["x"], f["r"] = json.RawMessage(`"REJECTED"`), json.RawMessage(`"REJECTED"`), json.RawMessage(`"INSUFFICIENT_BALANCES"`)
	up, _, _ = userExecutionReport(SymbolMap{Quote: "USDT"}, f)
	if up.Status != StatusRejected || up.Reason != "INSUFFICIENT_BALANCES" {
		t.Fatalf("reject read as %+v", up)
	}
	f["x"], f["l"], f["L"] = json.RawMessage(`"TRADE"`), json.RawMessage(`1e-3`), json.RawMessage(`"1"`)
	if _, _, err := userExecutionReport(SymbolMap{Quote: "USDT"}, f); err == nil {
		t.Fatal("a quantity sent as a JSON number was accepted: decimals are strings, read exactly")
	}
}

func TestUserStreamErrorAnswerIsAClassifiedError(t *testing.T) {
	for _, tc := range []struct {
		code int
		msg  string
		want string
	}{
		{-1021, "Timestamp for this request is outside of the recvWindow.", "clock: "},
		{-2015, "Invalid API-key, IP, or permissions for action.", "auth: "},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			usLeakCheck(t)
			var logs bytes.Buffer
			r := startUserStream(t, func(c *UserStreamConfig) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
			c := r.srv.next(t)
			c.send(t, fmt.Sprintf(`{"id":%q,"status":400,"error":{"code":%d,"msg":%q}}`, c.req["id"], tc.code, tc.msg))
			r.srv.next(t) // it gave up on the refused subscription and dials again
			h := r.us.Health(r.clock.now())
			if h.Level != Unhealthy || !strings.Contains(h.Reason, tc.want) || !strings.Contains(h.Reason, fmt.Sprint(tc.code)) {
				t.Fatalf("health %+v: want UNHEALTHY saying %q and the code", h, tc.want)
			}
			if len(r.connected) != 0 {
				t.Fatal("OnConnect was called for a refused subscription")
			}
			r.stop()
			if out := logs.String() + h.Reason; !strings.Contains(out, "refused") ||
				strings.Contains(out, "key-abc") || strings.Contains(out, "secret-xyz") {
				t.Fatalf("the log and health must tell the refusal without the key or secret:\n%s", out)
			}
			r.sink.mu.Lock()
			defer r.sink.mu.Unlock()
			if len(r.sink.updates)+len(r.sink.balances) != 0 {
				t.Fatal("the error answer reached the sink as an event")
			}
		})
	}
}

func TestUserStreamReconnectsAndResubscribes(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, c *usConn)
	}{
		{"terminated", func(t *testing.T, c *usConn) {
			c.send(t, `{"subscriptionId":3,"event":{"e":"eventStreamTerminated","E":1}}`)
		}},
		{"dropped", func(t *testing.T, c *usConn) { c.ws.Close() }},
		{"silent", func(t *testing.T, c *usConn) { c.mute.Store(true) }}, // says nothing, answers no ping
		{"unreadable execution report", func(t *testing.T, c *usConn) {
			c.send(t, `{"subscriptionId":3,"event":{"e":"executionReport","s":"BTCUSDT","i":1,"z":0.5,"E":1}}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			usLeakCheck(t)
			r := startUserStream(t, func(c *UserStreamConfig) { c.Silence = 300 * time.Millisecond })
			c := r.srv.next(t)
			c.answerOK(t, 3)
			r.waitConnected(t)
			tc.end(t, c)
			c2 := r.srv.next(t)
			c2.answerOK(t, 4)
			r.waitConnected(t) // OnConnect again: the session reconciles
			if n := r.us.Reconnects(); n != 1 {
				t.Fatalf("reconnects %d, want 1", n)
			}
			h := r.us.Health(r.clock.now())
			if h.Level != Healthy || !strings.Contains(h.Reason, "1 reconnects") {
				t.Fatalf("health after the reconnect %+v", h)
			}
			// The old socket is closed by the client, not left open.
			select {
			case <-c.closed:
			case <-time.After(10 * time.Second):
				t.Fatal("the abandoned socket stayed open")
			}
		})
	}
}

// The subscription's answer is lost on a socket that stays lively (it
// answers our pings): the stream gives the socket up when the answer is
// overdue and subscribes on a new one, rather than waiting on the old one
// for ever, unsubscribed, while every pong pushed its deadline on. (Seen
// against the rehearsal venue: a subscribe sent while the user data was
// silenced was never answered, and the stream stayed "not subscribed".)
func TestUserStreamRedialsWhenTheSubscribeAnswerIsLost(t *testing.T) {
	usLeakCheck(t)
	r := startUserStream(t, func(c *UserStreamConfig) {
		c.Silence, c.SubscribeTimeout = 200*time.Millisecond, 600*time.Millisecond
	})
	r.srv.next(t) // never answered; it answers our pings all along
	select {
	case c := <-r.srv.conns:
		c.answerOK(t, 2)
	case <-time.After(5 * time.Second):
		t.Fatalf("no new subscription 5s after an unanswered one (subscribe timeout 600ms); health %+v", r.us.Health(r.clock.now()))
	}
	r.waitConnected(t)
	if h := r.us.Health(r.clock.now()); h.Level != Healthy || !strings.Contains(h.Reason, "1 reconnects") ||
		!strings.Contains(h.Reason, "subscribe: no answer") {
		t.Fatalf("health after the second subscription %+v", h)
	}
}

// A quiet account sends nothing for long stretches, and the venue pings
// only every 20 s: our own pings, answered, keep a healthy socket open.
func TestUserStreamQuietButAnsweringSocketStaysOpen(t *testing.T) {
	usLeakCheck(t)
	r := startUserStream(t, func(c *UserStreamConfig) { c.Silence = 200 * time.Millisecond })
	c := r.srv.next(t)
	c.answerOK(t, 1)
	r.waitConnected(t)
	time.Sleep(10 * 200 * time.Millisecond) // ten silence windows without a message
	select {
	case <-r.srv.conns:
		t.Fatal("a quiet socket that answers pings was redialled")
	default:
	}
	if n := r.us.Reconnects(); n != 0 {
		t.Fatalf("reconnects %d on a quiet socket", n)
	}
}

func TestUserStreamPingsKeepASocketAlive(t *testing.T) {
	usLeakCheck(t)
	r := startUserStream(t, func(c *UserStreamConfig) { c.Silence = 400 * time.Millisecond })
	c := r.srv.next(t)
	c.answerOK(t, 1)
	r.waitConnected(t)
	// Pings only, for several silence windows: each one counts as life.
	for range 25 {
		if err := c.ws.WriteControl(websocket.PingMessage, []byte("hb"), time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond)
	}
	select {
	case <-r.srv.conns:
		t.Fatal("a socket answering pings was taken for silent")
	default:
	}
	if c.pongs.Load() == 0 {
		t.Fatal("pings were not answered")
	}
}

func TestUserStreamHealthJudgesFreshness(t *testing.T) {
	usLeakCheck(t)
	r := startUserStream(t, func(c *UserStreamConfig) { c.Silence = 2 * time.Second })
	if h := r.us.Health(r.clock.now()); h.Level == Healthy {
		t.Fatalf("healthy before any subscription: %+v", h)
	}
	c := r.srv.next(t)
	c.answerOK(t, 1)
	r.waitConnected(t)
	t0 := r.clock.now()
	for _, tc := range []struct {
		age  time.Duration
		want Level
	}{{time.Second, Healthy}, {3 * time.Second, Degraded}, {5 * time.Second, Unhealthy}} {
		if h := r.us.Health(t0.Add(tc.age)); h.Level != tc.want || !h.LastProgress.Equal(t0) {
			t.Fatalf("after %v without a message: %+v, want level %d", tc.age, h, tc.want)
		}
	}
	r.clock.add(10 * time.Second)
	c.send(t, `{"subscriptionId":1,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[]}}`)
	r.sink.wait(t, 1)
	if h := r.us.Health(r.clock.now()); h.Level != Healthy {
		t.Fatalf("a message did not refresh the stream: %+v", h)
	}
}

// usLeakCheck checks for leaked goroutines after every cleanup of the test
// (cleanups run last registered first, so this one runs last).
func usLeakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}
