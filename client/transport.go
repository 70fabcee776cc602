package client

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// ErrPlaintext is wrapped by New's refusal to dial a non-loopback address
// without TLS: the bearer token and every call would cross the network in
// clear, to whatever answers at that address.
var ErrPlaintext = errors.New("plaintext to a non-loopback address")

// WithInsecure allows plaintext to a non-loopback address, as tradingd's
// --insecure does: for a private network trusted entirely. Loopback needs
// no permission, and with TLS it changes nothing.
func WithInsecure() Option {
	return func(o *options) { o.insecure = true }
}

// checkTransport refuses plaintext to target unless it is loopback or the
// caller allowed it. Plaintext is the default transport, or credentials
// that say they are insecure.
func checkTransport(target string, o options) error {
	if o.insecure || (o.creds != nil && o.creds.Info().SecurityProtocol != "insecure") || IsLoopback(target) {
		return nil
	}
	return fmt.Errorf("%w: refusing to dial %s without TLS, since it is not a loopback address: the token and every call "+
		"would travel in clear (WithTLS; or WithInsecure on a network you trust entirely)", ErrPlaintext, target)
}

// IsLoopback reports whether a gRPC target or listen address can only reach
// this machine: a unix socket, or a host of localhost, 127.0.0.0/8 or ::1,
// with or without a dns:/// or passthrough:/// scheme. Anything else, a
// name included, may resolve anywhere, and an empty host is every
// interface. tradingd asks it of --listen, the client of its address, so
// that both draw the line in one place.
func IsLoopback(target string) bool {
	if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") || strings.HasPrefix(target, "/") {
		return true
	}
	for _, scheme := range []string{"dns:", "passthrough:"} {
		if rest, ok := strings.CutPrefix(target, scheme); ok {
			// dns:///host:port, dns://resolver/host:port, dns:host:port
			if after, ok := strings.CutPrefix(rest, "//"); ok {
				_, rest, _ = strings.Cut(after, "/")
			}
			target = rest
			break
		}
	}
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		host = strings.Trim(target, "[]") // no port: gRPC adds the default
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
