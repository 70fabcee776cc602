package client

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	defaultBackoffBase = 250 * time.Millisecond
	defaultBackoffMax  = 5 * time.Second
)

// WatchOption configures WatchHealth.
type WatchOption func(*watchConfig)

type watchConfig struct {
	onDisconnect func(err error, retryIn time.Duration)
	onReconnect  func()
	base, max    time.Duration
}

// OnDisconnect is called each time the stream breaks or a reconnect attempt
// fails, with the cause and the wait before the next attempt.
func OnDisconnect(fn func(err error, retryIn time.Duration)) WatchOption {
	return func(c *watchConfig) { c.onDisconnect = fn }
}

// OnReconnect is called when a report arrives again after a disconnect.
func OnReconnect(fn func()) WatchOption {
	return func(c *watchConfig) { c.onReconnect = fn }
}

// WithBackoff sets the reconnect backoff: it starts at base, doubles per
// failed attempt up to max, and returns to base after a report is received.
// Each wait is jittered by ±20% (never above max) so that many watchers of a
// restarted daemon do not reconnect in lockstep. Non-positive values keep
// the defaults (250ms, 5s), because a zero backoff would spin.
func WithBackoff(base, max time.Duration) WatchOption {
	return func(c *watchConfig) {
		if base > 0 {
			c.base = base
		}
		if max > 0 {
			c.max = max
		}
	}
}

// errors a reconnect cannot fix.
var permanentCodes = map[codes.Code]bool{
	codes.Unauthenticated:  true,
	codes.InvalidArgument:  true,
	codes.PermissionDenied: true,
	codes.Unimplemented:    true,
}

// callbackError marks an error from the caller's fn, which ends the watch.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

// WatchHealth streams health reports to fn, one call at a time on the
// caller's goroutine (the callbacks too), until ctx is done, fn returns an
// error, or the daemon answers with an error a retry cannot fix
// (UNAUTHENTICATED, INVALID_ARGUMENT, PERMISSION_DENIED, UNIMPLEMENTED).
// Any other failure, including a daemon that is down or restarting, is
// reported to OnDisconnect and retried after a backoff.
//
// It returns ctx.Err() when ctx is done, so a caller that cancels can tell
// that apart from a failure; fn's error as is; otherwise a client error.
// No goroutine outlives the call.
func (c *Client) WatchHealth(ctx context.Context, fn func(*tradingv1.HealthReport) error, opts ...WatchOption) error {
	cfg := watchConfig{base: defaultBackoffBase, max: defaultBackoffMax}
	for _, opt := range opts {
		opt(&cfg)
	}
	delay, lost := cfg.base, false
	onReceive := func() {
		if lost && cfg.onReconnect != nil {
			cfg.onReconnect()
		}
		lost = false
	}
	for {
		received, err := c.watchOnce(ctx, fn, onReceive)
		if cbErr := (*callbackError)(nil); errors.As(err, &cbErr) {
			return cbErr.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if permanentCodes[status.Code(err)] {
			return fromRPC(err)
		}
		if received {
			delay = cfg.base
		}
		wait := min(time.Duration(float64(delay)*(0.8+0.4*rand.Float64())), cfg.max)
		delay = min(delay*2, cfg.max)
		lost = true
		if cfg.onDisconnect != nil {
			cfg.onDisconnect(fromRPC(err), wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// watchOnce runs one stream until it breaks, reporting whether any report
// arrived (a sign the daemon was up, so the backoff may reset).
func (c *Client) watchOnce(ctx context.Context, fn func(*tradingv1.HealthReport) error, onReceive func()) (bool, error) {
	// Cancelling on return is what frees the stream's goroutines on every
	// path out, including fn failing mid-stream.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.trading.WatchHealth(ctx, &tradingv1.WatchHealthRequest{})
	if err != nil {
		return false, err
	}
	received := false
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			// The daemon's stream never ends by design; a clean end means it is
			// shutting down, which is a disconnect like any other.
			return received, status.Error(codes.Unavailable, "daemon ended the health stream")
		}
		if err != nil {
			return received, err
		}
		received = true
		onReceive()
		if err := fn(resp.GetReport()); err != nil {
			return received, &callbackError{err}
		}
	}
}
