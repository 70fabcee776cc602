package daemon

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Limits bound what clients can make the daemon hold or do. A zero field
// takes its default.
type Limits struct {
	// MaxRecvMsgSize bounds one request. Ours are a few hundred bytes;
	// 1 MiB leaves room for a long symbol list and refuses a garbage
	// payload before it is buffered and parsed.
	MaxRecvMsgSize int
	// MaxSendMsgSize bounds one response (16 MiB, which client.MaxMessageSize
	// receives). Lists page far below it (server/service/paging.go), so a
	// client with gRPC's 4 MiB default gets every page too.
	MaxSendMsgSize int
	// MaxConcurrentStreams bounds the open calls on one connection (1024):
	// a dashboard multiplexing its watchers over one connection fits (the
	// fan-out benchmark puts 1,000 on each), but a single connection cannot
	// open streams without end. Past it, gRPC clients queue new calls.
	MaxConcurrentStreams uint32
	// MaxWatchers bounds the WatchHealth and WatchOrders streams open at
	// once, daemon-wide (20,000: twice what the fan-out benchmark runs).
	// Each costs a goroutine and buffers; past the cap a new watch is
	// refused with RESOURCE_EXHAUSTED.
	MaxWatchers int
	// ControlRate limits TradingService unary calls per peer IP address
	// (20/s, bursts of 40): far above what a person or a polling dashboard
	// makes, low enough that a runaway script cannot starve the daemon.
	ControlRate Rate
}

// Defaults.
const (
	DefaultMaxWatchers          = 20_000
	defaultMaxRecvMsgSize       = 1 << 20
	defaultMaxSendMsgSize       = 16 << 20
	defaultMaxConcurrentStreams = 1024
	// handshakeTimeout bounds a new connection's setup (TLS and the HTTP/2
	// preface), so half-open connections do not pile up.
	handshakeTimeout = 10 * time.Second
)

// DefaultControlRate is 20 calls a second per peer, in bursts of up to 40.
var DefaultControlRate = Rate{N: 20, Per: time.Second, Burst: 40}

func (l Limits) withDefaults() Limits {
	if l.MaxRecvMsgSize <= 0 {
		l.MaxRecvMsgSize = defaultMaxRecvMsgSize
	}
	if l.MaxSendMsgSize <= 0 {
		l.MaxSendMsgSize = defaultMaxSendMsgSize
	}
	if l.MaxConcurrentStreams == 0 {
		l.MaxConcurrentStreams = defaultMaxConcurrentStreams
	}
	if l.MaxWatchers <= 0 {
		l.MaxWatchers = DefaultMaxWatchers
	}
	if l.ControlRate == (Rate{}) {
		l.ControlRate = DefaultControlRate
	}
	return l
}

// serverOptions are the transport-level limits.
func (l Limits) serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(l.MaxRecvMsgSize),
		grpc.MaxSendMsgSize(l.MaxSendMsgSize),
		grpc.MaxConcurrentStreams(l.MaxConcurrentStreams),
		grpc.ConnectionTimeout(handshakeTimeout),
	}
}

// guards are the limits enforced by interceptors.
type guards struct {
	rate     *peerLimiter // nil: unlimited
	watchers *watcherCap
}

func newGuards(l Limits) guards {
	g := guards{watchers: &watcherCap{max: int64(l.MaxWatchers)}}
	if !l.ControlRate.Off {
		g.rate = newPeerLimiter(l.ControlRate, maxPeers, time.Now)
	}
	return g
}

// unaryRate is the per-peer rate limit, or a pass-through when it is off.
func (g guards) unaryRate() grpc.UnaryServerInterceptor {
	if g.rate == nil {
		return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			return h(ctx, req)
		}
	}
	return g.rate.unary()
}

// watcherCap counts the open watch streams.
type watcherCap struct {
	max int64
	n   atomic.Int64
}

var watchMethods = map[string]bool{
	tradingv1.TradingService_WatchHealth_FullMethodName: true,
	tradingv1.TradingService_WatchOrders_FullMethodName: true,
}

// stream holds a slot for the life of each watch stream and refuses a
// watch when none is free. Other streams pass untouched.
func (w *watcherCap) stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if !watchMethods[info.FullMethod] {
			return h(srv, ss)
		}
		defer w.n.Add(-1)
		if w.n.Add(1) > w.max {
			return status.Error(codes.ResourceExhausted,
				fmt.Sprintf("too many watchers: tradingd serves at most %d WatchHealth and WatchOrders streams at once (--max-watchers); retry later", w.max))
		}
		return h(srv, ss)
	}
}
