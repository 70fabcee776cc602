package transport

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// ConnCap is a net.Listener that holds at most max connections open at
// once, and at most perPeer from one peer. A connection past either cap is
// closed as soon as it is accepted, before TLS or HTTP/2 costs anything: a
// file descriptor and a goroutine per idle connection is how a flood of
// them exhausted the daemon (issue 10).
//
// A peer is an IP address, and for IPv6 its /64: one host is usually
// given a whole /64 and can pick any address in it.
type ConnCap struct {
	net.Listener
	max, perPeer int

	mu    sync.Mutex
	open  int
	peers map[netip.Prefix]int

	refused atomic.Uint64
}

// NewConnCap caps the connections l hands out.
func NewConnCap(l net.Listener, max, perPeer int) *ConnCap {
	return &ConnCap{Listener: l, max: max, perPeer: perPeer, peers: map[netip.Prefix]int{}}
}

// Accept returns the next connection within the caps; the ones past them
// are closed and counted, and Accept waits for the next.
func (c *ConnCap) Accept() (net.Conn, error) {
	for {
		conn, err := c.Listener.Accept()
		if err != nil {
			return nil, err
		}
		p := peerOf(conn.RemoteAddr())
		if !c.take(p) {
			c.refused.Add(1)
			conn.Close()
			continue
		}
		return &cappedConn{Conn: conn, release: func() { c.give(p) }}, nil
	}
}

func (c *ConnCap) take(p netip.Prefix) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open >= c.max || c.peers[p] >= c.perPeer {
		return false
	}
	c.open++
	c.peers[p]++
	return true
}

func (c *ConnCap) give(p netip.Prefix) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open--
	if c.peers[p]--; c.peers[p] <= 0 {
		delete(c.peers, p)
	}
}

// Open is the number of connections held now.
func (c *ConnCap) Open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open
}

// Refused is the number of connections closed on accept past a cap.
func (c *ConnCap) Refused() uint64 { return c.refused.Load() }

// peerOf is the peer a remote address belongs to: its IPv4 address, or its
// IPv6 /64. Addresses that are not IP (a unix socket, bufconn) are one
// peer together.
func peerOf(a net.Addr) netip.Prefix { return PeerOf(a.String()) }

// PeerOf is peerOf for a "host:port" remote address (an http.Request's
// RemoteAddr), so that every cap counts the same peers.
func PeerOf(remoteAddr string) netip.Prefix {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return netip.Prefix{}
	}
	ip := ap.Addr().Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}

// cappedConn gives its slot back on its first Close.
type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
