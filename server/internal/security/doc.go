// Package security holds what decides who may reach tradingd's control API
// and what is kept of those who tried: the bearer token (its file, creation,
// rotation, reload and the auth check), TLS (its material, reload and the
// audit of failed handshakes), the per-peer rate limit, and the audit log of
// control calls and of refusals, summed per peer.
//
// Each piece is a value or a gRPC interceptor that the daemon places in its
// chain; the order of the chain, and everything about sessions, trading and
// the transport's own limits, is the daemon's. This package must never
// decide anything about trading, start a goroutine it cannot stop (the
// Reloader's runs on its caller's goroutine until its context ends), log
// or store a token's value, or compare a token other than in constant time
// over its digest.
package security
