package strategy

import (
	"errors"
	"fmt"
	"strconv"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// ErrInvalidDecision is wrapped by the errors of Decisions' methods: the
// decision would be refused by the daemon, so it is not added.
var ErrInvalidDecision = errors.New("strategy: invalid decision")

// Decisions collects what the strategy decides after one market or timer
// event; Run sends them as that event's answer when the callback returns.
// Each decision takes effect in the Account at once: a placed order counts
// as open (in flight) from here, as a built-in strategy's does. It is
// valid only during its callback: afterwards every method fails, since
// the answer is gone.
type Decisions struct {
	seq    uint64
	acct   *account
	list   []*tradingv1.StrategyDecision
	closed bool
}

// check fails once the callback returned.
func (d *Decisions) check() error {
	if d.closed {
		return invalid("event %d was answered already: decide within its callback", d.seq)
	}
	return nil
}

// Sequence is the sequence number of the event being answered: unique
// across re-attachments, so it makes unique tags.
func (d *Decisions) Sequence() uint64 { return d.seq }

// Len is the number of decisions taken so far.
func (d *Decisions) Len() int { return len(d.list) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidDecision}, args...)...)
}

func validTag(tag string) bool {
	if len(tag) < 1 || len(tag) > 64 {
		return false
	}
	for _, c := range []byte(tag) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// Place decides a new order and returns its tag (o.Tag, or one made up of
// the event's sequence and the decision's index when empty). It fails,
// adding nothing, for a tag that is malformed or names a live order, a
// missing symbol, side or type, a non-positive quantity, a limit order
// without a positive price or a market order with one.
func (d *Decisions) Place(o PlaceOrder) (string, error) {
	if err := d.check(); err != nil {
		return "", err
	}
	if o.Tag == "" {
		o.Tag = strconv.FormatUint(d.seq, 10) + "." + strconv.Itoa(len(d.list))
	}
	switch {
	case !validTag(o.Tag):
		return "", invalid("tag %q: want 1 to 64 of [A-Za-z0-9._:-]", o.Tag)
	case d.acct.orders[o.Tag] != nil:
		return "", invalid("tag %q names a live order", o.Tag)
	case o.Symbol == "":
		return "", invalid("order %s: no symbol", o.Tag)
	case o.Side != Buy && o.Side != Sell:
		return "", invalid("order %s: side must be Buy or Sell", o.Tag)
	case o.Type != Market && o.Type != Limit:
		return "", invalid("order %s: type must be Market or Limit", o.Tag)
	case !o.Quantity.IsPositive():
		return "", invalid("order %s: quantity must be positive, got %s", o.Tag, o.Quantity)
	case o.Type == Limit && !o.Price.IsPositive():
		return "", invalid("order %s: a limit order needs a positive price, got %s", o.Tag, o.Price)
	case o.Type == Market && !o.Price.IsZero():
		return "", invalid("order %s: a market order takes no price", o.Tag)
	}
	d.acct.orders[o.Tag] = &tracked{Order: Order{PlaceOrder: o, InFlight: true},
		decidedSeq: d.seq, decidedIndex: len(d.list)}
	d.list = append(d.list, &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Place{
		Place: &tradingv1.PlaceOrder{Tag: o.Tag, Symbol: o.Symbol, Side: o.Side, Type: o.Type,
			TimeInForce: o.TimeInForce, PostOnly: o.PostOnly, Quantity: o.Quantity.String(), Price: decimalText(o.Price)},
	}})
	return o.Tag, nil
}

// Cancel decides to cancel the live order tagged tag. The order stays in
// the Account until the daemon reports it cancelled (or filled first).
func (d *Decisions) Cancel(tag string) error {
	if err := d.check(); err != nil {
		return err
	}
	if d.acct.orders[tag] == nil {
		return invalid("cancel %q: no live order has that tag", tag)
	}
	d.list = append(d.list, &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Cancel{
		Cancel: &tradingv1.CancelOrder{Tag: tag}}})
	return nil
}

// Replace decides to cancel the live limit order tagged tag and place one
// with the same tag, symbol, side and time in force at price for qty. The
// Account shows the new order, in flight, at once.
func (d *Decisions) Replace(tag string, qty, price Decimal) error {
	if err := d.check(); err != nil {
		return err
	}
	t := d.acct.orders[tag]
	switch {
	case t == nil:
		return invalid("replace %q: no live order has that tag", tag)
	case t.Type != Limit:
		return invalid("replace %q: only a limit order can be replaced", tag)
	case !qty.IsPositive() || !price.IsPositive():
		return invalid("replace %q: quantity and price must be positive, got %s at %s", tag, qty, price)
	}
	if t.prev == nil { // a second replace in flight keeps the first's original
		prev := t.Order
		t.prev = &prev
	}
	if t.ClientOrderID != "" {
		t.retired = append(t.retired, t.ClientOrderID)
	}
	t.ClientOrderID, t.InFlight, t.Quantity, t.Price = "", true, qty, price
	t.State, t.Filled = tradingv1.OrderState_ORDER_STATE_UNSPECIFIED, Decimal{}
	t.decidedSeq, t.decidedIndex = d.seq, len(d.list)
	d.list = append(d.list, &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Replace{
		Replace: &tradingv1.ReplaceOrder{Tag: tag, Quantity: qty.String(), Price: price.String()}}})
	return nil
}
