package venueemu

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	binance "github.com/adshao/go-binance/v2"
	"github.com/gorilla/websocket"
)

// crossingBuy places a buy that fills at once.
func crossingBuy(t *testing.T, c *binance.Client, id string) *binance.CreateOrderResponse {
	t.Helper()
	_, ask := touch(t, c, "BTCUSDT")
	o, err := limitOrder(c, binance.SideTypeBuy, "0.01", ask, id).Do(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// readEvents reads WS API messages until n are events.
func readEvents(t *testing.T, ws *websocket.Conn, n int) []wsMsg {
	t.Helper()
	out := make([]wsMsg, 0, n)
	for len(out) < n {
		m := readWS(t, ws)
		if m.SubscriptionID != nil {
			out = append(out, m)
		}
	}
	return out
}

func execOnly(ms []wsMsg) []wsMsg {
	var out []wsMsg
	for _, m := range ms {
		if m.Event.Type == "executionReport" {
			out = append(out, m)
		}
	}
	return out
}

func TestFaultDropConnections(t *testing.T) {
	e := start(t, Config{Step: 5 * time.Millisecond})
	stream := dial(t, e.WSURL()+"/ws/btcusdt@depth@100ms")
	user := subscribe(t, e)
	readDepth(t, stream, false)
	e.SetFaults(Faults{DropConnections: true})
	for name, ws := range map[string]*websocket.Conn{"stream": stream, "user": user} {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := ws.ReadMessage()
			if err == nil {
				continue // sent before the drop
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s: still open after the drop", name)
			}
			break
		}
	}
	// New connections are served.
	readDepth(t, dial(t, e.WSURL()+"/ws/btcusdt@depth@100ms"), false)
}

func TestFaultSilence(t *testing.T) {
	e := start(t, Config{Step: 5 * time.Millisecond, PingInterval: 5 * time.Millisecond})
	readDepth(t, dial(t, e.WSURL()+"/ws/btcusdt@depth@100ms"), false)
	e.SetFaults(Faults{SilenceStreams: true})
	pings := 0
	stream2 := dial(t, e.WSURL()+"/ws/btcusdt@depth@100ms")
	stream2.SetPingHandler(func(string) error { pings++; return nil })
	_ = stream2.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, msg, err := stream2.ReadMessage()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || pings != 0 {
		t.Fatalf("silenced stream sent %s / %v, %d pings", msg, err, pings)
	}
	e.SetFaults(Faults{})
	readDepth(t, dial(t, e.WSURL()+"/ws/btcusdt@depth@100ms"), false)

	// The user data stream: an order's reports are not delivered, and the
	// client's pings are not answered.
	user := subscribe(t, e)
	pongs := 0
	user.SetPongHandler(func(string) error { pongs++; return nil })
	if err := user.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// ReadMessage returns on data only: a request's answer, which the
	// venue sends after the pong.
	sendWS(t, user, `{"id":"p-1","method":"ping"}`)
	if m := readWS(t, user); m.ID != "p-1" || m.Status != 200 || pongs != 1 {
		t.Fatalf("before the fault: answer %+v, %d pongs", m, pongs)
	}
	e.SetFaults(Faults{SilenceUserData: true})
	if err := user.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	c := client(t, e, testKey, testSecret)
	crossingBuy(t, c, "silent-1")
	_ = user.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, msg, err := user.ReadMessage(); err == nil || pongs != 1 {
		t.Fatalf("silenced user stream sent %s / %d pongs", msg, pongs)
	}
}

func TestFaultDelayAndFailREST(t *testing.T) {
	e := start(t, Config{})
	c := client(t, e, testKey, testSecret)
	ctx := context.Background()
	e.SetFaults(Faults{DelayPath: "/api/v3/time", DelayMillis: 60_000, DelayCount: 1})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err := c.NewServerTimeService().Do(short)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("delayed call: %v, want the client's deadline", err)
	}
	if _, err := c.NewServerTimeService().Do(ctx); err != nil {
		t.Fatalf("the delay outlived its count: %v", err)
	}

	e.SetFaults(Faults{Fail5xx: 1, FailPath: "/api/v3/order"})
	if _, err := c.NewServerTimeService().Do(ctx); err != nil {
		t.Fatalf("a path outside the fault failed: %v", err)
	}
	_, ask := touch(t, c, "BTCUSDT")
	b, status, _ := signedDo(t, e, "POST", "/api/v3/order",
		"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price="+ask.String()+"&newClientOrderId=fail-1")
	if status != 500 || !strings.Contains(string(b), `"code":-1000`) {
		t.Fatalf("failed order: %d %s", status, b)
	}
	if _, err := c.NewGetOrderService().Symbol("BTCUSDT").OrigClientOrderID("fail-1").Do(ctx); apiCode(err) != -2013 {
		t.Fatalf("an order failed with 5xx was executed: %v", err)
	}
	if l := e.Ledger(); len(l.Requests) != 1 || l.Requests[0].Accepted || !strings.HasPrefix(l.Requests[0].Verdict, "HTTP 500") {
		t.Fatalf("ledger %+v", l.Requests)
	}
}

func TestFaultRateLimited(t *testing.T) {
	e := start(t, Config{})
	for _, status := range []int{429, 418} {
		e.SetFaults(Faults{RateLimited: 1, RateLimitStatus: status, RetryAfterSeconds: 7})
		ctx := context.Background()
		b, got, hdr := httpDo(t, ctx, "GET", e.URL()+"/api/v3/time", "", nil)
		if got != status || hdr.Get("Retry-After") != "7" || !strings.Contains(string(b), `"code":-1003`) {
			t.Fatalf("fault %d: %d %s, Retry-After %q", status, got, b, hdr.Get("Retry-After"))
		}
		if _, got, _ := httpDo(t, ctx, "GET", e.URL()+"/api/v3/time", "", nil); got != 200 {
			t.Fatalf("after the fault: %d", got)
		}
	}
}

// TestFaultAcceptThenTimeout: the order executes but its answer never
// comes; asking by client id finds it.
func TestFaultAcceptThenTimeout(t *testing.T) {
	e := start(t, Config{})
	c := client(t, e, testKey, testSecret)
	_, ask := touch(t, c, "BTCUSDT")
	e.SetFaults(Faults{AcceptThenTimeout: 1})
	c.HTTPClient.Timeout = 200 * time.Millisecond
	_, err := limitOrder(c, binance.SideTypeBuy, "0.01", ask, "lost-1").Do(context.Background())
	if err == nil || apiCode(err) != 0 {
		t.Fatalf("withheld answer: %v, want a transport error", err)
	}
	q, err := c.NewGetOrderService().Symbol("BTCUSDT").OrigClientOrderID("lost-1").Do(context.Background())
	if err != nil || q.Status != binance.OrderStatusTypeFilled {
		t.Fatalf("query after the timeout: %+v, %v", q, err)
	}
	if l := e.Ledger(); len(l.Requests) != 1 || !l.Requests[0].Accepted || !l.Requests[0].Withheld {
		t.Fatalf("ledger %+v", l.Requests)
	}
}

func TestFaultDuplicateAndReorderedReports(t *testing.T) {
	e := start(t, Config{})
	c := client(t, e, testKey, testSecret)
	user := subscribe(t, e)

	e.SetFaults(Faults{DuplicateReports: 1})
	o := crossingBuy(t, c, "dup-r")
	// NEW twice, then a TRADE per fill, then the account position.
	got := execOnly(readEvents(t, user, 3+len(o.Fills)))
	if len(got) < 2 || got[0].Event.Exec != "NEW" || got[1].Event.Exec != "NEW" || got[0].Event.Client != "dup-r" {
		t.Fatalf("duplicate fault: reports %+v", got)
	}

	// Limited to fills: the TRADE comes twice, the same trade id.
	e.SetFaults(Faults{DuplicateReports: 1, ReportType: "TRADE"})
	o = crossingBuy(t, c, "dup-t")
	got = execOnly(readEvents(t, user, 3+len(o.Fills)))
	if len(got) < 3 || got[0].Event.Exec != "NEW" || got[1].Event.Exec != "TRADE" || got[2].Event.Exec != "TRADE" ||
		got[1].Event.TradeID != got[2].Event.TradeID || got[1].Event.TradeID != o.Fills[0].TradeID {
		t.Fatalf("duplicate TRADE fault: reports %+v", got)
	}

	e.SetFaults(Faults{ReorderReports: 1})
	o = crossingBuy(t, c, "ord-r")
	got = execOnly(readEvents(t, user, 2+len(o.Fills)))
	if len(got) < 2 || got[0].Event.Exec != "TRADE" || got[1].Event.Exec != "NEW" || got[0].Event.TradeID != o.Fills[0].TradeID {
		t.Fatalf("reorder fault: reports %+v", got)
	}
}

func TestFaultTerminateUserData(t *testing.T) {
	e := start(t, Config{})
	user := subscribe(t, e)
	e.SetFaults(Faults{TerminateUserData: true})
	if m := readWS(t, user); m.SubscriptionID == nil || m.Event.Type != "eventStreamTerminated" {
		t.Fatalf("got %+v, want eventStreamTerminated", m)
	}
	// The subscription is over: the socket hears nothing of a new order,
	// until it subscribes again.
	c := client(t, e, testKey, testSecret)
	crossingBuy(t, c, "after-term")
	if err := user.WriteMessage(websocket.TextMessage, subscribeMsg(testKey, testSecret, time.Now().UnixMilli())); err != nil {
		t.Fatal(err)
	}
	if m := readWS(t, user); m.Status != 200 || m.Result.SubscriptionID == nil {
		t.Fatalf("after termination, got %+v, want the answer to a new subscription", m)
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	e := start(t, Config{})
	ctx := context.Background()
	b, status, _ := httpDo(t, ctx, "POST", e.URL()+"/emulator/faults", `{"fail5xx":2,"depthGaps":1}`, nil)
	if status != 200 || e.Faults().Fail5xx != 2 || e.Faults().DepthGaps != 1 {
		t.Fatalf("POST faults: %d %s, plan %+v", status, b, e.Faults())
	}
	if _, got, _ := httpDo(t, ctx, "GET", e.URL()+"/api/v3/ping", "", nil); got != 500 || e.Faults().Fail5xx != 1 {
		t.Fatalf("ping under the fault: %d, plan %+v", got, e.Faults())
	}
	if _, status, _ := httpDo(t, ctx, "POST", e.URL()+"/emulator/faults", `{"nonsense":1}`, nil); status != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", status)
	}
}
