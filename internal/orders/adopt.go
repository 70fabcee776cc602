package orders

import (
	"fmt"
	"slices"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Adopt puts an open order back into the book, as a resumed session finds
// it in the store: accepted or partly filled, with the fills it had, or
// NEW: a write-ahead venue's order whose intent was committed before it
// was sent and whose outcome the process did not live to hear (the venue
// resolves it, and its report needs the order in the book). Its figures
// must agree with its fills (a NEW order has none), and its id must be new
// to the book. Counts are not changed: the order was counted when it was
// submitted.
func (b *Book) Adopt(o Order) error {
	switch o.State {
	case venue.StateAccepted, venue.StatePartiallyFilled:
	case venue.StateNew:
		if len(o.Fills) > 0 || !o.Filled.IsZero() {
			return fmt.Errorf("orders: adopt %q: %w: a NEW order with fills", o.ClientID, ErrBadReport)
		}
	default:
		return fmt.Errorf("orders: adopt %q: only open orders can be adopted, this one is %s", o.ClientID, o.State)
	}
	var n notional
	var filled, fees money.Decimal
	for _, f := range o.Fills {
		if !f.Quantity.IsPositive() || !f.Price.IsPositive() {
			return fmt.Errorf("orders: adopt %q: %w: a fill of %s at %s", o.ClientID, ErrBadReport, f.Quantity, f.Price)
		}
		n = n.add(f.Quantity, f.Price)
		filled, fees = filled.Add(f.Quantity), fees.Add(f.Fee)
	}
	if filled != o.Filled || o.Filled.Add(o.Remaining) != o.Spec.Quantity || !o.Remaining.IsPositive() {
		return fmt.Errorf("orders: adopt %q: %w: fills add to %s, filled %s, remaining %s, quantity %s",
			o.ClientID, ErrBadReport, filled, o.Filled, o.Remaining, o.Spec.Quantity)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.byID[o.ClientID]; dup {
		return fmt.Errorf("%w %q", ErrDuplicateOrder, o.ClientID)
	}
	o.SessionID, o.Fees = b.sessionID, fees
	o.Fills = slices.Clone(o.Fills)
	if filled.IsPositive() {
		o.AveragePrice = n.average(filled)
	}
	b.add(&record{Order: o, notional: n})
	return nil
}
