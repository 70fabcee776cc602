// Package assemble builds what a trading session runs with from its
// settings: the market data source, the venue, the strategy, the account
// (portfolio), the risk guard, the session's order book and the
// coordinator that ties them into a loop, and, for a session carried on
// after a crash, all of these as of its last committed tick. Paper, the
// embedded paper venue, is today's one case; a live venue or a strategy
// run outside the daemon is one more case here, which the daemon passes to
// the session manager.
//
// It owns the wiring of parts and nothing else: it must never start,
// supervise or stop what it builds (the session does), never write to the
// store (a restore only reads), and never decide a session's lifecycle.
package assemble
