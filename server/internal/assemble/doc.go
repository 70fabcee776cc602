// Package assemble builds what a trading session runs with from its
// settings: the market data source, the venue, the strategy, the account
// (portfolio), the risk guard, the session's order book and the
// coordinator that ties them into a loop, and, for a session carried on
// after a crash, all of these as of its last committed tick. Paper builds
// sessions on the embedded paper venue; Live builds paper sessions as
// Paper does and live ones on the daemon's LiveVenue (Binance, behind an
// interface so that this package depends on no venue), which the daemon
// passes to the session manager.
//
// It owns the wiring of parts and nothing else: it must never start,
// supervise or stop what it builds (the session does; a live connection
// it opened is closed by the session, through Parts.Close, or by the
// assembler itself when building fails), never write to the store (a
// restore only reads; what a new live session must keep, Parts.LiveStart,
// the session writes), and never decide a session's lifecycle.
package assemble
