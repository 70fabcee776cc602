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
	// MaxWatchers bounds the WatchHealth streams open at once,
	// daemon-wide (20,000: twice what the fan-out benchmark runs). Each
	// costs a goroutine and a one-slot buffer; past the cap a new watch is
	// refused with RESOURCE_EXHAUSTED.
	MaxWatchers int
	// MaxOrderWatchers bounds the WatchOrders streams open at once, on a
	// count of their own, so that order watchers cannot crowd out health
	// watchers or the reverse (10,000: what the fan-out benchmark runs,
	// at a cursor and a goroutine each, see BENCHMARKS.md).
	MaxOrderWatchers int
	// ControlRate limits TradingService unary calls per peer IP address
	// (20/s, bursts of 40): far above what a person or a polling dashboard
	// makes, low enough that a runaway script cannot starve the daemon.
	ControlRate Rate
}

// Defaults.
const (
	DefaultMaxWatchers          = 20_000
	DefaultMaxOrderWatchers     = 10_000
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
	if l.MaxOrderWatchers <= 0 {
		l.MaxOrderWatchers = DefaultMaxOrderWatchers
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
	watchers watcherCaps
}

func newGuards(l Limits, tok tokenMatcher) guards {
	g := guards{watchers: watcherCaps{
		tradingv1.TradingService_WatchHealth_FullMethodName: {max: int64(l.MaxWatchers),
			what: "WatchHealth streams", flag: "--max-watchers"},
		tradingv1.TradingService_WatchOrders_FullMethodName: {max: int64(l.MaxOrderWatchers),
			what: "WatchOrders streams", flag: "--max-order-watchers"},
	}}
	if !l.ControlRate.Off {
		g.rate = newPeerLimiter(l.ControlRate, maxPeers, time.Now)
		g.rate.tok = tok
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

// watcherCap counts the open streams of one watch method.
type watcherCap struct {
	max        int64
	what, flag string
	n          atomic.Int64
}

// watcherCaps are the watch methods' caps, each counted on its own.
type watcherCaps map[string]*watcherCap

// stream holds a slot for the life of each watch stream and refuses a
// watch when its method has none free. Other streams pass untouched.
func (w watcherCaps) stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		c := w[info.FullMethod]
		if c == nil {
			return h(srv, ss)
		}
		defer c.n.Add(-1)
		if c.n.Add(1) > c.max {
			return status.Error(codes.ResourceExhausted,
				fmt.Sprintf("too many watchers: tradingd serves at most %d %s at once (%s); retry later", c.max, c.what, c.flag))
		}
		return h(srv, ss)
	}
}
