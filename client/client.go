// Package client is the Go client of tradingd's control API, and the library
// the tradectl CLI is built on. It owns the connection, the bearer token, the
// translation of gRPC statuses into typed errors, and the reconnecting
// watches of health and orders. It never decides anything about trading:
// every rule (defaults, validation, limits, what may run) belongs to the
// daemon, and the client reports the daemon's answer unchanged.
package client

import (
	"context"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// MaxMessageSize is the largest answer the client accepts: the most
// tradingd sends by default (its Limits.MaxSendMsgSize). Lists page far
// below it.
const MaxMessageSize = 16 << 20

// Client talks to one tradingd. It is safe for concurrent use.
type Client struct {
	conn    *grpc.ClientConn
	trading tradingv1.TradingServiceClient
	health  healthpb.HealthClient
}

// New returns a client for the daemon at addr. It does not connect: the first
// call does, so New succeeds even while the daemon is down. It fails only if
// addr is malformed (ErrBadAddress), if addr is not loopback and no TLS was
// given (ErrPlaintext; see WithInsecure), or if the options are unusable,
// for example an unreadable token file.
func New(addr string, opts ...Option) (*Client, error) {
	if err := checkAddr(addr); err != nil {
		return nil, err
	}
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tls == nil {
		if err := checkTransport(addr, o); err != nil {
			return nil, err
		}
	}
	if o.tls != nil {
		creds, err := o.tls.credentials()
		if err != nil {
			return nil, err
		}
		o.creds = creds
	}
	if o.creds == nil {
		o.creds = insecure.NewCredentials()
	}
	src := &tokenSource{path: o.tokenFile, last: o.token}
	// Read now as well: an unusable token file is New's error, not the
	// first call's.
	if _, err := src.fresh(); err != nil {
		return nil, err
	}
	dialOpts := []grpc.DialOption{
		grpc.WithTransportCredentials(o.creds),
		// gRPC's default is 4 MiB; tradingd sends answers up to 16 MiB.
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageSize)),
		// gRPC's own reconnect backoff grows to 120s; cap it at the watch's
		// cap so a restarted daemon is found within seconds, not minutes.
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{
			BaseDelay: defaultBackoffBase, Multiplier: 1.6, Jitter: 0.2, MaxDelay: defaultBackoffMax,
		}}),
	}
	if src.current() != "" {
		dialOpts = append(dialOpts,
			grpc.WithChainUnaryInterceptor(bearerUnary(src)),
			grpc.WithChainStreamInterceptor(bearerStream(src)))
	}
	conn, err := grpc.NewClient(addr, append(dialOpts, o.dialOpts...)...)
	if err != nil {
		return nil, err
	}
	return &Client{
		conn:    conn,
		trading: tradingv1.NewTradingServiceClient(conn),
		health:  healthpb.NewHealthClient(conn),
	}, nil
}

// Close releases the connection. Calls in flight fail with ErrUnavailable or
// a cancellation.
func (c *Client) Close() error { return c.conn.Close() }

// StartTrading asks the daemon to start a session. Unset settings take the
// daemon's defaults. A conflicting running session yields an
// *AlreadyRunningError; live mode yields ErrLiveUnavailable.
func (c *Client) StartTrading(ctx context.Context, s *tradingv1.SessionSettings, opts ...StartOption) (*tradingv1.StartTradingResponse, error) {
	req := &tradingv1.StartTradingRequest{Settings: s}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.trading.StartTrading(ctx, req)
	return resp, fromRPC(err)
}

// StartOption configures StartTrading and ResumeTrading.
type StartOption func(*tradingv1.StartTradingRequest)

// AbandonInterrupted lets StartTrading start a new session although one is
// INTERRUPTED: the daemon cancels the interrupted sessions' open orders
// and marks them ABANDONED. Without it such a start fails with
// ErrSessionInterrupted.
func AbandonInterrupted() StartOption {
	return func(r *tradingv1.StartTradingRequest) { r.AbandonInterrupted = true }
}

// ResumeSession makes ResumeTrading carry on the interrupted session id
// rather than the newest one. An unknown id yields ErrNotFound; one that is
// not INTERRUPTED, ErrFailedPrecondition.
func ResumeSession(id string) StartOption {
	return func(r *tradingv1.StartTradingRequest) { r.SessionId = id }
}

// ResumeTrading starts a session that carries on the last INTERRUPTED one
// (the daemon stopped while it ran): its account, open orders, risk state
// and settings. It yields ErrNothingToResume when there is none, and an
// *AlreadyRunningError while a session runs.
func (c *Client) ResumeTrading(ctx context.Context, opts ...StartOption) (*tradingv1.StartTradingResponse, error) {
	req := &tradingv1.StartTradingRequest{Resume: true}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.trading.StartTrading(ctx, req)
	return resp, fromRPC(err)
}

// ListStrategies lists the daemon's built-in strategies and their parameters,
// for SessionSettings.Strategy and Params.
func (c *Client) ListStrategies(ctx context.Context) (*tradingv1.ListStrategiesResponse, error) {
	resp, err := c.trading.ListStrategies(ctx, &tradingv1.ListStrategiesRequest{})
	return resp, fromRPC(err)
}

// StopOption configures StopTrading.
type StopOption func(*tradingv1.StopTradingRequest)

// KeepOpenOrders leaves the session's resting orders at the venue; by
// default a stop cancels them. The summary's OpenOrders counts those left.
func KeepOpenOrders() StopOption {
	return func(r *tradingv1.StopTradingRequest) { r.KeepOpenOrders = true }
}

// StopOnlySession stops the session only if it is the one with id: when
// another is the current (or last) session, nothing is stopped and the
// call fails with ErrSessionChanged. A program that shows a session and
// stops it on a user's word passes its id, so that a request delayed on
// the way cannot stop a session started since.
func StopOnlySession(id string) StopOption {
	return func(r *tradingv1.StopTradingRequest) { r.SessionId = id }
}

// StopTrading stops the running session and returns its final summary. The
// daemon waits up to deadline for the session to wind down; 0 means the
// daemon's default. ctx must outlive deadline or the summary is lost.
func (c *Client) StopTrading(ctx context.Context, deadline time.Duration, opts ...StopOption) (*tradingv1.StopTradingResponse, error) {
	req := &tradingv1.StopTradingRequest{}
	if deadline > 0 {
		req.Deadline = durationpb.New(deadline)
	}
	for _, opt := range opts {
		opt(req)
	}
	resp, err := c.trading.StopTrading(ctx, req)
	return resp, fromRPC(err)
}

// GetVenue says where a live session would trade (Configured false: the
// daemon has no venue, only paper sessions run).
func (c *Client) GetVenue(ctx context.Context) (*tradingv1.GetVenueResponse, error) {
	resp, err := c.trading.GetVenue(ctx, &tradingv1.GetVenueRequest{})
	return resp, fromRPC(err)
}

// GetStatus returns the current or last session and the latest health report.
func (c *Client) GetStatus(ctx context.Context) (*tradingv1.GetStatusResponse, error) {
	resp, err := c.trading.GetStatus(ctx, &tradingv1.GetStatusRequest{})
	return resp, fromRPC(err)
}

// Health asks the standard grpc.health.v1 service about service ("" is the
// daemon as a whole). It needs no token, so it also works as a reachability
// probe.
func (c *Client) Health(ctx context.Context, service string) (healthpb.HealthCheckResponse_ServingStatus, error) {
	resp, err := c.health.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return healthpb.HealthCheckResponse_UNKNOWN, fromRPC(err)
	}
	return resp.GetStatus(), nil
}
