package binance

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeNow is a settable clock for the limiter's windows and backoffs.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeNow) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeNow) add(d time.Duration)     { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newFakeNow(s string) *fakeNow         { t, _ := time.Parse(time.RFC3339Nano, s); return &fakeNow{t: t} }
func (f *fakeVenue) reached() int          { f.mu.Lock(); defer f.mu.Unlock(); return f.requests }
func (f *fakeVenue) setPlan(s ...step)     { f.mu.Lock(); f.plan = s; f.mu.Unlock() }
func (f *fakeVenue) setHeader(k, v string) { f.mu.Lock(); f.headers[k] = v; f.mu.Unlock() }

// A 429 keeps every request off the wire until Retry-After has passed:
// sending during a backoff is what gets an IP banned.
func TestLimiter429BlocksUntilRetryAfter(t *testing.T) {
	f := newFakeVenue(t)
	f.plan = []step{{status: 429, code: -1003, msg: "Too much request weight used; please use WebSocket Streams for live updates to avoid bans.", retryAfter: "7"}}
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	clk := newFakeNow("2026-11-30T12:00:00Z")
	r.lim.now = clk.now
	ctx := context.Background()

	_, err := r.Place(ctx, testOrder)
	if ae := apiErr(t, err); ae.HTTPStatus != 429 || ae.RetryAfter != 7*time.Second || Classify(err) != ClassRateLimited {
		t.Fatalf("429: %+v", ae)
	}
	n := f.reached()
	clk.add(6 * time.Second)
	_, err = r.ServerTime(ctx)
	if ae := apiErr(t, err); ae.HTTPStatus != 429 || ae.RetryAfter != time.Second || !strings.Contains(ae.Msg, "not sent") {
		t.Fatalf("during the backoff: %+v", ae)
	}
	if f.reached() != n {
		t.Fatal("a request reached the venue during its 429 backoff")
	}
	if h := r.Health(clk.now()); h.Level != Degraded || !strings.Contains(h.Reason, "rate limited (429) until 2026-11-30T12:00:07Z") {
		t.Fatalf("health during the backoff: %+v", h)
	}
	clk.add(time.Second)
	if _, err := r.ServerTime(ctx); err != nil || f.reached() != n+1 {
		t.Fatalf("after Retry-After: %v", err)
	}
}

// -1015 (too many orders) comes without Retry-After: the order count
// resets when its 10 s window ends, so that is when requests go again.
func TestLimiter1015WaitsForTheWindow(t *testing.T) {
	f := newFakeVenue(t)
	f.plan = []step{{status: 429, code: -1015, msg: "Too many new orders; current limit is 50 orders per TEN_SECONDS."}}
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	clk := newFakeNow("2026-11-30T12:00:03.5Z")
	r.lim.now = clk.now
	_, err := r.Place(context.Background(), testOrder)
	if ae := apiErr(t, err); ae.RetryAfter != 6500*time.Millisecond {
		t.Fatalf("-1015: %+v, want a wait until 12:00:10", ae)
	}
	clk.add(6499 * time.Millisecond)
	if _, err := r.ServerTime(context.Background()); Classify(err) != ClassRateLimited {
		t.Fatalf("before the window ends: %v", err)
	}
	clk.add(time.Millisecond)
	if _, err := r.ServerTime(context.Background()); err != nil {
		t.Fatalf("when the window ends: %v", err)
	}
}

// A 418 is a ban: nothing goes out until it ends, and the venue component
// is Unhealthy saying until when.
func TestLimiter418Bans(t *testing.T) {
	f := newFakeVenue(t)
	f.plan = []step{{status: 418, code: -1003, msg: "Way too much request weight used; IP banned until 1764504120000.", retryAfter: "120"}}
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	clk := newFakeNow("2026-11-30T12:00:00Z")
	r.lim.now = clk.now
	_, err := r.Place(context.Background(), testOrder)
	if Classify(err) != ClassBanned {
		t.Fatalf("418: %v", err)
	}
	n := f.reached()
	clk.add(119 * time.Second)
	if _, err := r.ServerTime(context.Background()); Classify(err) != ClassBanned || f.reached() != n {
		t.Fatalf("during the ban: %v, %d requests reached the venue", err, f.reached()-n)
	}
	if h := r.Health(clk.now()); h.Level != Unhealthy || !strings.Contains(h.Reason, "IP banned until 2026-11-30T12:02:00Z") {
		t.Fatalf("health: %+v", h)
	}
	clk.add(time.Second)
	if _, err := r.ServerTime(context.Background()); err != nil {
		t.Fatalf("after the ban: %v", err)
	}
	if h := r.Health(clk.now()); h.Level != Healthy {
		t.Fatalf("health after the ban: %+v", h)
	}
}

// The venue's own accounting is read from every X-MBX-* header against the
// exchangeInfo limits. With the weight in its reserve only cancels go out;
// with the order count full no order does; both until the window ends.
func TestLimiterHeadroomFromHeaders(t *testing.T) {
	f := newFakeVenue(t)
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	clk := newFakeNow("2026-11-30T12:00:30Z")
	r.lim.now = clk.now
	ctx := context.Background()
	if _, _, err := r.ExchangeInfo(ctx, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	if w, o := r.lim.Headroom(); w != 100 || o != 100 {
		t.Fatalf("headroom with no usage: %d %d", w, o)
	}
	f.setHeader("X-MBX-USED-WEIGHT-1M", "5500")
	f.setHeader("X-MBX-ORDER-COUNT-10S", "50")
	f.setHeader("X-MBX-ORDER-COUNT-1D", "80000")
	if _, err := r.Place(ctx, testOrder); err != nil {
		t.Fatal(err)
	}
	if w, o := r.lim.Headroom(); w != 8 || o != 0 {
		t.Fatalf("headroom: weight %d%% orders %d%% left, want 8 and 0", w, o)
	}
	if h := r.Health(clk.now()); h.Level != Degraded || !strings.Contains(h.Reason, "weight 8% left, orders 0% left") {
		t.Fatalf("health: %+v", h)
	}
	n := f.reached()
	if _, err := r.Query(ctx, "BTC-USD", testOrder.ClientID); Classify(err) != ClassRateLimited {
		t.Fatalf("a query in the weight reserve: %v", err)
	}
	if _, err := r.Cancel(ctx, "BTC-USD", testOrder.ClientID); err != nil {
		t.Fatalf("a cancel may spend the reserve: %v", err)
	}
	if f.reached() != n+1 {
		t.Fatalf("%d requests reached the venue, want only the cancel", f.reached()-n)
	}
	clk.add(30 * time.Second) // a new minute, a new 10 s window
	if _, err := r.Place(ctx, OrderRequest{ClientID: "t1-b", Spec: testOrder.Spec}); err != nil {
		t.Fatalf("in the next window: %v", err)
	}
}

// The venue component judges the last minute's answers: all failing is
// Unhealthy, a quarter failing Degraded, old failures are forgotten.
func TestLimiterHealthFromErrors(t *testing.T) {
	f := newFakeVenue(t)
	r, done := newTestREST(t, f, 5*time.Second, 5*time.Second)
	defer done()
	clk := newFakeNow("2026-11-30T12:00:00Z")
	r.lim.now = clk.now
	f.setPlan(step{status: 503, code: -1001}, step{status: 502}, step{status: 500, code: -1000}, step{status: 504})
	for i := range 4 {
		if _, err := r.Place(context.Background(), orderReq("e"+string(rune('a'+i)))); Classify(err) != ClassUnknown {
			t.Fatalf("5xx: %v", err)
		}
	}
	if h := r.Health(clk.now()); h.Level != Unhealthy || !strings.Contains(h.Reason, "4 requests in 1m0s, 4 failed") {
		t.Fatalf("all failing: %+v", h)
	}
	for range 8 {
		if _, err := r.Query(context.Background(), "BTC-USD", "nope"); Classify(err) != ClassNotFound {
			t.Fatal(err) // a 4xx is an answer, not a failure of the venue
		}
	}
	if h := r.Health(clk.now()); h.Level != Degraded || !strings.Contains(h.Reason, "many requests fail") {
		t.Fatalf("a third failing: %+v", h)
	}
	clk.add(61 * time.Second)
	if h := r.Health(clk.now()); h.Level != Healthy || !strings.Contains(h.Reason, "0 requests") {
		t.Fatalf("a minute later: %+v", h)
	}
}
