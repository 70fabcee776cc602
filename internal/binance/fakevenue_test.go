package binance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeVenue is a scripted Binance REST server for the order path's tests:
// it checks signatures and timestamps as the venue does, counts every
// POST per client id, and answers each POST by the next step of a plan.
type fakeVenue struct {
	t           *testing.T
	srv         *httptest.Server
	key, secret string
	skew        time.Duration // the venue's clock runs at local + skew

	mu       sync.Mutex
	posts    map[string]int // POST /api/v3/order per client id
	queries  []time.Time    // when each GET /api/v3/order arrived
	requests int            // every request that reached the server
	orders   map[string]string
	plan     []step           // answers for the next POSTs, in order
	onQuery  func(n int) step // optional: answers the n-th query (from 1)
	headers  map[string]string
	badSigs  int
	arrived  chan string // a POST's client id, once it is in
}

// step is the venue's answer to one request.
type step struct {
	status     int    // an error status; 0 answers success
	code       int64  // the error's code
	msg        string // the error's message
	retryAfter string
	accept     bool // record the order (also when the answer is an error or never comes)
	hang       bool // give no answer until the client gives up
	fills      string
}

const testKey, testSecret = "test-api-key-1", "test-secret-1"

func newFakeVenue(t *testing.T) *fakeVenue {
	f := &fakeVenue{t: t, key: testKey, secret: testSecret, posts: map[string]int{}, orders: map[string]string{},
		headers: map[string]string{}, arrived: make(chan string, 64)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// config is a REST config for this venue, with its own transport so that a
// test can close the connections before checking for leaks.
func (f *fakeVenue) config(timeout time.Duration, rw time.Duration) (Config, *http.Transport) {
	tr := &http.Transport{}
	return Config{Endpoints: EmulatorEndpoints(f.srv.URL), Env: "test", RecvWindow: rw,
		Keys:       Keys{APIKey: NewSecret(f.key), Secret: NewSecret(f.secret)},
		HTTPClient: &http.Client{Timeout: timeout, Transport: tr}}, tr
}

func (f *fakeVenue) close(tr *http.Transport) {
	tr.CloseIdleConnections()
	f.srv.Close()
}

func (f *fakeVenue) postsOf(cid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts[cid]
}

func (f *fakeVenue) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	for k, v := range f.headers {
		w.Header().Set(k, v)
	}
	f.mu.Unlock()
	f.mu.Lock()
	now := time.Now().Add(f.skew)
	f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/v3/time":
		fmt.Fprintf(w, `{"serverTime":%d}`, now.UnixMilli())
		return
	case r.URL.Path == "/api/v3/exchangeInfo":
		io.WriteString(w, exchangeInfoJSON)
		return
	case r.URL.Path != "/api/v3/order":
		http.NotFound(w, r)
		return
	}
	form, ok := f.verify(w, r, now)
	if !ok {
		return
	}
	cid := form.Get("newClientOrderId")
	if r.Method != http.MethodPost {
		cid = form.Get("origClientOrderId")
	}
	f.mu.Lock()
	var s step
	switch r.Method {
	case http.MethodPost:
		if len(f.plan) > 0 {
			s, f.plan = f.plan[0], f.plan[1:]
		} else {
			s = step{accept: true}
		}
		if s.accept {
			f.orders[cid] = form.Get("symbol")
		}
	case http.MethodGet:
		f.queries = append(f.queries, time.Now())
		if f.onQuery != nil {
			s = f.onQuery(len(f.queries))
			if s.accept {
				f.orders[cid] = form.Get("symbol")
			}
		}
	}
	_, known := f.orders[cid]
	f.mu.Unlock()
	if r.Method == http.MethodPost {
		select {
		case f.arrived <- cid:
		default:
		}
	}
	if s.hang {
		<-r.Context().Done()
		return
	}
	if s.status != 0 {
		f.fail(w, s)
		return
	}
	switch r.Method {
	case http.MethodPost:
		fmt.Fprintf(w, `{"symbol":"BTCUSDT","orderId":7,"orderListId":-1,"clientOrderId":%q,"transactTime":%d,"price":"100.00000000","origQty":"0.50000000","executedQty":"%s","cummulativeQuoteQty":"0","status":"%s","timeInForce":"GTC","type":"LIMIT","side":"BUY","fills":[%s]}`,
			cid, now.UnixMilli(), map[bool]string{true: "0.50000000", false: "0.00000000"}[s.fills != ""],
			map[bool]string{true: "FILLED", false: "NEW"}[s.fills != ""], s.fills)
	case http.MethodGet, http.MethodDelete:
		if !known {
			code, msg := int64(-2013), "Order does not exist."
			if r.Method == http.MethodDelete {
				code, msg = -2011, "Unknown order sent."
			}
			f.fail(w, step{status: 400, code: code, msg: msg})
			return
		}
		st := map[string]string{http.MethodGet: "NEW", http.MethodDelete: "CANCELED"}[r.Method]
		fmt.Fprintf(w, `{"symbol":"BTCUSDT","orderId":7,"orderListId":-1,"clientOrderId":%q,"origClientOrderId":%q,"price":"100.00000000","origQty":"0.50000000","executedQty":"0.00000000","cummulativeQuoteQty":"0","status":%q,"timeInForce":"GTC","type":"LIMIT","side":"BUY","time":%d,"updateTime":%d,"transactTime":%d}`,
			cid, cid, st, now.UnixMilli(), now.UnixMilli(), now.UnixMilli())
	}
}

func (f *fakeVenue) fail(w http.ResponseWriter, s step) {
	if s.retryAfter != "" {
		w.Header().Set("Retry-After", s.retryAfter)
	}
	w.WriteHeader(s.status)
	fmt.Fprintf(w, `{"code":%d,"msg":%q}`, s.code, s.msg)
}

// verify checks a signed request as the venue does: the key header, the
// HMAC-SHA256 of the query (without the signature) plus the body, and the
// timestamp within recvWindow of the venue's clock.
func (f *fakeVenue) verify(w http.ResponseWriter, r *http.Request, now time.Time) (url.Values, bool) {
	body, _ := io.ReadAll(r.Body)
	raw := r.URL.RawQuery
	i := strings.LastIndex(raw, "signature=")
	if i < 0 || r.Header.Get("X-MBX-APIKEY") != f.key {
		f.fail(w, step{status: 401, code: -2015, msg: "Invalid API-key, IP, or permissions for action."})
		return nil, false
	}
	signed, sig := strings.TrimSuffix(raw[:i], "&"), raw[i+len("signature="):]
	mac := hmac.New(sha256.New, []byte(f.secret))
	mac.Write([]byte(signed + string(body)))
	if !hmac.Equal([]byte(sig), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		f.mu.Lock()
		f.badSigs++
		f.mu.Unlock()
		f.fail(w, step{status: 400, code: -1022, msg: "Signature for this request is not valid."})
		return nil, false
	}
	q, _ := url.ParseQuery(signed)
	b, _ := url.ParseQuery(string(body))
	for k, v := range b {
		q[k] = v
	}
	if r.Method == http.MethodPost { // it reached the venue, whatever the verdict
		f.mu.Lock()
		f.posts[q.Get("newClientOrderId")]++
		f.mu.Unlock()
	}
	ts, err1 := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	rw, err2 := strconv.ParseInt(q.Get("recvWindow"), 10, 64)
	if err1 != nil || err2 != nil {
		f.fail(w, step{status: 400, code: -1102, msg: "Mandatory parameter 'timestamp' or 'recvWindow' was not sent."})
		return nil, false
	}
	if ts > now.UnixMilli()+1000 || now.UnixMilli()-ts > rw {
		f.fail(w, step{status: 400, code: -1021, msg: "Timestamp for this request is outside of the recvWindow."})
		return nil, false
	}
	return q, true
}

const exchangeInfoJSON = `{"timezone":"UTC","serverTime":1764480000000,
"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},
 {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50},
 {"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000},
 {"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":61000}],
"exchangeFilters":[],
"symbols":[{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","isSpotTradingAllowed":true,
 "orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],
 "filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
  {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
  {"filterType":"ICEBERG_PARTS","limit":10},
  {"filterType":"MARKET_LOT_SIZE","minQty":"0.00000000","maxQty":"83.50000000","stepSize":"0.00000000"},
  {"filterType":"TRAILING_DELTA","minTrailingAboveDelta":10,"maxTrailingAboveDelta":2000,"minTrailingBelowDelta":10,"maxTrailingBelowDelta":2000},
  {"filterType":"PERCENT_PRICE_BY_SIDE","bidMultiplierUp":"5","bidMultiplierDown":"0.2","askMultiplierUp":"5","askMultiplierDown":"0.2","avgPriceMins":5},
  {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5},
  {"filterType":"MAX_NUM_ORDERS","maxNumOrders":200},
  {"filterType":"MAX_NUM_ALGO_ORDERS","maxNumAlgoOrders":5}]},
 {"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","quoteAsset":"BTC","isSpotTradingAllowed":true,"filters":[]},
 {"symbol":"OLDUSDT","status":"BREAK","baseAsset":"OLD","quoteAsset":"USDT","isSpotTradingAllowed":true,
  "filters":[{"filterType":"MIN_NOTIONAL","minNotional":"10.00000000","applyToMarket":true,"avgPriceMins":5}]}]}`
