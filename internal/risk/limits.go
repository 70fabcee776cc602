package risk

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
)

// MaxOrdersPerSecondCeiling bounds MaxOrdersPerSecond, and so the memory of
// the sliding window that enforces it.
const MaxOrdersPerSecondCeiling = 100_000

// Limits are the pre-trade limits and the kill switch's thresholds. A zero
// field is no limit.
type Limits struct {
	// MaxOrderNotional caps one order's quantity × price, in the quote
	// currency; a market order is valued at the reference price.
	MaxOrderNotional money.Decimal
	// MaxPosition caps |position| per symbol, in the base asset, after an
	// order would fill in full. Orders that reduce |position| without
	// flipping it always pass, so a position over the cap can be unwound.
	MaxPosition money.Decimal
	// MaxOpenOrders caps the live orders counted by the caller, the new
	// order included.
	MaxOpenOrders int
	// MaxOrdersPerSecond caps the orders passed in any sliding window of
	// one second of event time.
	MaxOrdersPerSecond int
	// MaxDrawdown halts trading when equity falls below the starting
	// equity by more than this fraction (0.05 = 5%); MaxTrailingDrawdown
	// when it falls that far below its highest value since the start.
	MaxDrawdown, MaxTrailingDrawdown money.Decimal
}

// DefaultLimits suit the paper venue's default account of 100,000: orders
// of at most 10,000, at most 100 live orders and 50 new ones a second, a
// halt at 20% below the start or 10% below the peak. Position is not
// capped by default: no one quantity suits both BTC and DOGE.
func DefaultLimits() Limits {
	return Limits{
		MaxOrderNotional:    money.FromInt(10_000),
		MaxOpenOrders:       100,
		MaxOrdersPerSecond:  50,
		MaxDrawdown:         money.MustParse("0.2"),
		MaxTrailingDrawdown: money.MustParse("0.1"),
	}
}

// LimitError names a limit out of range.
type LimitError struct {
	Field, Reason string
}

func (e *LimitError) Error() string { return "risk: " + e.Field + " " + e.Reason }

// Validate returns a *LimitError for the first field out of range.
func (l Limits) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &LimitError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case l.MaxOrderNotional.IsNegative():
		return bad("MaxOrderNotional", "must not be negative, got %s", l.MaxOrderNotional)
	case l.MaxPosition.IsNegative():
		return bad("MaxPosition", "must not be negative, got %s", l.MaxPosition)
	case l.MaxOpenOrders < 0:
		return bad("MaxOpenOrders", "must not be negative, got %d", l.MaxOpenOrders)
	case l.MaxOrdersPerSecond < 0 || l.MaxOrdersPerSecond > MaxOrdersPerSecondCeiling:
		return bad("MaxOrdersPerSecond", "must be in [0, %d], got %d", MaxOrdersPerSecondCeiling, l.MaxOrdersPerSecond)
	}
	for _, f := range []struct {
		name string
		v    money.Decimal
	}{{"MaxDrawdown", l.MaxDrawdown}, {"MaxTrailingDrawdown", l.MaxTrailingDrawdown}} {
		if f.v.IsNegative() || f.v.Cmp(money.FromInt(1)) >= 0 {
			return bad(f.name, "must be a fraction of equity in [0, 1), got %s", f.v)
		}
	}
	return nil
}
