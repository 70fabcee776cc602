package orders

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// change is what a report does to an order, worked out before anything is
// changed, so that a report that fails a check, or overflows a sum, leaves
// the order as it was.
type change struct {
	fill                  Fill
	filled, fees, average money.Decimal
	notional              notional
}

// check returns the change r makes to rec, or why r cannot apply to it:
// an overflowing sum, which only absurd figures could cause, is an error
// here rather than a panic in the trading loop.
func (rec *record) check(r *venue.ExecutionReport) (_ change, err error) {
	defer money.RecoverOverflow(&err)
	o := &rec.Order
	if r.Symbol != o.Spec.Symbol || r.Side != o.Spec.Side {
		return change{}, fmt.Errorf("%w: report for %q is %s %s, the order %s %s",
			ErrBadReport, o.ClientID, r.Side, r.Symbol, o.Spec.Side, o.Spec.Symbol)
	}
	if !legalTransition(o.State, r.State) {
		return change{}, fmt.Errorf("%w: %q %s → %s", ErrIllegalTransition, o.ClientID, o.State, r.State)
	}
	c := change{filled: o.Filled, fees: o.Fees, average: o.AveragePrice, notional: rec.notional}
	q := r.FillQuantity
	if err := checkFill(o, r); err != nil {
		return change{}, err
	}
	if q.IsPositive() {
		c.filled = o.Filled.Add(q)
		c.fees = o.Fees.Add(r.Fee)
		c.notional = rec.notional.add(q, r.FillPrice)
		c.average = c.notional.average(c.filled)
		c.fill = Fill{Quantity: q, Price: r.FillPrice, Fee: r.Fee, Liquidity: r.Liquidity,
			Slippage: slippage(r, o.DecisionPrice), Time: r.Time, TradeID: r.TradeID, FeeAsset: r.FeeAsset,
			FeeNative: r.FeeNative}
	}
	complete := c.filled == o.Spec.Quantity
	switch {
	case r.State == venue.StateFilled && !complete:
		return change{}, badReport(o, "FILLED with %s of %s filled", c.filled, o.Spec.Quantity)
	case r.State == venue.StatePartiallyFilled && complete:
		return change{}, badReport(o, "PARTIALLY_FILLED with all %s filled", c.filled)
	}
	// The venue's cumulative figures must agree with ours: a disagreement
	// means a report was lost or invented, and applying on top of it would
	// hide that.
	if r.Filled != c.filled || r.Remaining != o.Spec.Quantity.Sub(c.filled) {
		return change{}, badReport(o, "venue says %s filled, %s remaining; the book makes it %s, %s",
			r.Filled, r.Remaining, c.filled, o.Spec.Quantity.Sub(c.filled))
	}
	return c, nil
}

// checkFill says why r's fill and fee cannot be, whatever the order held
// before: a fill where the state has none (or none where it must), more
// than remains, at no price, or a negative fee.
func checkFill(o *Order, r *venue.ExecutionReport) error {
	q := r.FillQuantity
	switch {
	case q.IsNegative():
		return badReport(o, "fill quantity %s is negative", q)
	case q.IsZero() && fills(r.State):
		return badReport(o, "%s report without a fill", r.State)
	case q.IsZero() && !r.Fee.IsZero():
		return badReport(o, "fee %s without a fill", r.Fee)
	case q.IsPositive() && !fills(r.State):
		return badReport(o, "%s report with a fill", r.State)
	case q.IsPositive() && q.Cmp(o.Remaining) > 0:
		return badReport(o, "fill of %s exceeds the remaining %s", q, o.Remaining)
	case q.IsPositive() && !r.FillPrice.IsPositive():
		return badReport(o, "fill price %s is not positive", r.FillPrice)
	case r.Fee.IsNegative():
		return badReport(o, "fee %s is negative", r.Fee)
	}
	return nil
}

// slippage is r's, measured against the order's decision price when the
// venue did not echo one.
func slippage(r *venue.ExecutionReport, decision money.Decimal) money.Decimal {
	if !r.DecisionPrice.IsZero() || decision.IsZero() {
		return r.Slippage()
	}
	withDecision := *r
	withDecision.DecisionPrice = decision
	return withDecision.Slippage()
}

func badReport(o *Order, format string, args ...any) error {
	return fmt.Errorf("%w: %q: %s", ErrBadReport, o.ClientID, fmt.Sprintf(format, args...))
}
