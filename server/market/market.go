// Package market defines what the trading loop knows of a market: quotes and
// the Feed that produces them. It owns no venue and no simulation; the paper
// market and, later, replay and live feeds implement Feed elsewhere, so the
// coordinator cannot tell them apart.
package market

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/server/money"
)

// Quote is the best bid and ask of one instrument at one time.
type Quote struct {
	Symbol string
	Bid    money.Decimal
	Ask    money.Decimal
	Time   time.Time
}

// Mid is the midpoint of bid and ask, the price positions are marked at.
func (q Quote) Mid() money.Decimal {
	return q.Bid.Add(q.Ask).Half()
}

// Feed produces quotes for a session's symbols.
type Feed interface {
	// Quotes appends to dst the latest quote of each of the session's symbols
	// as of now, in the order the symbols were given, and returns the extended
	// slice. Reusing dst keeps the trading loop free of allocations.
	Quotes(ctx context.Context, now time.Time, dst []Quote) ([]Quote, error)
}
