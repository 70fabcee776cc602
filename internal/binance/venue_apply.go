package binance

import (
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// order is one of our orders on the loop's side.
type order struct {
	id       string
	spec     venue.OrderSpec
	state    venue.OrderState // as reported to the loop
	filled   money.Decimal    // the sum of the applied trades
	executed money.Decimal    // the most the venue said was executed
	// final is a final status the venue reported that is held back until
	// the trades it implies have been applied; finalReason goes with it.
	final       OrderStatus
	finalReason string
	asked       bool // a reconciliation was asked for the missing trades
	tradeIDs    []int64
	decision    money.Decimal
	submitted   time.Time
	arrival     time.Time
	cancelAt    time.Time
}

func (o *order) openOrder() venue.OpenOrder {
	return venue.OpenOrder{ClientID: o.id, Spec: o.spec, Filled: o.filled, Remaining: o.spec.Quantity.Sub(o.filled),
		State: o.state, Submitted: o.submitted, Arrival: o.arrival, Active: o.state != venue.StateNew}
}

// report is the order as it stands, without a fill.
func (o *order) report(t time.Time) venue.ExecutionReport {
	return venue.ExecutionReport{ClientID: o.id, Symbol: o.spec.Symbol, Side: o.spec.Side, State: o.state,
		Filled: o.filled, Remaining: o.spec.Quantity.Sub(o.filled), DecisionPrice: o.decision, Time: t}
}

func (v *Venue) add(o *order) {
	v.orders[o.id] = o
	v.open = append(v.open, o)
	v.count[o.spec.Symbol]++
}

func (v *Venue) remove(o *order) {
	for i, p := range v.open {
		if p == o {
			v.open = append(v.open[:i], v.open[i+1:]...)
			v.count[o.spec.Symbol]--
			return
		}
	}
}

// finish takes an ended order off the live list; it is remembered, with
// its trade ids, until maxFinished newer ones have ended.
func (v *Venue) finish(o *order) {
	v.remove(o)
	v.finished = append(v.finished, o)
	if len(v.finished) > maxFinished {
		old := v.finished[0]
		v.finished = v.finished[1:]
		delete(v.orders, old.id)
		for _, id := range old.tradeIDs {
			delete(v.trades, tradeKey{old.spec.Symbol, id})
		}
	}
}

// apply turns one update into the reports it makes: none for what was
// applied already or cannot move the order forward.
func (v *Venue) apply(u *OrderUpdate, now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	o := v.orders[u.ClientID]
	if o == nil || o.spec.Symbol != u.Symbol {
		v.ignored++
		v.log.Debug("binance: update for an order we do not know, ignored", "client_id", u.ClientID, "symbol", u.Symbol)
		return dst
	}
	if o.state.Final() {
		return dst
	}
	t := u.Time
	if t.IsZero() {
		t = now
	}
	if u.Executed.Cmp(o.executed) > 0 {
		o.executed = u.Executed
	}
	if u.Trade != nil {
		dst = v.trade(o, u.Trade, t, dst)
		if o.state.Final() {
			return dst
		}
	}
	switch s := u.Status; s {
	case StatusNew, StatusPartiallyFilled:
		dst = v.accept(o, t, dst)
	case StatusRejected, StatusNeverSent:
		if o.state != venue.StateNew {
			// The venue has shown the order; a rejection now contradicts
			// that, and the reconciliation will say what holds.
			v.log.Warn("binance: rejection of an order the venue had accepted, ignored", "client_id", o.id,
				"status", s, "reason", u.Reason)
			v.WantReconcile()
			return dst
		}
		reason := u.Reason
		if s == StatusNeverSent && !strings.HasPrefix(reason, "never sent") {
			reason = "never sent: " + reason
		}
		o.state = venue.StateRejected
		r := o.report(t)
		r.Reason = reason
		v.finish(o)
		return append(dst, r)
	case StatusFilled, StatusCanceled, StatusExpired:
		if o.final == StatusUnknown {
			o.final, o.finalReason = s, finalReason(s, u.Reason, !o.cancelAt.IsZero())
		}
		if s == StatusFilled && o.executed.Cmp(o.spec.Quantity) < 0 {
			o.executed = o.spec.Quantity
		}
	}
	return v.settle(o, t, dst)
}

func finalReason(s OrderStatus, reason string, asked bool) string {
	name := "cancelled by the venue"
	switch {
	case s == StatusExpired:
		name = "expired"
	case asked:
		name = "cancelled"
	}
	if reason == "" {
		return name
	}
	return name + ": " + reason
}

// settle ends an order whose final status is held once every trade the
// venue counted is applied; until then it asks for the missing ones.
func (v *Venue) settle(o *order, t time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	if o.final == StatusUnknown || o.state.Final() {
		return dst
	}
	if o.filled.Cmp(o.executed) < 0 {
		if !o.asked {
			o.asked = true
			v.log.Info("binance: order ended with trades not yet seen, asking for them", "client_id", o.id,
				"executed", o.executed, "applied", o.filled)
			v.WantReconcile()
		}
		dst = v.accept(o, t, dst)
		return dst
	}
	if o.final == StatusFilled {
		// Filled, yet the trades add up to less than the order and no
		// more are counted: impossible once executed is the quantity.
		return dst
	}
	dst = v.accept(o, t, dst)
	o.state = venue.StateCancelled
	r := o.report(t)
	r.Reason = o.finalReason
	v.finish(o)
	return append(dst, r)
}

// accept moves a NEW order to ACCEPTED: the venue has it.
func (v *Venue) accept(o *order, t time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	if o.state != venue.StateNew {
		return dst
	}
	o.state, o.arrival = venue.StateAccepted, t
	return append(dst, o.report(t))
}

// trade applies tr once, by (symbol, trade id), with its fee and the net
// change of the assets.
func (v *Venue) trade(o *order, tr *Trade, t time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	key := tradeKey{o.spec.Symbol, tr.ID}
	if _, dup := v.trades[key]; dup {
		return dst
	}
	if tr.ID <= 0 {
		v.log.Warn("binance: trade without an id, ignored", "client_id", o.id)
		return dst
	}
	f, err := v.fill(o, tr)
	if err != nil {
		// The books cannot hold what the venue says it did: stop sending
		// until an operator looks.
		v.Halt("venue_report", fmt.Sprintf("trade %d of %s cannot apply: %v", tr.ID, o.id, err))
		return dst
	}
	if !tr.Time.IsZero() {
		t = tr.Time
	}
	dst = v.accept(o, t, dst)
	v.trades[key] = struct{}{}
	o.tradeIDs = append(o.tradeIDs, tr.ID)
	o.filled = f.filled
	if o.executed.Cmp(o.filled) < 0 {
		o.executed = o.filled
	}
	addEffect(v.net, f.net)
	o.state = venue.StatePartiallyFilled
	if o.filled == o.spec.Quantity {
		o.state = venue.StateFilled
	}
	r := o.report(t)
	r.FillQuantity, r.FillPrice, r.TradeID = tr.Quantity, tr.Price, tr.ID
	r.Fee, r.FeeAsset, r.FeeNative = f.fee, f.feeAsset, f.feeNative
	r.Liquidity = venue.Taker
	if tr.Maker {
		r.Liquidity = venue.Maker
	}
	if o.state.Final() {
		v.finish(o)
	}
	return append(dst, r)
}

// fillChange is what a trade does, worked out before anything changes.
type fillChange struct {
	filled, fee, feeNative money.Decimal
	feeAsset               string
	net                    [3]AssetDelta
}

func (v *Venue) fill(o *order, tr *Trade) (c fillChange, err error) {
	defer money.RecoverOverflow(&err)
	q, p := tr.Quantity, tr.Price
	switch {
	case !q.IsPositive() || !p.IsPositive():
		return c, fmt.Errorf("quantity %s at %s", q, p)
	case tr.Fee.IsNegative():
		return c, fmt.Errorf("fee %s is negative", tr.Fee)
	case q.Cmp(o.spec.Quantity.Sub(o.filled)) > 0:
		return c, fmt.Errorf("quantity %s exceeds the remaining %s", q, o.spec.Quantity.Sub(o.filled))
	}
	c.filled = o.filled.Add(q)
	base := Base(o.spec.Symbol)
	c.net = FillEffect(o.spec.Symbol, o.spec.Side, q, p, tr.Fee, tr.FeeAsset, v.quote)
	asset := tr.FeeAsset
	if asset == "" {
		asset = v.quote // a fee without an asset is taken as the quote's
	}
	switch asset {
	case v.quote:
		c.fee = tr.Fee
	case base:
		c.fee, c.feeAsset, c.feeNative = tr.Fee.Mul(p), base, tr.Fee
	default:
		// A third asset (BNB) has no price here: the fee is booked at
		// zero in the quote and carried natively.
		c.feeAsset, c.feeNative = asset, tr.Fee
	}
	return c, nil
}
