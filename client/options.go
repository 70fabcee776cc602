package client

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Option configures New.
type Option func(*options)

type options struct {
	token     string
	tokenFile string
	creds     credentials.TransportCredentials
	tls       *TLSConfig
	dialOpts  []grpc.DialOption
	insecure  bool
}

// WithToken sets the bearer token sent with every control call. It replaces
// an earlier WithTokenFile.
func WithToken(token string) Option {
	return func(o *options) { o.token, o.tokenFile = token, "" }
}

// WithTokenFile reads the bearer token from path when New runs, and again
// whenever a stream opens or a call is refused as unauthenticated, so a
// token tradingd rotated is picked up. It replaces an earlier WithToken.
func WithTokenFile(path string) Option {
	return func(o *options) { o.token, o.tokenFile = "", path }
}

// WithTransportCredentials replaces the default insecure transport, for
// example with TLS credentials.
func WithTransportCredentials(creds credentials.TransportCredentials) Option {
	return func(o *options) { o.creds, o.tls = creds, nil }
}

// WithDialOptions adds gRPC dial options, applied after the client's own so
// they win; tests use it to dial an in-memory listener.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOpts = append(o.dialOpts, opts...) }
}
