package venue

import "github.com/tradectl/tradectl/internal/money"

// Filters are an instrument's trading rules, as real venues publish them:
// every limit price a multiple of TickSize, every quantity a multiple of
// LotSize, every order worth at least MinNotional. A zero field is no rule.
type Filters struct {
	TickSize, LotSize, MinNotional money.Decimal
}

// The filters' names, as venues call them, start the reason of an order
// that breaks one, so a user can tell which rule refused it.
const (
	PriceFilter       = "PRICE_FILTER"
	LotSizeFilter     = "LOT_SIZE"
	MinNotionalFilter = "MIN_NOTIONAL"
)

// Reasons for refusing an order, constants so that refusing allocates
// nothing.
const (
	reasonOffTick     = PriceFilter + ": limit price is not a multiple of the tick size"
	reasonOffLot      = LotSizeFilter + ": quantity is not a multiple of the lot size"
	reasonMinNotional = MinNotionalFilter + ": notional (quantity × price) is below the minimum"
)

// Check returns why spec breaks a rule, or "". A market order has no price
// of its own: its notional is taken at ref (the price it is expected to
// fill at); a zero ref skips the notional rule.
func (f Filters) Check(spec *OrderSpec, ref money.Decimal) string {
	price := ref
	if spec.Type == Limit {
		price = spec.Price
		if !onStep(spec.Price, f.TickSize) {
			return reasonOffTick
		}
	}
	switch {
	case !onStep(spec.Quantity, f.LotSize):
		return reasonOffLot
	case f.MinNotional.IsPositive() && price.IsPositive() && spec.Quantity.Mul(price).Cmp(f.MinNotional) < 0:
		return reasonMinNotional
	}
	return ""
}

// PassivePrice rounds a resting order's price to the tick away from the
// market: a buy down, a sell up, so rounding never makes it cross.
func (f Filters) PassivePrice(side Side, price money.Decimal) money.Decimal {
	if side == Sell {
		return price.CeilTo(f.TickSize)
	}
	return price.FloorTo(f.TickSize)
}

// Quantity rounds qty down to the lot: an order never grows by rounding.
func (f Filters) Quantity(qty money.Decimal) money.Decimal { return qty.FloorTo(f.LotSize) }

// Tradable reports whether an order of qty at price is worth placing:
// a positive quantity and at least the minimum notional.
func (f Filters) Tradable(qty, price money.Decimal) bool {
	return qty.IsPositive() && (!f.MinNotional.IsPositive() || qty.Mul(price).Cmp(f.MinNotional) >= 0)
}

func onStep(d, step money.Decimal) bool {
	return !step.IsPositive() || d.Units()%step.Units() == 0
}
