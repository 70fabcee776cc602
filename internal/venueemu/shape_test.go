package venueemu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The shape test: every message the emulator sends has the keys of
// Binance's documented example of that message (testdata/binance, each
// with its source), with the same JSON types, and no key the example
// lacks, except the few differences listed with their reasons. So the
// emulator cannot drift into a dialect only our adapter understands.

// example reads testdata/binance/name.jsonc without its // comments.
func example(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "binance", name+".jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "// Source: https://github.com/binance/binance-spot-api-docs/") {
		t.Fatalf("%s names no source", name)
	}
	var v any
	if err := json.Unmarshal([]byte(stripComments(string(b))), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// stripComments drops // comments outside strings.
func stripComments(s string) string {
	var out strings.Builder
	for _, line := range strings.Split(s, "\n") {
		in := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '"' && (i == 0 || line[i-1] != '\\') {
				in = !in
			}
			if !in && c == '/' && i+1 < len(line) && line[i+1] == '/' {
				break
			}
			out.WriteByte(c)
		}
		out.WriteByte('\n')
	}
	return out.String()
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameShape compares ours with the documented doc at path. allowed maps a
// path ("symbols.sors") to why it may differ. A null in an example stands
// for an absent value of any type (the docs' "N": null of a report
// without commission).
func sameShape(path string, doc, ours any, allowed map[string]string) []string {
	if doc == nil {
		return nil
	}
	if kind(doc) != kind(ours) {
		return []string{fmt.Sprintf("%s: documented %s, ours %s", path, kind(doc), kind(ours))}
	}
	var bad []string
	switch d := doc.(type) {
	case map[string]any:
		o := ours.(map[string]any)
		for k, dv := range d {
			p := strings.TrimPrefix(path+"."+k, ".")
			ov, ok := o[k]
			if !ok {
				if _, fine := allowed[p]; !fine {
					bad = append(bad, p+": documented, missing")
				}
				continue
			}
			bad = append(bad, sameShape(p, dv, ov, allowed)...)
		}
		for k := range o {
			p := strings.TrimPrefix(path+"."+k, ".")
			if _, ok := d[k]; !ok {
				if _, fine := allowed[p]; !fine {
					bad = append(bad, p+": ours, not documented")
				}
			}
		}
	case []any:
		o := ours.([]any)
		if len(d) == 0 {
			return nil
		}
		for i, ov := range o {
			bad = append(bad, sameShape(fmt.Sprintf("%s[%d]", path, i), d[0], ov, allowed)...)
		}
	}
	sort.Strings(bad)
	return bad
}

func checkShape(t *testing.T, name string, ours []byte, allowed map[string]string) {
	t.Helper()
	for _, b := range sameShape("", example(t, name), decode(t, ours), allowed) {
		t.Errorf("%s: %s", name, b)
	}
}

func TestShapesMatchTheDocumentedExamples(t *testing.T) {
	e := start(t, Config{})
	ctx := context.Background()
	get := func(path string) []byte {
		b, status, _ := httpDo(t, ctx, "GET", e.URL()+path, "", nil)
		if status != 200 {
			t.Fatalf("GET %s: %d %s", path, status, b)
		}
		return b
	}
	signed := func(method, path, params string) []byte {
		b, status, _ := signedDo(t, e, method, path, params)
		if status != 200 {
			t.Fatalf("%s %s: %d %s", method, path, status, b)
		}
		return b
	}
	none := map[string]string{}
	checkShape(t, "ping", get("/api/v3/ping"), none)
	checkShape(t, "time", get("/api/v3/time"), none)
	checkShape(t, "depth", get("/api/v3/depth?symbol=BTCUSDT&limit=5"), none)
	checkShape(t, "avgPrice", get("/api/v3/avgPrice?symbol=BTCUSDT"), none)
	checkShape(t, "rest-error", func() []byte {
		b, _, _ := httpDo(t, ctx, "GET", e.URL()+"/api/v3/depth?symbol=NOPE", "", nil)
		return b
	}(), none)

	// exchangeInfo: the example's rateLimits and filters are
	// placeholders; each entry is checked against its own example.
	info := decode(t, get("/api/v3/exchangeInfo?symbol=BTCUSDT")).(map[string]any)
	doc := example(t, "exchangeInfo").(map[string]any)
	doc["rateLimits"] = []any{example(t, "rateLimit")}
	for _, b := range sameShape("", doc, info, map[string]string{
		"sors": "optional: present only where SOR is available",
	}) {
		t.Errorf("exchangeInfo: %s", b)
	}
	filters := info["symbols"].([]any)[0].(map[string]any)["filters"].([]any)
	if len(filters) != 6 {
		t.Errorf("filters %v", filters)
	}
	for _, f := range filters {
		name := f.(map[string]any)["filterType"].(string)
		for _, b := range sameShape("filters", example(t, "filter-"+name), f, none) {
			t.Errorf("exchangeInfo filter %s: %s", name, b)
		}
	}

	user := subscribe(t, e)
	c := client(t, e, testKey, testSecret)
	bid, ask := touch(t, c, "BTCUSDT")
	order := func(resp, id string, price fmt.Stringer) []byte {
		return signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price="+
			price.String()+"&newOrderRespType="+resp+"&newClientOrderId="+id)
	}
	low := bid.Sub(bid.MulBps(100)).FloorTo(dm("0.01"))
	checkShape(t, "order-ack", order("ACK", "s-ack", low), none)
	checkShape(t, "order-result", order("RESULT", "s-result", low), none)
	full := order("FULL", "s-full", ask)
	checkShape(t, "order-full", full, none)
	checkShape(t, "query-order", signed("GET", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=s-full"), none)
	checkShape(t, "openOrders", signed("GET", "/api/v3/openOrders", "symbol=BTCUSDT"), none)
	checkShape(t, "cancel", signed("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=s-ack"), none)
	checkShape(t, "account", signed("GET", "/api/v3/account", ""), none)
	checkShape(t, "myTrades", signed("GET", "/api/v3/myTrades", "symbol=BTCUSDT"), none)

	// The user data stream saw all of it: NEW, TRADE and CANCELED reports
	// and account positions.
	seen := map[string]bool{}
	for !(seen["NEW"] && seen["TRADE"] && seen["CANCELED"] && seen["outboundAccountPosition"]) {
		_ = user.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := user.ReadMessage()
		if err != nil {
			t.Fatalf("user stream: %v; seen %v", err, seen)
		}
		ev := decode(t, b).(map[string]any)["event"].(map[string]any)
		switch ev["e"] {
		case "executionReport":
			seen[ev["x"].(string)] = true
			checkShape(t, "executionReport", b, map[string]string{
				"event.v": "conditional: only for an order expired by self-trade prevention, which the emulator has not",
			})
		case "outboundAccountPosition":
			seen["outboundAccountPosition"] = true
			checkShape(t, "outboundAccountPosition", b, none)
		}
	}
	sendWS(t, user, `{"id":"u-1","method":"userDataStream.unsubscribe"}`)
	var term, ans []byte
	for term == nil || ans == nil {
		_, b, err := user.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		switch m := decode(t, b).(map[string]any); {
		case m["id"] == "u-1":
			ans = b
		case m["event"] != nil && m["event"].(map[string]any)["e"] == "eventStreamTerminated":
			term = b
		}
	}
	checkShape(t, "eventStreamTerminated", term, none)

	ws := dial(t, e.WSURL()+"/ws-api/v3")
	sendWS(t, ws, string(subscribeMsg(testKey, testSecret, time.Now().UnixMilli())))
	rateLimits := map[string]string{"rateLimits": "documented in the WS API's response format: sent unless returnRateLimits is false"}
	checkShape(t, "ws-subscribe-signature", readRaw(t, ws), rateLimits)
	sendWS(t, ws, string(subscribeMsg(testKey, "wrong", time.Now().UnixMilli())))
	checkShape(t, "ws-error", readRaw(t, ws), none)

	stream := dial(t, e.WSURL()+"/ws/btcusdt@depth")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		e.ex.mu.Lock()
		n := len(e.ex.depthSubs)
		e.ex.mu.Unlock()
		if n == 1 || time.Now().After(deadline) {
			break // the socket is registered once its handler runs, after the handshake
		}
	}
	e.ex.mu.Lock()
	e.ex.step(ctx, time.Now().Add(time.Hour)) // move the market: the hour-long step is not due yet
	e.ex.mu.Unlock()
	checkShape(t, "depthUpdate", readRaw(t, stream), none)
}

func sendWS(t *testing.T, ws *websocket.Conn, msg string) {
	t.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

func readRaw(t *testing.T, ws *websocket.Conn) []byte {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
