// Package broker defines orders, fills and the Broker that executes orders.
// It owns no venue: the paper broker and, later, live adapters implement
// Broker elsewhere.
package broker

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
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

// Order is a market order. ClientID is unique within a session.
type Order struct {
	ClientID string
	Symbol   string
	Side     Side
	Quantity money.Decimal
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

// Broker executes orders.
type Broker interface {
	// Submit executes o against the venue; quote is the market as the
	// strategy saw it when it decided, which the broker may use to price the
	// order and to report slippage. It returns the order's fills, appended to
	// dst.
	Submit(ctx context.Context, o Order, quote market.Quote, dst []Fill) ([]Fill, error)
}
