// Package market defines what the trading loop knows of a market: quotes,
// events (book updates and trades) and the Source that produces them. It
// owns no venue and no simulation; the paper simulator, the CSV replay and,
// later, live feeds implement Source elsewhere, so the coordinator cannot
// tell them apart. It must never import a venue, a strategy or a source's
// implementation: they all import it.
package market

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
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
