package binance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limiter is the RoundTripper under go-binance's http.Client. It exists
// because go-binance drops what the venue says about its limits: the HTTP
// status, Retry-After, and every used-weight and order-count header but
// three (which it writes to Client fields without a lock). The limiter
// records them all, turns every non-2xx answer into *APIError (which
// go-binance passes through to us unchanged), and keeps requests off the
// wire while the venue has told us to stay away: sending during a 429
// backoff is what gets an IP banned (418).
//
// A request it keeps back fails at once with a local *APIError (429 or 418,
// "not sent"), rather than waiting: go-binance signs before the transport
// runs, so a request held back for seconds would arrive with a stale
// timestamp. The caller decides when to try again (RetryAfter says when).
type Limiter struct {
	next http.RoundTripper
	now  func() time.Time

	mu      sync.Mutex
	limits  map[limitKey]int64
	used    map[limitKey]reading
	backoff time.Time // 429: nothing is sent before then
	ban     time.Time // 418
	banMsg  string
	samples [128]sample
	nsample int
	lastOK  time.Time
}

type limitKey struct {
	orders   bool // ORDERS (X-MBX-ORDER-COUNT-*) or REQUEST_WEIGHT
	interval time.Duration
}

type reading struct {
	n  int64
	at time.Time
}

type sample struct {
	at      time.Time
	latency time.Duration
	failed  bool // no answer, 5xx, 429 or 418: the venue did not serve us
}

// weightReserve is the share of each weight limit kept for cancels: when
// less than this is left, only DELETE requests go out until the window
// rolls over, so that we can always take risk off the book.
const weightReserve = 10 // percent

// NewLimiter wraps next (http.DefaultTransport when nil).
func NewLimiter(next http.RoundTripper) *Limiter {
	if next == nil {
		next = http.DefaultTransport
	}
	return &Limiter{next: next, now: time.Now, limits: map[limitKey]int64{}, used: map[limitKey]reading{}}
}

// SetLimits installs the venue's limits from exchangeInfo.rateLimits.
func (l *Limiter) SetLimits(rl []RateLimit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range rl {
		switch r.Type {
		case "REQUEST_WEIGHT":
			l.limits[limitKey{false, r.Interval}] = r.Limit
		case "ORDERS":
			l.limits[limitKey{true, r.Interval}] = r.Limit
		}
	}
}

// RoundTrip implements http.RoundTripper.
func (l *Limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := l.admit(req); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	start := time.Now()
	res, err := l.next.RoundTrip(req)
	lat := time.Since(start)
	if err != nil {
		l.record(sample{at: l.now(), latency: lat, failed: true})
		return nil, err
	}
	l.readHeaders(res.Header)
	if res.StatusCode < 300 {
		l.record(sample{at: l.now(), latency: lat})
		return res, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	if rerr != nil { // the status arrived, the explanation did not
		l.record(sample{at: l.now(), latency: lat, failed: true})
		return nil, fmt.Errorf("binance: reading a %d answer: %w", res.StatusCode, rerr)
	}
	ae := &APIError{HTTPStatus: res.StatusCode}
	var msg struct {
		Code int64  `json:"code"`
		Msg  string `json:"msg"`
	}
	if json.Unmarshal(body, &msg) == nil && (msg.Code != 0 || msg.Msg != "") {
		ae.Code, ae.Msg = msg.Code, msg.Msg
	} else {
		ae.Msg = strings.TrimSpace(string(bytes.ToValidUTF8(body[:min(len(body), 200)], nil)))
	}
	ae.RetryAfter = retryAfter(res.Header.Get("Retry-After"), l.now())
	l.answered(ae, lat)
	return nil, ae
}

// answered books a non-2xx answer: a 429 starts a backoff, a 418 a ban.
func (l *Limiter) answered(ae *APIError, lat time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	failed := ae.HTTPStatus >= 500 || ae.HTTPStatus == 429 || ae.HTTPStatus == 418
	l.recordLocked(sample{at: now, latency: lat, failed: failed})
	switch ae.HTTPStatus {
	case 429:
		if ae.RetryAfter <= 0 {
			// -1015 (too many orders) comes without Retry-After: the order
			// count resets when its 10 s window ends. Anything else: wait
			// for the end of the current second's window at least.
			w := time.Second
			if ae.Code == -1015 {
				w = 10 * time.Second
			}
			ae.RetryAfter = windowEnd(now, w).Sub(now)
		}
		l.backoff = later(l.backoff, now.Add(ae.RetryAfter))
	case 418:
		if ae.RetryAfter <= 0 {
			ae.RetryAfter = bannedUntil(ae.Msg, now).Sub(now)
		}
		l.ban = later(l.ban, now.Add(ae.RetryAfter))
		l.banMsg = ae.Msg
	}
}

// admit keeps a request back while a ban or backoff holds, or when it
// would spend the reserve of a limit.
func (l *Limiter) admit(req *http.Request) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.ban) {
		return &APIError{HTTPStatus: 418, Code: -1003, RetryAfter: l.ban.Sub(now),
			Msg: "not sent: IP banned until " + l.ban.UTC().Format(time.RFC3339)}
	}
	if now.Before(l.backoff) {
		return &APIError{HTTPStatus: 429, Code: -1003, RetryAfter: l.backoff.Sub(now),
			Msg: "not sent: rate limited (429) until " + l.backoff.UTC().Format(time.RFC3339Nano)}
	}
	isOrder := req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/order")
	for k, lim := range l.limits {
		r, ok := l.used[k]
		if !ok || lim <= 0 || !windowStart(now, k.interval).Equal(windowStart(r.at, k.interval)) {
			continue // no reading in this window: it has rolled over
		}
		full := false
		if k.orders {
			full = isOrder && r.n >= lim
		} else {
			full = req.Method != http.MethodDelete && (lim-r.n)*100 < lim*weightReserve
		}
		if full {
			end := windowEnd(now, k.interval)
			what := "request weight"
			if k.orders {
				what = "order count"
			}
			return &APIError{HTTPStatus: 429, Code: -1003, RetryAfter: end.Sub(now),
				Msg: fmt.Sprintf("not sent: %s %d of %d used in %s, waiting for the window to end", what, r.n, lim, k.interval)}
		}
	}
	return nil
}

// readHeaders records every X-MBX-USED-WEIGHT-<n><unit> and
// X-MBX-ORDER-COUNT-<n><unit>, then deletes them so that go-binance does
// not write its own unlocked copies (a data race under concurrent calls).
func (l *Limiter) readHeaders(h http.Header) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, vals := range h {
		up := strings.ToUpper(name)
		var orders bool
		var iv string
		switch {
		case strings.HasPrefix(up, "X-MBX-USED-WEIGHT"):
			iv = strings.TrimPrefix(strings.TrimPrefix(up, "X-MBX-USED-WEIGHT"), "-")
		case strings.HasPrefix(up, "X-MBX-ORDER-COUNT"):
			orders, iv = true, strings.TrimPrefix(strings.TrimPrefix(up, "X-MBX-ORDER-COUNT"), "-")
		default:
			continue
		}
		delete(h, name)
		d, ok := parseInterval(iv)
		n, err := strconv.ParseInt(strings.TrimSpace(vals[0]), 10, 64)
		if !ok || err != nil {
			continue
		}
		l.used[limitKey{orders, d}] = reading{n: n, at: now}
	}
}

func (l *Limiter) record(s sample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recordLocked(s)
}

func (l *Limiter) recordLocked(s sample) {
	l.samples[l.nsample%len(l.samples)] = s
	l.nsample++
	if !s.failed {
		l.lastOK = s.at
	}
}

// parseInterval reads a header's interval: 1M, 10S, 1D, 1H.
func parseInterval(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, false
	}
	unit := map[byte]time.Duration{'S': time.Second, 'M': time.Minute, 'H': time.Hour, 'D': 24 * time.Hour}[s[len(s)-1]]
	return time.Duration(n) * unit, unit != 0
}

// The venue's limit windows are aligned to the clock (a minute's weight
// resets on the minute).
func windowStart(t time.Time, d time.Duration) time.Time { return t.Truncate(d) }
func windowEnd(t time.Time, d time.Duration) time.Time   { return t.Truncate(d).Add(d) }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// retryAfter reads Retry-After: seconds (what the venue sends) or an
// HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

var bannedUntilRE = regexp.MustCompile(`banned until (\d{12,14})`)

// bannedUntil reads "IP banned until <ms>" from a 418's message; without
// it, the shortest ban the venue documents (2 minutes).
func bannedUntil(msg string, now time.Time) time.Time {
	if m := bannedUntilRE.FindStringSubmatch(msg); m != nil {
		if ms, err := strconv.ParseInt(m[1], 10, 64); err == nil && time.UnixMilli(ms).After(now) {
			return time.UnixMilli(ms)
		}
	}
	return now.Add(2 * time.Minute)
}
