package client

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// ErrBadAddress: the address given to New cannot name a daemon. It is the
// caller's mistake, not the daemon's absence, so it is not ErrUnavailable.
var ErrBadAddress = errors.New("bad address")

// checkAddr accepts host:port, or a gRPC target with a scheme
// (unix:/path, dns:///host:port, passthrough:///name). gRPC itself would
// accept "notanaddr" and fail only at the first call, as if the daemon were
// down.
func checkAddr(addr string) error {
	// gRPC target URIs (dns:, unix:, passthrough:...) are the resolver's to
	// judge; only a bare HOST:PORT is checked here.
	for _, scheme := range []string{"dns:", "unix:", "unix-abstract:", "passthrough:"} {
		if strings.HasPrefix(addr, scheme) {
			return nil
		}
	}
	if strings.Contains(addr, "://") {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err == nil && port == "" {
		err = errors.New("the port is missing")
	}
	if err != nil {
		return fmt.Errorf("%w %q: want HOST:PORT (for example %s) or unix:PATH: %v", ErrBadAddress, addr, DefaultAddr, err)
	}
	return nil
}
