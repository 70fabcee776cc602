package client

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	defaultBackoffBase = 250 * time.Millisecond
	defaultBackoffMax  = 5 * time.Second
)

// WatchOption configures WatchHealth and WatchOrders.
type WatchOption func(*watchConfig)

type watchConfig struct {
	onDisconnect func(err error, retryIn time.Duration)
	onConnect    func()
	onReconnect  func()
	base, max    time.Duration
}

// OnDisconnect is called each time the stream breaks or a reconnect attempt
// fails, with the cause and the wait before the next attempt. A cause that
// matches ErrResourceExhausted means the daemon ended a watcher that fell
// behind: the stream was up, and what it sent meanwhile is lost.
func OnDisconnect(fn func(err error, retryIn time.Duration)) WatchOption {
	return func(c *watchConfig) { c.onDisconnect = fn }
}

// OnConnect is called each time a stream is up, the first time included:
// when the daemon has sent the stream's headers or its first message. It
// runs before OnReconnect.
func OnConnect(fn func()) WatchOption {
	return func(c *watchConfig) { c.onConnect = fn }
}

// OnReconnect is called when the stream is up again after a disconnect: when
// the daemon has sent the stream's headers or its first message.
func OnReconnect(fn func()) WatchOption {
	return func(c *watchConfig) { c.onReconnect = fn }
}

// WithBackoff sets the reconnect backoff: it starts at base, doubles per
// failed attempt up to max, and returns to base once a stream was up.
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
	return watch(ctx, "health",
		func(ctx context.Context) (grpc.ServerStreamingClient[tradingv1.WatchHealthResponse], error) {
			return c.trading.WatchHealth(ctx, &tradingv1.WatchHealthRequest{})
		},
		func(r *tradingv1.WatchHealthResponse) error { return fn(r.GetReport()) }, opts)
}

// WatchOrders streams order events (state changes and fills) to fn, with
// the same reconnecting, threading and return values as WatchHealth.
//
// Unlike health reports, order events are not replaced by later ones, so
// some can be missed: those sent while the daemon is unreachable, and those
// the daemon drops when this watcher reads too slowly. In the second case
// the daemon ends the stream with RESOURCE_EXHAUSTED, OnDisconnect gets an
// error matching ErrResourceExhausted, and the watch resubscribes after the
// base backoff. Events are never replayed: after any disconnect, ListOrders
// is the way to learn what was missed. Event sequence numbers increase by
// one per daemon event, so a gap shows a loss too.
func (c *Client) WatchOrders(ctx context.Context, fn func(*tradingv1.OrderEvent) error, opts ...WatchOption) error {
	return watch(ctx, "order",
		func(ctx context.Context) (grpc.ServerStreamingClient[tradingv1.WatchOrdersResponse], error) {
			return c.trading.WatchOrders(ctx, &tradingv1.WatchOrdersRequest{})
		},
		func(r *tradingv1.WatchOrdersResponse) error { return fn(r.GetEvent()) }, opts)
}

// watch is the reconnect loop behind every Watch method: open subscribes,
// deliver hands one message to the caller.
func watch[R any](ctx context.Context, name string, open func(context.Context) (grpc.ServerStreamingClient[R], error),
	deliver func(*R) error, opts []WatchOption,
) error {
	cfg := watchConfig{base: defaultBackoffBase, max: defaultBackoffMax}
	for _, opt := range opts {
		opt(&cfg)
	}
	delay, lost := cfg.base, false
	onUp := func() {
		if cfg.onConnect != nil {
			cfg.onConnect()
		}
		if lost && cfg.onReconnect != nil {
			cfg.onReconnect()
		}
		lost = false
	}
	for {
		up, err := watchOnce(ctx, name, open, deliver, onUp)
		if cbErr := (*callbackError)(nil); errors.As(err, &cbErr) {
			return cbErr.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if permanentCodes[status.Code(err)] {
			return fromRPC(err)
		}
		// No token to send is as final as a refused one.
		if tfe := (*TokenFileError)(nil); errors.As(err, &tfe) {
			return err
		}
		if up {
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

// watchOnce runs one stream until it breaks, reporting whether it was up (a
// sign the daemon was reachable, so the backoff may reset). A stream is up
// once its headers arrive: a daemon that sends them at subscription lets a
// quiet stream (orders while nothing trades) count as up before its first
// message. Otherwise the first message shows it.
func watchOnce[R any](ctx context.Context, name string, open func(context.Context) (grpc.ServerStreamingClient[R], error),
	deliver func(*R) error, onUp func(),
) (bool, error) {
	// Cancelling on return is what frees the stream's goroutines on every
	// path out, including deliver failing mid-stream.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := open(ctx)
	if err != nil {
		return false, err
	}
	// Header returns nil when the stream failed before any header; Recv
	// then reports why.
	up := false
	if md, _ := stream.Header(); md != nil {
		up = true
		onUp()
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			// The daemon's streams never end by design; a clean end means it is
			// shutting down, which is a disconnect like any other.
			return up, status.Errorf(codes.Unavailable, "daemon ended the %s stream", name)
		}
		if err != nil {
			return up, err
		}
		if !up {
			up = true
			onUp()
		}
		if err := deliver(resp); err != nil {
			return up, &callbackError{err}
		}
	}
}
