package strategy

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// parse reads one of the daemon's decimals; empty is zero where optional.
// A malformed one is a broken daemon or proxy: Run ends with this error
// rather than let the strategy decide on a guess.
func parse(what, s string, required bool) (Decimal, error) {
	if s == "" && !required {
		return Decimal{}, nil
	}
	d, err := money.Parse(s)
	if err != nil {
		return d, fmt.Errorf("strategy: the daemon sent a malformed %s %q: %w", what, s, err)
	}
	return d, nil
}

func eventOf(ev *tradingv1.StrategyEvent) Event {
	e := Event{Sequence: ev.GetSequence()}
	if ev.GetTime() != nil {
		e.Time = ev.GetTime().AsTime()
	}
	return e
}

func orderFromProto(o *tradingv1.StrategyOrder) (Order, error) {
	out := Order{
		PlaceOrder: PlaceOrder{Tag: o.GetTag(), Symbol: o.GetSymbol(), Side: o.GetSide(), Type: o.GetType(),
			TimeInForce: o.GetTimeInForce()},
		ClientOrderID: o.GetClientOrderId(), State: o.GetState(),
	}
	var err error
	if out.Quantity, err = parse("order quantity", o.GetQuantity(), true); err != nil {
		return out, err
	}
	if out.Price, err = parse("order price", o.GetPrice(), false); err != nil {
		return out, err
	}
	out.Filled, err = parse("filled quantity", o.GetFilledQuantity(), false)
	return out, err
}

func levels(what string, in []*tradingv1.PriceLevel) ([]Level, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]Level, len(in))
	for i, l := range in {
		var err error
		if out[i].Price, err = parse(what+" price", l.GetPrice(), true); err != nil {
			return nil, err
		}
		if out[i].Size, err = parse(what+" size", l.GetSize(), true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func bookFromProto(ev *tradingv1.StrategyEvent) (*Book, error) {
	b := ev.GetBook()
	out := &Book{Event: eventOf(ev), Symbol: b.GetSymbol(), Coalesced: b.GetCoalesced()}
	var err error
	if out.Bid, err = parse("bid", b.GetBid(), false); err != nil {
		return nil, err
	}
	if out.Ask, err = parse("ask", b.GetAsk(), false); err != nil {
		return nil, err
	}
	if out.Bids, err = levels("bid level", b.GetBids()); err != nil {
		return nil, err
	}
	out.Asks, err = levels("ask level", b.GetAsks())
	return out, err
}

func tradeFromProto(ev *tradingv1.StrategyEvent) (*Trade, error) {
	t := ev.GetTrade()
	out := &Trade{Event: eventOf(ev), Symbol: t.GetSymbol(), Aggressor: t.GetAggressor()}
	var err error
	if out.Price, err = parse("trade price", t.GetPrice(), true); err != nil {
		return nil, err
	}
	out.Size, err = parse("trade size", t.GetSize(), true)
	return out, err
}

func updateFromProto(ev *tradingv1.StrategyEvent) (*OrderUpdate, error) {
	u := ev.GetOrder()
	order, err := orderFromProto(u.GetOrder())
	if err != nil {
		return nil, err
	}
	out := &OrderUpdate{Event: eventOf(ev), Order: order, Reason: u.GetReason()}
	if f := u.GetFill(); f != nil {
		fill := &Fill{}
		if fill.Quantity, err = parse("fill quantity", f.GetQuantity(), true); err != nil {
			return nil, err
		}
		if fill.Price, err = parse("fill price", f.GetPrice(), true); err != nil {
			return nil, err
		}
		if fill.Fee, err = parse("fill fee", f.GetFee(), false); err != nil {
			return nil, err
		}
		if f.GetTime() != nil {
			fill.Time = f.GetTime().AsTime()
		}
		out.Fill = fill
	}
	return out, nil
}

func refusalFromProto(ev *tradingv1.StrategyEvent) *Refusal {
	r := ev.GetRefused()
	return &Refusal{Event: eventOf(ev), EventSequence: r.GetEventSequence(), DecisionIndex: r.GetDecisionIndex(),
		Tag: r.GetTag(), Reason: r.GetReason(), Message: r.GetMessage()}
}

// decimalText is d for the wire, "" for an absent (zero) price.
func decimalText(d Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
