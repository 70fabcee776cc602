package web

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// NewServer is the dashboard's http.Server. Its limits stand in for what
// gRPC's own transport would enforce and ServeHTTP does not (keepalive,
// idle connections, header sizes): a client that sends nothing, or half a
// header, is cut off. There is no WriteTimeout, because it would cut
// every WatchHealth and WatchOrders stream at that age; the gRPC server's
// GracefulStop ends the streams at shutdown.
func NewServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second, // a request's body; it does not cut a response stream
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    8 << 10,
		// 100 streams per HTTP/2 connection (Go's default is 250): a
		// browser shares one among its tabs, each holding a stream or two;
		// an attacker's 224 connections of held streams took RSS up by
		// 68 MiB at 250, 44 MiB at 100.
		HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 100},
		// net/http's own complaints (TLS handshake errors, bad requests)
		// go to the daemon's log, not stderr; they carry no headers.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Connection caps for the dashboard's listener (transport.NewConnCap): a
// browser holds six connections per host over HTTP/1.1, a few tabs fewer
// than the cap per peer.
const (
	MaxConns        = 256
	MaxConnsPerPeer = 32
)

// Hosts is the Host allow-list for a listener at addr: addr itself, and
// when it is a loopback address the other names of loopback at the same
// port (127.0.0.1, [::1], localhost). Each of names (a DNS name a
// browser uses under TLS, without a port) is allowed with addr's port and,
// for a proxy or port 443, without one.
func Hosts(addr net.Addr, names ...string) []string {
	a := addr.String()
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return []string{a}
	}
	hosts := []string{a}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		for _, h := range []string{"127.0.0.1", "[::1]", "localhost"} {
			hosts = append(hosts, h+":"+port)
		}
	}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" {
			hosts = append(hosts, net.JoinHostPort(n, port), n)
		}
	}
	return hosts
}
