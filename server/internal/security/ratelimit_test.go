package security

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

const testToken = "test-token-0123456789abcdef"

// A peer is this machine for any loopback address, an IPv4 address, or an
// IPv6 /64: nine loopback aliases or the addresses of one /64 share one
// budget.
func TestPeerIsAPrefix(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"127.0.0.1", "127.0.0.9", true},
		{"127.0.0.1", "::1", true},
		{"2001:db8::1", "2001:db8::ffff:1", true},
		{"2001:db8::1", "2001:db8:0:1::1", false},
		{"192.0.2.1", "::ffff:192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
	} {
		if same := ipPeer(net.ParseIP(tc.a)) == ipPeer(net.ParseIP(tc.b)); same != tc.same {
			t.Errorf("%s and %s: one peer = %v, want %v (%s, %s)", tc.a, tc.b, same, tc.same,
				ipPeer(net.ParseIP(tc.a)), ipPeer(net.ParseIP(tc.b)))
		}
	}
}

// Many peers together get globalPeers times one peer's budget, no more.
func TestGlobalCeilingAcrossPeers(t *testing.T) {
	now := time.Unix(0, 0)
	l := newPeerLimiter(Rate{N: 1, Per: time.Second, Burst: 2}, 1000, func() time.Time { return now })
	allowed := 0
	var global bool
	for p := range 100 {
		for range 2 {
			ok, _, g := l.allow(fmt.Sprint("peer", p))
			if ok {
				allowed++
			}
			global = global || g
		}
	}
	if want := 2 * globalPeers; allowed != want || !global {
		t.Fatalf("100 peers with a burst of 2 each: %d calls let through (global refusal %v), want %d", allowed, global, want)
	}
}

func TestPeerLimiterRefillsAndForgets(t *testing.T) {
	now := time.Unix(0, 0)
	l := newPeerLimiter(Rate{N: 10, Per: time.Second, Burst: 2}, 2, func() time.Time { return now })
	for i := range 2 {
		if ok, _, _ := l.allow("a"); !ok {
			t.Fatalf("call %d within the burst refused", i)
		}
	}
	if ok, wait, _ := l.allow("a"); ok || wait != 100*time.Millisecond {
		t.Fatalf("past the burst: ok=%v wait=%v, want refused for 100ms", ok, wait)
	}
	now = now.Add(100 * time.Millisecond)
	if ok, _, _ := l.allow("a"); !ok {
		t.Fatal("not refilled after 100ms")
	}
	// The table holds two peers: a third drops the least recently used.
	l.allow("b")
	l.allow("c")
	if _, kept := l.peers["a"]; kept || len(l.peers) != 2 {
		t.Fatalf("peers %v, want b and c", keys(l))
	}
	// Idle buckets go once idle past the refill time and a minute.
	now = now.Add(2 * time.Minute)
	l.allow("d")
	if len(l.peers) != 1 {
		t.Fatalf("peers %v after two idle minutes, want d", keys(l))
	}
}

func keys(l *PeerLimiter) []string {
	var ks []string
	for k := range l.peers {
		ks = append(ks, k)
	}
	return ks
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{
		"20/s": {N: 20, Per: time.Second, Burst: 40},
		"90/m": {N: 90, Per: time.Minute, Burst: 180},
		"off":  {Off: true},
	} {
		if got, err := ParseRate(in); err != nil || got != want || got.String() != in {
			t.Errorf("ParseRate(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	// A rate too large to count with (its burst, or all peers' budget,
	// would overflow and refuse every call) is refused, not wrapped.
	for _, bad := range []string{"", "20", "0/s", "-1/s", "20/d", "x/s", "9223372036854775807/s", "1000000001/s"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

// The rate limit sits before authentication: once many addresses without
// the token have spent the global budget, a call carrying the token still
// has a budget of its own (the daemon's
// TestAFloodWithoutTheTokenDoesNotLockOutTheOperator floods one peer).
func TestATokenOutlastsAFloodFromManyPeers(t *testing.T) {
	now := time.Unix(0, 0)
	l := newPeerLimiter(Rate{N: 1, Per: time.Second, Burst: 2}, 1000, func() time.Time { return now })
	l.tok = NewToken(testToken)
	from := func(ip string, md ...string) context.Context {
		ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.ParseIP(ip), Port: 1}})
		return metadata.NewIncomingContext(ctx, metadata.Pairs(md...))
	}
	for p := range 100 {
		_ = l.refuse(from(fmt.Sprintf("192.0.2.%d", p)))
		_ = l.refuse(from(fmt.Sprintf("192.0.2.%d", p)))
	}
	if err := l.refuse(from("198.51.100.1", "authorization", "Bearer wrong")); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("a new peer without the token past the global budget: %v, want RESOURCE_EXHAUSTED", err)
	}
	if err := l.refuse(from("198.51.100.1", "authorization", "Bearer "+testToken)); err != nil {
		t.Fatalf("the operator past a global budget spent by 100 peers without the token: %v", err)
	}
}
