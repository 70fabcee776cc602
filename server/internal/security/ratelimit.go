package security

import (
	"container/list"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Rate is N calls per Per, in bursts of up to Burst. Off disables the limit.
type Rate struct {
	N     int
	Per   time.Duration
	Burst int
	Off   bool
}

// maxRate bounds N: the global bucket holds 2*N*globalPeers calls, and a
// larger N would overflow it (and refuse every call) rather than be
// unlimited, which is what "off" is for.
const maxRate = 1_000_000

var rateUnits = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}

// ParseRate reads "N/s", "N/m" or "N/h" (bursts of 2N), or "off".
func ParseRate(s string) (Rate, error) {
	if s == "off" {
		return Rate{Off: true}, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(num)
	per, known := rateUnits[unit]
	if !ok || err != nil || n <= 0 || n > maxRate || !known {
		return Rate{}, fmt.Errorf("rate %q: want N/s, N/m or N/h with 0 < N <= %d, or off", s, maxRate)
	}
	return Rate{N: n, Per: per, Burst: 2 * n}, nil
}

func (r Rate) String() string {
	if r.Off {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.N, r.unit())
}

func (r Rate) unit() string {
	for u, d := range rateUnits {
		if d == r.Per {
			return u
		}
	}
	return r.Per.String()
}

// bucket is a token bucket: it holds up to Burst calls and refills at N
// per Per.
type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

// take spends a token if there is one; otherwise it says how long until
// there is.
func (b *bucket) take(r Rate, now time.Time) (bool, time.Duration) {
	perToken := r.Per / time.Duration(r.N)
	b.tokens = min(float64(r.Burst), b.tokens+float64(now.Sub(b.last))/float64(perToken))
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(perToken))
}

// maxPeers bounds the buckets kept: about 100 bytes each.
const maxPeers = 10_000

// globalPeers is the global ceiling, in peers' worth: all peers together
// get this many times one peer's rate and burst. Without it, a client
// with many addresses (a /48 of IPv6, or loopback aliases before they
// counted as one peer) would get a budget per address.
const globalPeers = 10

// PeerLimiter keeps a bucket per peer (PeerKey) in LRU order, and one for
// all peers together. It owns no goroutine: idle buckets are dropped as
// calls come in. A bucket idle long enough to have refilled is the same as
// a new one, so dropping it loses nothing; dropping the least recently used
// when the table is full only forgives that peer's debt, and the global
// bucket still holds.
type PeerLimiter struct {
	rate       Rate
	globalRate Rate
	max        int
	idle       time.Duration
	now        func() time.Time

	// tok, if set, lets a call that presents the token through on
	// budgets of its own (key "token <peer>", and tokenGlobal) once the
	// shared ones are spent: the limit sits before authentication, and
	// without them anyone who can connect (another local user, who shares
	// the loopback peer; ten addresses anywhere, who spend the global
	// budget) would lock the operator out, StopTrading included.
	tok TokenMatcher

	mu          sync.Mutex
	global      bucket
	tokenGlobal bucket
	peers       map[string]*list.Element // of *bucket
	lru         list.List                // front: most recently used
}

// NewPeerLimiter limits calls to r per peer, and globalPeers times r from
// all peers together; a call that presents tok (if not nil) gets budgets of
// its own once the shared ones are spent.
func NewPeerLimiter(r Rate, tok TokenMatcher) *PeerLimiter {
	l := newPeerLimiter(r, maxPeers, time.Now)
	l.tok = tok
	return l
}

func newPeerLimiter(r Rate, maxPeers int, now func() time.Time) *PeerLimiter {
	refill := r.Per * time.Duration(r.Burst) / time.Duration(r.N)
	g := Rate{N: r.N * globalPeers, Per: r.Per, Burst: r.Burst * globalPeers}
	return &PeerLimiter{rate: r, globalRate: g, max: maxPeers, idle: max(time.Minute, refill), now: now,
		global: bucket{tokens: float64(g.Burst), last: now()}, tokenGlobal: bucket{tokens: float64(g.Burst), last: now()},
		peers: make(map[string]*list.Element)}
}

// allow takes a token from key's bucket and then from the global one, or
// says how long until one is due and whose budget is spent.
func (l *PeerLimiter) allow(key string) (ok bool, wait time.Duration, global bool) {
	return l.allowIn(key, &l.global)
}

// allowIn is allow with the global bucket given.
func (l *PeerLimiter) allowIn(key string, globalBucket *bucket) (ok bool, wait time.Duration, global bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for e := l.lru.Back(); e != nil && now.Sub(e.Value.(*bucket).last) > l.idle; e = l.lru.Back() {
		l.drop(e)
	}
	e, ok := l.peers[key]
	if ok {
		l.lru.MoveToFront(e)
	} else {
		if l.lru.Len() >= l.max {
			l.drop(l.lru.Back())
		}
		e = l.lru.PushFront(&bucket{key: key, tokens: float64(l.rate.Burst), last: now})
		l.peers[key] = e
	}
	if ok, wait := e.Value.(*bucket).take(l.rate, now); !ok {
		return false, wait, false
	}
	ok, wait = globalBucket.take(l.globalRate, now)
	return ok, wait, !ok
}

func (l *PeerLimiter) drop(e *list.Element) {
	l.lru.Remove(e)
	delete(l.peers, e.Value.(*bucket).key)
}

// refuse is nil if ctx's peer may make a call now, else RESOURCE_EXHAUSTED
// with a RetryInfo saying when the next call will be let through.
func (l *PeerLimiter) refuse(ctx context.Context) error {
	key := PeerKey(ctx)
	ok, wait, global := l.allow(key)
	if !ok && l.tok != nil && presentsToken(ctx, l.tok) {
		ok, wait, global = l.allowIn("token "+key, &l.tokenGlobal)
	}
	if ok {
		return nil
	}
	wait = wait.Truncate(time.Millisecond) + time.Millisecond
	msg := fmt.Sprintf("rate limit: %d calls/%s per peer; retry in %s", l.rate.N, l.rate.unit(), wait)
	if global {
		msg = fmt.Sprintf("rate limit: %d calls/%s from all peers together; retry in %s", l.globalRate.N, l.rate.unit(), wait)
	}
	return tradingv1.ErrorReason_ERROR_REASON_RATE_LIMITED.Status(msg, nil,
		&errdetails.RetryInfo{RetryDelay: durationpb.New(wait)}).Err()
}

// presentsToken reports whether ctx's call carries the token. It is
// asked only of a call over a shared budget, and costs one SHA-256 of what
// the client sent, at most maxTokenFile bytes: no longer bearer can match,
// so a flood of huge ones is not hashed.
func presentsToken(ctx context.Context, tok TokenMatcher) bool {
	presented, err := auth.AuthFromMD(ctx, "bearer")
	return err == nil && len(presented) <= maxTokenFile && tok.Matches(presented)
}

// Unary limits unary calls.
func (l *PeerLimiter) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := l.refuse(ctx); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// Stream limits the opening of streams like unary calls: a watch with a
// bad token costs as much to refuse as any call.
func (l *PeerLimiter) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if err := l.refuse(ss.Context()); err != nil {
			return err
		}
		return h(srv, ss)
	}
}

// PeerKey is who a peer is, for the rate limit and for aggregating
// refusals: one client opens many connections, and often holds many
// addresses. Loopback is one peer (all of 127.0.0.0/8 and ::1 are this
// machine); an IPv4 address is one peer (/32); an IPv6 peer is its /64,
// the smallest prefix a site is given. An address that is not host:port
// (bufconn, a Unix socket) is used whole.
func PeerKey(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return "unknown"
	}
	var ip net.IP
	if a, ok := p.Addr.(*net.TCPAddr); ok {
		ip = a.IP
	} else if host, _, err := net.SplitHostPort(p.Addr.String()); err == nil {
		ip = net.ParseIP(host)
		if ip == nil {
			return host
		}
	} else {
		return p.Addr.String()
	}
	return ipPeer(ip)
}

// ipPeer is the peer key of an IP address.
func ipPeer(ip net.IP) string {
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.To4() != nil:
		return ip.To4().String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
