package binance

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Clock measures how far the venue's clock is from ours. Signed requests
// carry timestamp = local time + offset (REST.UseClock), and the venue
// refuses one whose timestamp is more than recvWindow old on arrival
// (-1021), so an offset we do not know, or a slow round trip, turns every
// order into a clock error.
type Clock struct {
	api        API
	recvWindow time.Duration
	interval   time.Duration

	mu      sync.Mutex
	offset  time.Duration // server − local
	rtt     time.Duration
	synced  time.Time // local time of the last good sync; zero: never
	lastErr error
}

// ClockInterval is how often Run measures the offset again.
const ClockInterval = 30 * time.Second

// NewClock measures the offset through api; cfg gives the recvWindow the
// offset is judged against (cfg.RecvWindow, DefaultRecvWindow when zero).
func NewClock(api API, cfg Config) *Clock {
	rw := cfg.RecvWindow
	if rw <= 0 {
		rw = DefaultRecvWindow
	}
	return &Clock{api: api, recvWindow: rw, interval: ClockInterval}
}

// Sync asks the venue for its time once. The venue read its clock at some
// instant during our request; the midpoint is the best guess of when, off
// by at most RTT/2, which is why the RTT is kept and judged with it.
func (c *Clock) Sync(ctx context.Context) error {
	t0 := time.Now()
	server, err := c.api.ServerTime(ctx)
	t1 := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.lastErr = err
		return fmt.Errorf("binance: clock sync: %w", err)
	}
	rtt := t1.Sub(t0)
	c.offset = server.Sub(t0.Add(rtt / 2))
	c.rtt, c.synced, c.lastErr = rtt, t1, nil
	return nil
}

// Run syncs every ClockInterval until ctx ends; after a failure it tries
// again sooner (a tenth of the interval).
func (c *Clock) Run(ctx context.Context) {
	t := time.NewTimer(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next := c.interval
		if c.Sync(ctx) != nil {
			next = c.interval / 10
		}
		t.Reset(next)
	}
}

// Offset is server time − local time, as last measured.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// RTT is the round trip of the last good sync.
func (c *Clock) RTT() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rtt
}

// InWindow reports whether the clock is fit to sign orders at now: synced
// recently and |offset| + RTT/2 within half the recvWindow (the health's
// Unhealthy line).
func (c *Clock) InWindow(now time.Time) bool {
	return c.Health(now).Level != Unhealthy
}

// Health is the "clock" component: Degraded when the uncertainty |offset| +
// RTT/2 exceeds recvWindow/4, Unhealthy above recvWindow/2, when never
// synced, or when the last good sync is older than three intervals.
func (c *Clock) Health(now time.Time) Health {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := Health{Name: "clock", Level: Healthy, LastProgress: c.synced}
	if c.synced.IsZero() {
		h.Level, h.Reason = Unhealthy, "never synced with the venue's clock"
		if c.lastErr != nil {
			h.Reason += ": " + c.lastErr.Error()
		}
		return h
	}
	off := c.offset.Abs()
	err := off + c.rtt/2
	h.Reason = fmt.Sprintf("offset %s, round trip %s, recvWindow %s, synced %s ago", c.offset.Round(time.Millisecond/10),
		c.rtt.Round(time.Millisecond/10), c.recvWindow, now.Sub(c.synced).Round(time.Second))
	switch age := now.Sub(c.synced); {
	case age > 3*c.interval:
		h.Level, h.Reason = Unhealthy, "stale: "+h.Reason
		if c.lastErr != nil {
			h.Reason += "; last attempt: " + c.lastErr.Error()
		}
	case err > c.recvWindow/2:
		h.Level, h.Reason = Unhealthy, "our clock is too far off the venue's: "+h.Reason
	case err > c.recvWindow/4:
		h.Level, h.Reason = Degraded, "our clock is off the venue's: "+h.Reason
	}
	return h
}
