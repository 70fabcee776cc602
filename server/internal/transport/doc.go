// Package transport holds the limits tradingd's gRPC transport puts on
// what a client can make it hold: connections in all and per peer (a
// capped listener), message and header sizes, keepalive and connection
// age, calls waiting for their request message, open watch and public
// streams, and the codec that answers invalid UTF-8 as the client's
// mistake rather than an internal error.
//
// It hands the daemon a listener, server options and interceptors; where
// they sit in the chain, and what the calls do, is the daemon's. It must
// never read a call's arguments beyond the bytes it bounds, log, or know
// anything about sessions and trading. Who a caller is (the token, TLS,
// the rate limit's budgets) is server/internal/security's.
package transport
