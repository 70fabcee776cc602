// Package venue defines the vocabulary a trading session and a venue speak:
// sides, order specs, states, execution reports, fills and the venue's
// filters. The strategy, the risk guard, the books and every venue (the
// paper matching engine today) share it. It owns no venue and no state, and
// must never import one.
package venue

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Side is the direction of an order: Buy is +1 and Sell is -1, so that a
// fill's signed quantity is Quantity times Side.
type Side int8

const (
	Buy  Side = 1
	Sell Side = -1
)

func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return "invalid"
}

// Fill is an execution of (part of) an order. Price is per unit of the base
// asset; Fee is in the quote currency and always non-negative.
type Fill struct {
	ClientID string
	Symbol   string
	Side     Side
	Quantity money.Decimal
	Price    money.Decimal
	Fee      money.Decimal
	Time     time.Time
}
