package venueemu

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// TestLimiterBacksOffThenBans drives the accounting with chosen times: 429
// with Retry-After to the window's end once the weight is spent, 418 once
// the client ignored BanAfter of them, and a fresh window after the ban.
func TestLimiterBacksOffThenBans(t *testing.T) {
	l := newLimiter(Limits{WeightPerMinute: 10, OrdersPer10s: 2, OrdersPerDay: 100, BanAfter: 2})
	t0 := time.Date(2026, 11, 30, 6, 0, 15, 0, time.UTC)
	for i := int64(1); i <= 10; i++ {
		if used, err := l.admit(t0, 1); err != nil || used != i {
			t.Fatalf("request %d: used %d, %v", i, used, err)
		}
	}
	used, err := l.admit(t0.Add(time.Second), 1)
	if err == nil || err.status != 429 || err.code != -1003 || err.retryAfter != 44 || used != 11 {
		t.Fatalf("over the limit: used %d, %+v; want 429 Retry-After 44", used, err)
	}
	for i := range 2 {
		if _, err := l.admit(t0.Add(2*time.Second), 1); err == nil || err.status != 429 {
			t.Fatalf("ignored 429 #%d: %+v, want 429", i+1, err)
		}
	}
	_, err = l.admit(t0.Add(3*time.Second), 1)
	if err == nil || err.status != 418 || err.retryAfter != 42+120 {
		t.Fatalf("third ignored 429: %+v, want 418 until 2 min past the window", err)
	}
	// The window ends but the ban holds; after it, a fresh window.
	if _, err := l.admit(t0.Add(time.Minute), 1); err == nil || err.status != 418 {
		t.Fatalf("during the ban: %+v", err)
	}
	if used, err := l.admit(t0.Add(3*time.Minute), 1); err != nil || used != 1 {
		t.Fatalf("after the ban: used %d, %v", used, err)
	}

	// Orders: 2 per 10 s, then -1015 without Retry-After.
	for i := range 2 {
		if err := l.admitOrder(t0); err != nil {
			t.Fatalf("order %d: %+v", i+1, err)
		}
	}
	if err := l.admitOrder(t0.Add(time.Second)); err == nil || err.status != 429 || err.code != -1015 || err.retryAfter != 0 {
		t.Fatalf("third order: %+v, want 429 -1015", err)
	}
	if c10, cday := l.orderCounts(t0.Add(time.Second)); c10 != 2 || cday != 2 {
		t.Fatalf("counts %d/%d", c10, cday)
	}
	if err := l.admitOrder(t0.Add(10 * time.Second)); err != nil {
		t.Fatalf("next window: %+v", err)
	}
}

// TestRateLimitHeaders: every answer says the weight used, orders say the
// order counts, and a client past the limit is told 429 with Retry-After.
func TestRateLimitHeaders(t *testing.T) {
	// Far from a minute's end, so that the window does not roll mid-test.
	if s := time.Now().Second(); s >= 58 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}
	e := start(t, Config{Limits: Limits{WeightPerMinute: 30}})
	ctx := context.Background()
	_, _, h := httpDo(t, ctx, "GET", e.URL()+"/api/v3/ping", "", nil)
	if h.Get("X-MBX-USED-WEIGHT-1M") != "1" {
		t.Fatalf("weight header %q after a ping", h.Get("X-MBX-USED-WEIGHT-1M"))
	}
	_, _, h = httpDo(t, ctx, "GET", e.URL()+"/api/v3/exchangeInfo", "", nil)
	if h.Get("X-MBX-USED-WEIGHT-1M") != "21" {
		t.Fatalf("weight header %q after exchangeInfo (20)", h.Get("X-MBX-USED-WEIGHT-1M"))
	}
	b, status, h := signedDo(t, e, "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000")
	if status != 200 || h.Get("X-MBX-ORDER-COUNT-10S") != "1" || h.Get("X-MBX-ORDER-COUNT-1D") != "1" {
		t.Fatalf("order: %d %s, headers %v", status, b, h)
	}
	b, status, h = httpDo(t, ctx, "GET", e.URL()+"/api/v3/depth?symbol=BTCUSDT&limit=1000", "", nil) // weight 50
	ra, _ := strconv.Atoi(h.Get("Retry-After"))
	if status != 429 || ra < 1 || ra > 60 {
		t.Fatalf("over the limit: %d %s, Retry-After %q", status, b, h.Get("Retry-After"))
	}
}
