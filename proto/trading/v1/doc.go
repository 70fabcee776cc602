// Package tradingv1 is tradingd's wire API: the TradingService messages and
// stubs generated from trading.proto (committed, so a reader of the API needs
// no code generator), the ErrorReason every refusal carries in its
// ErrorInfo (reason.go: one table of reasons, their gRPC codes and wire
// strings, shared by the daemon and every client), and the request checks
// the daemon runs before a handler (validate.go).
//
// Together with the client package it is the only API of this module for
// other programs; everything else is internal. It must never import the
// daemon or the engine: both import it.
package tradingv1
