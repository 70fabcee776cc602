package binance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

var testOrder = OrderRequest{ClientID: "t1-a", Spec: venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit,
	TIF: venue.GTC, Quantity: money.MustParse("0.5"), Price: money.MustParse("100")}}

func newTestREST(t *testing.T, f *fakeVenue, timeout, rw time.Duration) (*REST, func()) {
	cfg, tr := f.config(timeout, rw)
	r, err := NewREST(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, func() { f.close(tr) }
}

func apiErr(t *testing.T, err error) *APIError {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return ae
}

// A venue whose clock is 3 s ahead refuses our timestamps until the clock
// is synced and its offset used: then the same request, signed, passes.
func TestRESTSignsWithTheClockOffset(t *testing.T) {
	f := newFakeVenue(t)
	f.skew = 3 * time.Second
	r, done := newTestREST(t, f, 5*time.Second, time.Second)
	defer done()
	ctx := context.Background()

	_, err := r.Place(ctx, testOrder)
	if Classify(err) != ClassClock {
		t.Fatalf("unsynced place: %v, want a clock error (-1021)", err)
	}
	c := NewClock(r, Config{RecvWindow: time.Second})
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if off := c.Offset(); off < 2500*time.Millisecond || off > 3500*time.Millisecond {
		t.Fatalf("measured offset %s, want about 3s", off)
	}
	r.UseClock(c)
	u, err := r.Place(ctx, OrderRequest{ClientID: "t1-b", Spec: testOrder.Spec})
	if err != nil {
		t.Fatalf("synced place: %v", err)
	}
	if u.ClientID != "t1-b" || u.Symbol != "BTC-USD" || u.Status != StatusNew || u.OrderID != 7 {
		t.Fatalf("update %+v", u)
	}

	wrong, err := NewREST(Config{Endpoints: r.cfg.Endpoints, RecvWindow: time.Second, HTTPClient: r.cfg.HTTPClient,
		Keys: Keys{APIKey: NewSecret(testKey), Secret: NewSecret("another-secret")}})
	if err != nil {
		t.Fatal(err)
	}
	wrong.UseClock(c)
	if _, err := wrong.Query(ctx, "BTC-USD", "t1-b"); Classify(err) != ClassAuth {
		t.Fatalf("a request signed with another secret: %v, want an auth error", err)
	}
}

// The clock's offset changes while requests run: go-binance reads it with
// no lock, so it is never written under a reader; and it writes the weight
// headers it knows into the client without a lock, so the limiter hides
// them from it (go test -race).
func TestRESTOffsetChangesRaceFree(t *testing.T) {
	f := newFakeVenue(t)
	f.headers["X-MBX-USED-WEIGHT-1M"] = "10" // go-binance would store it unlocked
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	var off offsetFunc
	r.UseClock(&off)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 10 {
				off.set(time.Duration(i*10+j) * time.Millisecond)
				if _, err := r.Query(context.Background(), "BTC-USD", "nope"); Classify(err) != ClassNotFound {
					t.Errorf("query: %v", err)
				}
				if _, err := r.ServerTime(context.Background()); err != nil {
					t.Errorf("time: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

type offsetFunc struct {
	mu sync.Mutex
	d  time.Duration
}

func (o *offsetFunc) set(d time.Duration) { o.mu.Lock(); o.d = d; o.mu.Unlock() }
func (o *offsetFunc) Offset() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.d
}

// FULL answers carry the fills made on arrival, each with its trade id,
// parsed exactly.
func TestRESTPlaceFullReturnsTheFills(t *testing.T) {
	f := newFakeVenue(t)
	f.plan = []step{{accept: true, fills: `{"price":"100.01000000","qty":"0.20000000","commission":"0.02000200","commissionAsset":"USDT","tradeId":11},
		{"price":"100.02000000","qty":"0.30000000","commission":"0.00030000","commissionAsset":"BTC","tradeId":12}`}}
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	u, trades, err := r.PlaceFull(context.Background(), testOrder)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != StatusFilled || u.Executed != money.MustParse("0.5") {
		t.Fatalf("update %+v", u)
	}
	if len(trades) != 2 || trades[0].ID != 11 || trades[1].ID != 12 || trades[0].Price != money.MustParse("100.01") ||
		trades[1].Quantity != money.MustParse("0.3") || trades[1].Fee != money.MustParse("0.0003") || trades[1].FeeAsset != "BTC" ||
		trades[0].ClientID != "t1-a" || trades[0].Symbol != "BTC-USD" || trades[0].Side != venue.Buy {
		t.Fatalf("trades %+v", trades)
	}
}

// Every non-2xx answer arrives as *APIError with its HTTP status, which
// go-binance alone would drop.
func TestRESTErrorsCarryTheHTTPStatus(t *testing.T) {
	f := newFakeVenue(t)
	f.plan = []step{{status: 503, code: -1001, msg: "Internal error; unable to process your request. Please try again."},
		{status: 400, code: -2010, msg: "Account has insufficient balance for requested action."}}
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	_, err := r.Place(context.Background(), testOrder)
	if ae := apiErr(t, err); ae.HTTPStatus != 503 || ae.Code != -1001 || Classify(err) != ClassUnknown {
		t.Fatalf("5xx: %+v", ae)
	}
	_, err = r.Place(context.Background(), OrderRequest{ClientID: "t1-b", Spec: testOrder.Spec})
	if ae := apiErr(t, err); ae.HTTPStatus != 400 || ae.Code != -2010 || Classify(err) != ClassRejected {
		t.Fatalf("4xx: %+v", ae)
	}
	_, err = r.Place(context.Background(), OrderRequest{ClientID: "t1-c", Spec: venue.OrderSpec{Symbol: "BTC-EUR"}})
	if Classify(err) != ClassRejected {
		t.Fatalf("an unmappable symbol is a definite refusal, not an unknown outcome: %v", err)
	}
}

func TestRESTExchangeInfo(t *testing.T) {
	f := newFakeVenue(t)
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	rules, limits, err := r.ExchangeInfo(context.Background(), []string{"BTC-USD", "OLD-USD"})
	if err != nil {
		t.Fatal(err)
	}
	d := money.MustParse
	want := Rules{Symbol: "BTC-USD", VenueSymbol: "BTCUSDT", Trading: true,
		Filters:  venue.Filters{TickSize: d("0.01"), LotSize: d("0.00001"), MinNotional: d("5")},
		MinPrice: d("0.01"), MaxPrice: d("1000000"), MinQty: d("0.00001"), MaxQty: d("9000"), MaxNotional: d("9000000"),
		MarketMaxQty: d("83.5"), BidUp: d("5"), BidDown: d("0.2"), AskUp: d("5"), AskDown: d("0.2"), MaxNumOrders: 200}
	if rules["BTC-USD"] != want {
		t.Fatalf("BTC-USD rules\n got %+v\nwant %+v", rules["BTC-USD"], want)
	}
	if o := rules["OLD-USD"]; o.Trading || o.Filters.MinNotional != d("10") {
		t.Fatalf("OLD-USD (status BREAK, MIN_NOTIONAL only): %+v", o)
	}
	if _, ok := rules["ETH-USD"]; ok || len(rules) != 2 {
		t.Fatalf("rules for %d symbols: %v", len(rules), rules)
	}
	if len(limits) != 4 || limits[0] != (RateLimit{Type: "REQUEST_WEIGHT", Interval: time.Minute, Limit: 6000}) ||
		limits[1] != (RateLimit{Type: "ORDERS", Interval: 10 * time.Second, Limit: 50}) {
		t.Fatalf("limits %+v", limits)
	}
}
