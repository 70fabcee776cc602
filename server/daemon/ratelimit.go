package daemon

import (
	"container/list"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Rate is N calls per Per, in bursts of up to Burst. Off disables the limit.
type Rate struct {
	N     int
	Per   time.Duration
	Burst int
	Off   bool
}

var rateUnits = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}

// ParseRate reads "N/s", "N/m" or "N/h" (bursts of 2N), or "off".
func ParseRate(s string) (Rate, error) {
	if s == "off" {
		return Rate{Off: true}, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(num)
	per, known := rateUnits[unit]
	if !ok || err != nil || n <= 0 || !known {
		return Rate{}, fmt.Errorf("rate %q: want N/s, N/m or N/h with N > 0, or off", s)
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

// peerLimiter keeps a bucket per peer IP address in LRU order. It owns no
// goroutine: idle buckets are dropped as calls come in. A bucket idle long
// enough to have refilled is the same as a new one, so dropping it loses
// nothing; dropping the least recently used when the table is full only
// forgives that peer's debt.
type peerLimiter struct {
	rate Rate
	max  int
	idle time.Duration
	now  func() time.Time

	mu    sync.Mutex
	peers map[string]*list.Element // of *bucket
	lru   list.List                // front: most recently used
}

func newPeerLimiter(r Rate, maxPeers int, now func() time.Time) *peerLimiter {
	refill := r.Per * time.Duration(r.Burst) / time.Duration(r.N)
	return &peerLimiter{rate: r, max: maxPeers, idle: max(time.Minute, refill), now: now,
		peers: make(map[string]*list.Element)}
}

// allow takes a token from key's bucket, or says how long until one is due.
func (l *peerLimiter) allow(key string) (bool, time.Duration) {
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
	return e.Value.(*bucket).take(l.rate, now)
}

func (l *peerLimiter) drop(e *list.Element) {
	l.lru.Remove(e)
	delete(l.peers, e.Value.(*bucket).key)
}

// unary refuses a call over its peer's rate with RESOURCE_EXHAUSTED and a
// RetryInfo saying when the next call will be let through.
func (l *peerLimiter) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ok, wait := l.allow(peerKey(ctx))
		if ok {
			return h(ctx, req)
		}
		wait = wait.Truncate(time.Millisecond) + time.Millisecond
		st := status.New(codes.ResourceExhausted, fmt.Sprintf("rate limit: %d calls/%s per peer; retry in %s",
			l.rate.N, l.rate.unit(), wait))
		if d, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(wait)}); err == nil {
			st = d
		}
		return nil, st.Err()
	}
}

// peerKey is the peer's IP address without the port, since one client
// opens many connections. An address that is not host:port (bufconn, a
// Unix socket) is used whole.
func peerKey(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return "unknown"
	}
	if a, ok := p.Addr.(*net.TCPAddr); ok {
		return a.IP.String()
	}
	s := p.Addr.String()
	if host, _, err := net.SplitHostPort(s); err == nil {
		return host
	}
	return s
}
