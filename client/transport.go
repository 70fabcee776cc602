package client

import (
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/endpoint"
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
// name included, may resolve anywhere. tradingd draws the same line (both
// ask internal/endpoint).
func IsLoopback(target string) bool { return endpoint.IsLoopback(target) }
