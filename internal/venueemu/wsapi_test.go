package venueemu

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	binance "github.com/adshao/go-binance/v2"
	"github.com/adshao/go-binance/v2/common"
	"github.com/gorilla/websocket"
)

// subscribeMsg is a userDataStream.subscribe.signature request signed as
// the docs say: HMAC-SHA256 of the params sorted by name.
func subscribeMsg(key, secret string, ts int64) []byte {
	v := url.Values{"apiKey": {key}, "timestamp": {strconv.FormatInt(ts, 10)}}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(v.Encode()))
	b, _ := json.Marshal(map[string]any{"id": "sub-1", "method": "userDataStream.subscribe.signature",
		"params": map[string]any{"apiKey": key, "timestamp": ts, "signature": hex.EncodeToString(m.Sum(nil))}})
	return b
}

// wsMsg is a WS API message as a client reads it: an answer or an event.
type wsMsg struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
	Result struct {
		SubscriptionID *int64 `json:"subscriptionId"`
	} `json:"result"`
	Error *struct {
		Code int64  `json:"code"`
		Msg  string `json:"msg"`
	} `json:"error"`
	SubscriptionID *int64 `json:"subscriptionId"`
	// Every key of the event that differs from another only in case is
	// named, or encoding/json, which matches keys case-insensitively,
	// fills one field with the other's value.
	Event struct {
		Type       string `json:"e"`
		Time       int64  `json:"E"`
		Client     string `json:"c"`
		OrigClient string `json:"C"`
		Exec       string `json:"x"`
		Status     string `json:"X"`
		TradeID    int64  `json:"t"`
		TradeTime  int64  `json:"T"`
	} `json:"event"`
}

func readWS(t *testing.T, ws *websocket.Conn) wsMsg {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var m wsMsg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

// subscribe opens a WS API socket with a user data subscription.
func subscribe(t *testing.T, e *Emulator) *websocket.Conn {
	t.Helper()
	ws := dial(t, e.WSURL()+"/ws-api/v3")
	if err := ws.WriteMessage(websocket.TextMessage, subscribeMsg(testKey, testSecret, time.Now().UnixMilli())); err != nil {
		t.Fatal(err)
	}
	if m := readWS(t, ws); m.Status != 200 || m.ID != "sub-1" || m.Result.SubscriptionID == nil {
		t.Fatalf("subscribe answer %+v", m)
	}
	return ws
}

func TestUserDataSubscriptionChecksItsSignature(t *testing.T) {
	e := start(t, Config{})
	now := time.Now().UnixMilli()
	for _, tc := range []struct {
		name        string
		key, secret string
		ts          int64
		code        int64
	}{
		{"bad signature", testKey, "wrong", now, -1022},
		{"bad key", "wrong", testSecret, now, -2015},
		{"stale timestamp", testKey, testSecret, now - 60_000, -1021},
	} {
		ws := dial(t, e.WSURL()+"/ws-api/v3")
		if err := ws.WriteMessage(websocket.TextMessage, subscribeMsg(tc.key, tc.secret, tc.ts)); err != nil {
			t.Fatal(err)
		}
		if m := readWS(t, ws); m.Status == 200 || m.Error == nil || m.Error.Code != tc.code {
			t.Errorf("%s: answer %+v, want code %d", tc.name, m, tc.code)
		}
	}
	ws := subscribe(t, e)
	// One subscription per connection.
	if err := ws.WriteMessage(websocket.TextMessage, subscribeMsg(testKey, testSecret, now)); err != nil {
		t.Fatal(err)
	}
	if m := readWS(t, ws); m.Status == 200 {
		t.Errorf("second subscription on one socket accepted: %+v", m)
	}
}

// TestGoBinanceUserDataStream: go-binance's own subscriber
// (WsUserDataServeSignature) receives and parses the execution reports and
// account positions of an order, with the trade ids of the REST answer.
func TestGoBinanceUserDataStream(t *testing.T) {
	e := start(t, Config{})
	old := binance.BaseWsApiMainURL
	binance.BaseWsApiMainURL = e.WSURL() + "/ws-api/v3" // a package global: no parallel tests here
	defer func() { binance.BaseWsApiMainURL = old }()
	events := make(chan *binance.WsUserDataEvent, 64)
	done, stop, err := binance.WsUserDataServeSignature(testKey, testSecret, common.KeyTypeHmac, 0,
		func(ev *binance.WsUserDataEvent) { events <- ev }, func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { close(stop); _ = e.Close(); <-done }() // go-binance closes its socket only on a read error
	waitSubscribed(t, e)

	c := client(t, e, testKey, testSecret)
	_, ask := touch(t, c, "BTCUSDT")
	placed, err := c.NewCreateOrderService().Symbol("BTCUSDT").Side(binance.SideTypeBuy).Type(binance.OrderTypeLimit).
		TimeInForce(binance.TimeInForceTypeGTC).Quantity("0.01").Price(ask.String()).NewClientOrderID("ws-1").Do(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var execs []binance.WsOrderUpdate
	var account *binance.WsAccountUpdateList
	for account == nil {
		select {
		case ev := <-events:
			switch ev.Event {
			case binance.UserDataEventTypeExecutionReport:
				execs = append(execs, ev.OrderUpdate)
			case binance.UserDataEventTypeOutboundAccountPosition:
				account = &ev.AccountUpdate
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no account position; reports %+v", execs)
		}
	}
	if len(execs) != 1+len(placed.Fills) || execs[0].ExecutionType != "NEW" || execs[0].ClientOrderId != "ws-1" || execs[0].Id != placed.OrderID {
		t.Fatalf("reports %+v for %+v", execs, placed)
	}
	for i, f := range placed.Fills {
		u := execs[1+i]
		if u.ExecutionType != "TRADE" || u.TradeId != f.TradeID || u.LatestVolume != f.Quantity || u.LatestPrice != f.Price ||
			u.FeeCost != f.Commission || u.FeeAsset != "USDT" {
			t.Errorf("report %+v, fill %+v", u, f)
		}
	}
	if last := execs[len(execs)-1]; last.Status != "FILLED" || last.FilledVolume != "0.01000000" {
		t.Errorf("last report %+v", last)
	}
	assets := map[string]string{}
	for _, b := range account.WsAccountUpdates {
		assets[b.Asset] = b.Free
	}
	if assets["BTC"] != "1.01000000" || assets["USDT"] == "" {
		t.Errorf("account position %+v", account)
	}
}

func waitSubscribed(t *testing.T, e *Emulator) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.ex.mu.Lock()
		n := len(e.ex.userSubs)
		e.ex.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no subscription")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestUserStreamTellsOfLocksAndCancels: a resting order's NEW comes with
// the account position of the funds it holds; its cancel names the order
// in C and the cancel request in c, as the docs describe.
func TestUserStreamTellsOfLocksAndCancels(t *testing.T) {
	e := start(t, Config{})
	user := subscribe(t, e)
	c := client(t, e, testKey, testSecret)
	bid, _ := touch(t, c, "BTCUSDT")
	low := bid.Sub(bid.MulBps(100)).FloorTo(dm("0.01"))
	if _, err := limitOrder(c, binance.SideTypeBuy, "0.01", low, "lock-1").Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := readEvents(t, user, 2)
	if got[0].Event.Exec != "NEW" || got[1].Event.Type != "outboundAccountPosition" {
		t.Fatalf("after placing: %+v", got)
	}
	if b, status, _ := signedDo(t, e, "DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=lock-1&newClientOrderId=cx-1"); status != 200 {
		t.Fatalf("cancel: %d %s", status, b)
	}
	got = readEvents(t, user, 2)
	if ev := got[0].Event; ev.Exec != "CANCELED" || ev.Status != "CANCELED" || ev.OrigClient != "lock-1" || ev.Client != "cx-1" {
		t.Fatalf("cancel report %+v", ev)
	}
	if got[1].Event.Type != "outboundAccountPosition" {
		t.Fatalf("after the cancel: %+v", got[1])
	}
}
