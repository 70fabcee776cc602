package binance

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// timeAPI is a venue whose clock runs at local + skew; only ServerTime is
// served.
type timeAPI struct {
	API
	skew  time.Duration
	calls atomic.Int64
	fail  atomic.Bool
	seen  chan struct{}
}

func (a *timeAPI) ServerTime(context.Context) (time.Time, error) {
	a.calls.Add(1)
	if a.seen != nil {
		select {
		case a.seen <- struct{}{}:
		default:
		}
	}
	if a.fail.Load() {
		return time.Time{}, errors.New("connection refused")
	}
	return time.Now().Add(a.skew), nil
}

func TestClockSyncMeasuresTheOffset(t *testing.T) {
	for _, skew := range []time.Duration{-2 * time.Second, 0, 1500 * time.Millisecond} {
		c := NewClock(&timeAPI{skew: skew}, Config{})
		if err := c.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The venue's answer is read at the request's midpoint, so the error
		// is at most half the round trip (and the ms truncation).
		if d := (c.Offset() - skew).Abs(); d > c.RTT()/2+time.Millisecond {
			t.Fatalf("skew %s: offset %s, round trip %s", skew, c.Offset(), c.RTT())
		}
	}
}

func TestClockHealth(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := NewClock(&timeAPI{}, Config{RecvWindow: 4 * time.Second})
	if h := c.Health(now); h.Level != Unhealthy || !strings.Contains(h.Reason, "never synced") || c.InWindow(now) {
		t.Fatalf("never synced: %+v", h)
	}
	for _, tc := range []struct {
		offset, rtt, age time.Duration
		want             Level
		why              string
	}{
		{offset: 900 * time.Millisecond, rtt: 200 * time.Millisecond, want: Healthy},
		{offset: -900 * time.Millisecond, rtt: 202 * time.Millisecond, want: Degraded, why: "off the venue's"},
		{offset: 1500 * time.Millisecond, rtt: time.Second, want: Degraded},
		{offset: -1900 * time.Millisecond, rtt: 202 * time.Millisecond, want: Unhealthy, why: "too far off"},
		{offset: 0, rtt: 10 * time.Millisecond, age: 90 * time.Second, want: Healthy},
		{offset: 0, rtt: 10 * time.Millisecond, age: 91 * time.Second, want: Unhealthy, why: "stale"},
	} {
		c.offset, c.rtt, c.synced = tc.offset, tc.rtt, now.Add(-tc.age)
		h := c.Health(now)
		if h.Level != tc.want || !strings.Contains(h.Reason, tc.why) || h.Name != "clock" {
			t.Errorf("offset %s rtt %s age %s: %+v, want level %d with %q", tc.offset, tc.rtt, tc.age, h, tc.want, tc.why)
		}
		if c.InWindow(now) != (tc.want != Unhealthy) {
			t.Errorf("offset %s rtt %s age %s: InWindow %v", tc.offset, tc.rtt, tc.age, c.InWindow(now))
		}
	}
}

// Run syncs again and again, sooner after a failure, and stops with its
// context.
func TestClockRunResyncs(t *testing.T) {
	defer goleak.VerifyNone(t)
	api := &timeAPI{skew: time.Second, seen: make(chan struct{}, 1)}
	api.fail.Store(true)
	c := NewClock(api, Config{})
	c.interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); c.Run(ctx) }()
	for range 3 {
		<-api.seen
	}
	api.fail.Store(false)
	for c.Health(time.Now()).Level == Unhealthy {
		<-api.seen
	}
	if off := c.Offset(); off < 900*time.Millisecond || off > 1100*time.Millisecond {
		t.Fatalf("offset after Run synced: %s", off)
	}
	cancel()
	<-stopped
}
