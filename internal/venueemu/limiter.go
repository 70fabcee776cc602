package venueemu

import (
	"fmt"
	"sync"
	"time"
)

// limiter is the venue's accounting of request weight (fixed one-minute
// windows, as the venue counts) and of new orders (10 s and 1 day). A
// client over the weight limit is told 429 with Retry-After until the
// window ends; one that keeps asking meanwhile is banned (418) for two
// minutes past it, as the venue bans IPs that ignore its 429s.
type limiter struct {
	mu          sync.Mutex
	lim         Limits
	window      time.Time // start of the weight window
	used        int64
	backoff     time.Time // 429s until then
	ignored     int       // requests during the backoff
	bannedUntil time.Time
	win10s      time.Time
	orders10s   int64
	winDay      time.Time
	ordersDay   int64
}

// banLength is how long past its backoff a client that ignored it is banned.
const banLength = 2 * time.Minute

func newLimiter(l Limits) *limiter { return &limiter{lim: l} }

// admit counts a request of weight and says whether it may proceed, with
// the weight used in the window so far.
func (l *limiter) admit(now time.Time, weight int64) (int64, *apiError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := now.Truncate(time.Minute); w.After(l.window) {
		l.window, l.used = w, 0
	}
	if now.Before(l.bannedUntil) {
		return l.used, banned(now, l.bannedUntil)
	}
	if now.Before(l.backoff) {
		l.ignored++
		if l.ignored > l.lim.BanAfter {
			l.bannedUntil = l.backoff.Add(banLength)
			return l.used, banned(now, l.bannedUntil)
		}
		return l.used, tooMuchWeight(now, l.backoff, l.lim.WeightPerMinute)
	}
	l.used += weight
	if l.used > l.lim.WeightPerMinute {
		l.backoff, l.ignored = l.window.Add(time.Minute), 0
		return l.used, tooMuchWeight(now, l.backoff, l.lim.WeightPerMinute)
	}
	return l.used, nil
}

// peek is the weight used in the current window.
func (l *limiter) peek(now time.Time) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Truncate(time.Minute).After(l.window) {
		return 0
	}
	return l.used
}

// admitOrder counts a new order against the order limits; -1015 comes
// without Retry-After, as the venue sends it.
func (l *limiter) admitOrder(now time.Time) *apiError {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(now)
	if l.orders10s >= l.lim.OrdersPer10s {
		return apiErr(429, -1015, fmt.Sprintf("Too many new orders; current limit is %d orders per 10 SECOND.", l.lim.OrdersPer10s))
	}
	if l.ordersDay >= l.lim.OrdersPerDay {
		return apiErr(429, -1015, fmt.Sprintf("Too many new orders; current limit is %d orders per DAY.", l.lim.OrdersPerDay))
	}
	l.orders10s++
	l.ordersDay++
	return nil
}

// orderCounts are the X-MBX-ORDER-COUNT-10S and -1D figures.
func (l *limiter) orderCounts(now time.Time) (int64, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(now)
	return l.orders10s, l.ordersDay
}

func (l *limiter) roll(now time.Time) {
	if w := now.Truncate(10 * time.Second); w.After(l.win10s) {
		l.win10s, l.orders10s = w, 0
	}
	if w := now.UTC().Truncate(24 * time.Hour); w.After(l.winDay) {
		l.winDay, l.ordersDay = w, 0
	}
}

func tooMuchWeight(now, until time.Time, limit int64) *apiError {
	e := apiErr(429, -1003, fmt.Sprintf("Too much request weight used; current limit is %d request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.", limit))
	e.retryAfter = secondsUntil(now, until)
	return e
}

func banned(now, until time.Time) *apiError {
	e := apiErr(418, -1003, fmt.Sprintf("Way too much request weight used; IP banned until %d. Please use WebSocket Streams for live updates to avoid bans.", until.UnixMilli()))
	e.retryAfter = secondsUntil(now, until)
	return e
}

// secondsUntil rounds up: a client that waits Retry-After seconds is past.
func secondsUntil(now, t time.Time) int64 {
	d := t.Sub(now)
	return max(1, int64((d+time.Second-1)/time.Second))
}
