package transport

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestPeerIsAnIPv4AddressOrAnIPv6Slash64(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"127.0.0.1:1", "127.0.0.1:2"},
		{"[2001:db8:1:2:aaaa::1]:1", "[2001:db8:1:2:bbbb::9]:2"},
		{"[::ffff:10.0.0.1]:1", "10.0.0.1:2"},
	} {
		if peerOf(tcpAddr(tc.a)) != peerOf(tcpAddr(tc.b)) {
			t.Errorf("%s and %s are one peer", tc.a, tc.b)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"127.0.0.1:1", "127.0.0.2:1"},
		{"[2001:db8:1:2::1]:1", "[2001:db8:1:3::1]:1"},
	} {
		if peerOf(tcpAddr(tc.a)) == peerOf(tcpAddr(tc.b)) {
			t.Errorf("%s and %s are two peers", tc.a, tc.b)
		}
	}
}

func tcpAddr(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }

// A connection past the cap is closed on accept and counted; one that
// closes gives its slot back.
func TestConnCapClosesWhatIsPastTheCap(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := NewConnCap(lis, 1, 1)
	defer c.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			conn, err := c.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- conn
		}
	}()
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", lis.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	dial()
	first := <-accepted
	second := dial()
	// The server closed it: a read ends at once rather than waiting.
	_ = second.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := second.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection past the cap of 1 was kept open")
	}
	if c.Open() != 1 || c.Refused() != 1 {
		t.Fatalf("open %d, refused %d; want 1 and 1", c.Open(), c.Refused())
	}
	first.Close()
	dial()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the slot a closed connection gave back was not reused")
	}
	if c.Refused() != 1 {
		t.Fatalf("refused %d after a slot came back, want 1", c.Refused())
	}
}
