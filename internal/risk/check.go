package risk

import (
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Rules, the names a Rejection and a halt reason give.
const (
	RuleHalted              = "halted"
	RuleReducing            = "reducing"
	RuleOrder               = "order"
	RuleMaxOrderNotional    = "max_order_notional"
	RuleMaxPosition         = "max_position"
	RuleMaxOpenOrders       = "max_open_orders"
	RuleMaxOrdersPerSecond  = "max_orders_per_second"
	RuleMaxDrawdown         = "max_drawdown"
	RuleMaxTrailingDrawdown = "max_trailing_drawdown"
)

// ErrRejected is matched by every *Rejection with errors.Is.
var ErrRejected = errors.New("risk: order rejected")

// Rejection is why Check refused an order. Rejections for the states and
// the count limits are shared between calls: do not modify one.
type Rejection struct {
	Rule, Reason string
}

func (r *Rejection) Error() string        { return "risk: order rejected by " + r.Rule + ": " + r.Reason }
func (r *Rejection) Is(target error) bool { return target == ErrRejected }

// Check decides whether an order may go to the venue. refPrice values a
// market order (the coordinator passes the touch it would take); position
// is the signed quantity held in spec.Symbol; openOrders the live orders
// counted against MaxOpenOrders; now the event time. It returns nil or a
// *Rejection. A nil answer counts the order against MaxOrdersPerSecond, so
// ask once per order sent.
func (g *Guard) Check(spec venue.OrderSpec, refPrice, position money.Decimal, openOrders int, now time.Time) error {
	st := g.status.Load()
	switch st.state {
	case Halted:
		return st.rejection
	case Reducing:
		if !reduces(spec, position) {
			return st.rejection
		}
	}
	if !spec.Quantity.IsPositive() || (spec.Side != venue.Buy && spec.Side != venue.Sell) {
		return &Rejection{RuleOrder, fmt.Sprintf("side %d, quantity %s: not an order", spec.Side, spec.Quantity)}
	}
	l := &g.limits
	if err := l.checkNotional(&spec, refPrice); err != nil {
		return err
	}
	if err := l.checkPosition(&spec, position); err != nil {
		return err
	}
	if l.MaxOpenOrders > 0 && openOrders >= l.MaxOpenOrders {
		return g.openLimit
	}
	if !g.takeRate(now) {
		return g.rateLimit
	}
	return nil
}

// checkNotional refuses an order worth more than MaxOrderNotional: a limit
// order at its price, a market order at refPrice.
func (l *Limits) checkNotional(spec *venue.OrderSpec, refPrice money.Decimal) error {
	if !l.MaxOrderNotional.IsPositive() {
		return nil
	}
	price := refPrice
	if spec.Type == venue.Limit {
		price = spec.Price
	}
	if !price.IsPositive() {
		return &Rejection{RuleMaxOrderNotional, "no positive price to value the order at, got " + price.String()}
	}
	if n, err := spec.Quantity.MulQuo(price, money.FromInt(1)); err != nil || n.Cmp(l.MaxOrderNotional) > 0 {
		return &Rejection{RuleMaxOrderNotional, fmt.Sprintf("notional %s × %s exceeds %s", spec.Quantity, price, l.MaxOrderNotional)}
	}
	return nil
}

// checkPosition refuses an order that would take the position in its
// symbol beyond MaxPosition, either way; one that reduces it passes.
func (l *Limits) checkPosition(spec *venue.OrderSpec, position money.Decimal) error {
	if !l.MaxPosition.IsPositive() {
		return nil
	}
	if after, adds := positionAfter(*spec, position); adds && after > uint64(l.MaxPosition.Units()) {
		return &Rejection{RuleMaxPosition, fmt.Sprintf("%s %s %s from a position of %s would exceed %s",
			spec.Side, spec.Quantity, spec.Symbol, position, l.MaxPosition)}
	}
	return nil
}

// takeRate counts an order sent at now against MaxOrdersPerSecond, or
// reports false, counting nothing, when the last N orders were all sent in
// the second before now.
func (g *Guard) takeRate(now time.Time) bool {
	n := g.limits.MaxOrdersPerSecond
	if n <= 0 {
		return true
	}
	t := now.UnixNano()
	if len(g.sent) < n {
		g.sent = append(g.sent, t)
		return true
	}
	// The oldest of the last N orders must be a second old.
	if t-g.sent[g.next] < int64(time.Second) {
		return false
	}
	g.sent[g.next] = t
	g.next = (g.next + 1) % len(g.sent)
	return true
}

// reduces reports whether spec brings position closer to zero without
// crossing it.
func reduces(spec venue.OrderSpec, position money.Decimal) bool {
	if !spec.Quantity.IsPositive() {
		return false
	}
	switch {
	case position.IsPositive():
		return spec.Side == venue.Sell && spec.Quantity.Cmp(position) <= 0
	case position.IsNegative():
		return spec.Side == venue.Buy && spec.Quantity.Units() <= -position.Units()
	}
	return false
}

// positionAfter is |position| after spec fills in full, in units, and
// whether the fill adds exposure: grows it, or flips it to the other side.
// It cannot overflow: the magnitudes are uint64 sums of int64s.
func positionAfter(spec venue.OrderSpec, position money.Decimal) (mag uint64, adds bool) {
	p, q := position.Units(), uint64(spec.Quantity.Units())
	mag = absUnits(p)
	switch {
	case (p >= 0) == (spec.Side == venue.Buy):
		return mag + q, true
	case q <= mag:
		return mag - q, false
	}
	return q - mag, true
}

func absUnits(u int64) uint64 {
	if u < 0 {
		return uint64(-u) // correct for MinInt64 too, in uint64
	}
	return uint64(u)
}

// NextOrderAt is the earliest event time at or after now at which
// MaxOrdersPerSecond lets another order pass: a strategy refused by the rate
// limit is told to wait until then instead of asking again on every event.
func (g *Guard) NextOrderAt(now time.Time) time.Time {
	if g.limits.MaxOrdersPerSecond <= 0 || len(g.sent) < g.limits.MaxOrdersPerSecond {
		return now
	}
	at := time.Unix(0, g.sent[g.next]+int64(time.Second))
	if at.Before(now) {
		return now
	}
	return at
}
