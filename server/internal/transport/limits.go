package transport

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
)

// Limits bound what clients can make the daemon hold or do. A zero field
// takes its default.
type Limits struct {
	// MaxRecvMsgSize bounds one request. Ours are a few hundred bytes;
	// 1 MiB leaves room for a long symbol list and refuses a garbage
	// payload before it is buffered and parsed.
	MaxRecvMsgSize int
	// MaxSendMsgSize bounds one response (16 MiB, which client.MaxMessageSize
	// receives). Lists page far below it (server/internal/service/paging.go), so a
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
	// MaxConns bounds the gRPC connections open at once (2,048), and
	// MaxConnsPerPeer those from one peer (256; a peer is an IP address,
	// an IPv6 /64). Past either, a new connection is closed as soon as it
	// is accepted. Each idle connection costs a file descriptor and about
	// 25 KiB; SECURITY.md has the measured ceilings.
	MaxConns        int
	MaxConnsPerPeer int
	// MaxPublicStreams bounds the streams open at once without a token:
	// grpc.health.v1 Watch and reflection (1,000 daemon-wide). An
	// orchestrator needs a few; each costs a goroutine and buffers
	// (25,600 took 421 MiB, issue 10).
	MaxPublicStreams int
	// MaxAwaiting bounds the calls without the token that wait for their
	// request message at once (512), MaxAwaitingPerPeer those from one
	// peer (64), and RequestWait how long each may wait (10 s); see
	// awaited. Not flags: they are sized to the protocol, not the site.
	MaxAwaiting        int
	MaxAwaitingPerPeer int
	RequestWait        time.Duration
	// ControlRate limits TradingService unary calls per peer IP address
	// (20/s, bursts of 40): far above what a person or a polling dashboard
	// makes, low enough that a runaway script cannot starve the daemon.
	ControlRate security.Rate
}

// DefaultControlRate is 20 calls a second per peer, in bursts of up to 40.
var DefaultControlRate = security.Rate{N: 20, Per: time.Second, Burst: 40}

// Defaults.
const (
	DefaultMaxWatchers          = 20_000
	DefaultMaxOrderWatchers     = 10_000
	DefaultMaxConns             = 2048
	DefaultMaxConnsPerPeer      = 256
	DefaultMaxPublicStreams     = 1000
	defaultMaxRecvMsgSize       = 1 << 20
	defaultMaxSendMsgSize       = 16 << 20
	defaultMaxConcurrentStreams = 1024
	// handshakeTimeout bounds a new connection's setup (TLS and the HTTP/2
	// preface), so half-open connections do not pile up.
	handshakeTimeout = 10 * time.Second
	// maxHeaderListSize bounds a call's headers (gRPC's default is 16
	// MiB). The client package's GetStatus, its token, deadline and
	// grpc-go's own headers included, sends 506 bytes as HTTP/2 counts them
	// (32 bytes a field on top of names and values; measured with a
	// 64-character token, ours have 43); 8 KiB leaves room for a proxy's
	// (TestHeaderListSize).
	maxHeaderListSize = 8 << 10
	// A client sends its request right after the headers; 10 s covers a
	// slow link. Each waiting call costs about 12 KiB (issue 10's figures).
	defaultMaxAwaiting        = 512
	defaultMaxAwaitingPerPeer = 64
	defaultRequestWait        = 10 * time.Second
	// A connection without calls for connIdle is closed (GOAWAY); a
	// client reconnects when it next calls. Any connection is asked to go
	// after connMaxAge (plus gRPC's 10% jitter) and its calls get
	// connAgeGrace to finish: a WatchHealth stream is then cut and
	// tradectl watch-health reconnects, which it does after any cut.
	connIdle     = 5 * time.Minute
	connMaxAge   = 2 * time.Hour
	connAgeGrace = time.Minute
)

// WithDefaults is l with every limit left at zero set to its default.
func (l Limits) WithDefaults() Limits {
	orDefault(&l.MaxRecvMsgSize, defaultMaxRecvMsgSize)
	orDefault(&l.MaxSendMsgSize, defaultMaxSendMsgSize)
	orDefault(&l.MaxConcurrentStreams, defaultMaxConcurrentStreams)
	orDefault(&l.MaxWatchers, DefaultMaxWatchers)
	orDefault(&l.MaxOrderWatchers, DefaultMaxOrderWatchers)
	orDefault(&l.MaxConns, DefaultMaxConns)
	orDefault(&l.MaxConnsPerPeer, DefaultMaxConnsPerPeer)
	orDefault(&l.MaxPublicStreams, DefaultMaxPublicStreams)
	orDefault(&l.MaxAwaiting, defaultMaxAwaiting)
	orDefault(&l.MaxAwaitingPerPeer, defaultMaxAwaitingPerPeer)
	orDefault(&l.RequestWait, defaultRequestWait)
	if l.ControlRate == (security.Rate{}) {
		l.ControlRate = DefaultControlRate
	}
	return l
}

// orDefault sets a limit left at zero (or below: the daemon's flags refuse
// those before they get here) to its default.
func orDefault[T int | uint32 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// ServerOptions are the transport-level limits. The connection caps are
// the listener's (ConnCap). tok spares its holders the count of calls
// waiting for their request.
func (l Limits) ServerOptions(tok security.TokenMatcher) []grpc.ServerOption {
	aw := newAwaited(l.MaxAwaiting, l.MaxAwaitingPerPeer, l.RequestWait, tok)
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(l.MaxRecvMsgSize),
		grpc.MaxSendMsgSize(l.MaxSendMsgSize),
		grpc.MaxConcurrentStreams(l.MaxConcurrentStreams),
		grpc.MaxHeaderListSize(maxHeaderListSize),
		grpc.ConnectionTimeout(handshakeTimeout),
		grpc.InTapHandle(aw.tap),
		// Before serverInterceptors' chains: grpc.NewServer appends them
		// in order, so these are outermost.
		grpc.ChainUnaryInterceptor(awaitUnary),
		grpc.ChainStreamInterceptor(awaitStream),
		// Detect dead watchers and let clients keep idle watch streams
		// alive through NATs without being called abusive.
		grpc.KeepaliveParams(keepalive.ServerParameters{
			Time: 30 * time.Second, Timeout: 10 * time.Second,
			MaxConnectionIdle: connIdle, MaxConnectionAge: connMaxAge, MaxConnectionAgeGrace: connAgeGrace,
		}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
}

// Guards are the limits enforced by interceptors: the per-peer rate limit
// and the caps on open streams.
type Guards struct {
	rate     *security.PeerLimiter // nil: unlimited
	watchers watcherCaps
}

// NewGuards builds the guards of l; a call presenting tok gets rate
// budgets of its own (security.PeerLimiter).
func NewGuards(l Limits, tok security.TokenMatcher) Guards {
	g := Guards{watchers: watcherCaps{
		byMethod: map[string]*watcherCap{
			tradingv1.TradingService_WatchHealth_FullMethodName: {max: int64(l.MaxWatchers),
				what: "WatchHealth streams", flag: "--max-watchers"},
			tradingv1.TradingService_WatchOrders_FullMethodName: {max: int64(l.MaxOrderWatchers),
				what: "WatchOrders streams", flag: "--max-order-watchers"},
		},
		public: &watcherCap{max: int64(l.MaxPublicStreams),
			what: "streams without a token (grpc.health.v1 Watch, reflection)", flag: "--max-public-streams"},
	}}
	if !l.ControlRate.Off {
		g.rate = security.NewPeerLimiter(l.ControlRate, tok)
	}
	return g
}

// UnaryRate is the per-peer rate limit, or a pass-through when it is off.
func (g Guards) UnaryRate() grpc.UnaryServerInterceptor {
	if g.rate == nil {
		return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			return h(ctx, req)
		}
	}
	return g.rate.Unary()
}

// StreamRate is the per-peer rate limit on opening streams, or a
// pass-through when it is off.
func (g Guards) StreamRate() grpc.StreamServerInterceptor {
	if g.rate == nil {
		return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			return h(srv, ss)
		}
	}
	return g.rate.Stream()
}

// Watchers holds a slot for the life of each capped stream (WatchHealth,
// WatchOrders, the public streams), refusing one when its kind has none
// free.
func (g Guards) Watchers() grpc.StreamServerInterceptor { return g.watchers.stream() }

// watcherCap counts the open streams of one kind.
type watcherCap struct {
	max        int64
	what, flag string
	n          atomic.Int64
}

// watcherCaps are the watch methods' caps, each counted on its own, and
// the cap of streams that need no token (health Watch, reflection): those
// are anyone's, so they get a smaller count of their own that cannot crowd
// out the operator's watchers.
type watcherCaps struct {
	byMethod map[string]*watcherCap
	public   *watcherCap
}

// stream holds a slot for the life of each capped stream and refuses one
// when its kind has none free. Other streams of the services behind the
// token (TradingService, StrategyService) pass untouched: counted as
// public, a remote strategy was refused while anonymous health watchers
// held every public slot.
func (w watcherCaps) stream() grpc.StreamServerInterceptor {
	trading := "/" + tradingv1.TradingService_ServiceDesc.ServiceName + "/"
	strategy := "/" + tradingv1.StrategyService_ServiceDesc.ServiceName + "/"
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		c := w.byMethod[info.FullMethod]
		if c == nil && !strings.HasPrefix(info.FullMethod, trading) && !strings.HasPrefix(info.FullMethod, strategy) {
			c = w.public
		}
		if c == nil {
			return h(srv, ss)
		}
		defer c.n.Add(-1)
		if c.n.Add(1) > c.max {
			return tradingv1.ErrorReason_ERROR_REASON_TOO_MANY_WATCHERS.Status(
				fmt.Sprintf("too many watchers: tradingd serves at most %d %s at once (%s); retry later", c.max, c.what, c.flag), nil).Err()
		}
		return h(srv, ss)
	}
}
