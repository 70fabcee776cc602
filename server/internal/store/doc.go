// Package store owns what tradingd keeps on disk: sessions, orders with
// their state history, fills, each session's portfolio (with what its open
// orders promised of it), risk state and paper-venue orders, and the audit
// log of control RPCs. Store is the small interface the daemon uses;
// SQLite, in the data directory, is its default implementation and needs no
// setup.
//
// It must never leave anything half-written: everything one call writes
// commits in one transaction or not at all, and a fill is stored exactly
// once (a duplicate aborts its transaction, it is never skipped). It must
// never let two daemons share a data directory, never open a file it cannot
// vouch for (corrupt, foreign, or of a newer schema) and never decide
// anything about trading: it records what the trading loop hands it and
// gives it back. Money is kept exactly, as integer units of money.Decimal.
package store
