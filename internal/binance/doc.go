// Package binance is tradectl's live venue: Binance Spot (its Spot Testnet
// by default) as a venue.Venue and a market.Source for the trading loop.
//
// It owns the conversation with the venue and nothing else: REST calls
// through go-binance with our own accounting of the venue's rate limits
// and clock (rest.go, limiter.go, clock.go), the exchange's filters
// (filters.go), the order sender that never sends a client order id twice
// and resolves an unknown outcome by asking (sender.go), the market data
// streams and the local order book kept by the venue's documented
// snapshot-plus-diff procedure (book.go, marketdata.go), the user data
// stream subscribed over the WebSocket API (userstream.go), the
// reconciliation of what the store believes with what the venue says
// (reconcile.go), and the loop's side, which turns all of it into
// execution reports on the loop's goroutine (venue.go).
//
// It must never touch the disk (the store is the daemon's, reached through
// Config.Intents and the journal), never block the trading loop on the
// network (every call the loop makes returns at once; the network is
// worked by goroutines that Session owns), never send an order the store
// has not committed, never re-send a client order id, and never print a key.
package binance
