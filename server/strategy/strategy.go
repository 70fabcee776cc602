// Package strategy defines the Strategy the trading loop consults and holds
// the built-in strategies. A strategy decides; it never executes: orders go
// back to the coordinator, which owns the broker and the portfolio.
package strategy

import (
	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
)

// Intent is an order a strategy wants placed.
type Intent struct {
	Symbol   string
	Side     broker.Side
	Quantity money.Decimal
}

// Strategy sees every quote once, in time order, on the trading loop's
// goroutine: it needs no locks and must not block.
type Strategy interface {
	// OnQuote appends the orders the strategy wants after seeing q, given the
	// signed quantity it holds in q.Symbol, and returns the extended slice.
	OnQuote(q market.Quote, position money.Decimal, dst []Intent) []Intent
}
