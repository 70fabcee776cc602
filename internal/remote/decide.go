package remote

import (
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// headroom is how many times over an order's notional must still fit in a
// Decimal: the loop's checks multiply it further (fees, margin), and an
// overflow there would panic the loop. About 92 million of the quote
// currency per order.
const headroom = 1000

// decideAll turns the answers taken into actions, and every decision it
// cannot take into a refusal for the client. On the loop's goroutine.
func (s *Strategy) decideAll(t time.Time, in []inbound, dst []strategy.Action) []strategy.Action {
	for i := range in {
		dst = s.decide(t, &in[i], dst)
		in[i] = inbound{}
	}
	return dst
}

func (s *Strategy) decide(t time.Time, in *inbound, dst []strategy.Action) []strategy.Action {
	seq := in.ans.GetEventSequence()
	ds := in.ans.GetDecisions()
	bad := in.bad
	if bad == "" && len(ds) > MaxDecisions {
		bad = fmt.Sprintf("%d decisions in one answer; at most %d", len(ds), MaxDecisions)
	}
	if bad != "" {
		s.mu.Lock()
		s.refuseLocked(t, seq, -1, "", tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID, bad)
		s.mu.Unlock()
		return dst
	}
	for i, d := range ds {
		var err error
		var tag string
		switch a := d.GetAction().(type) {
		case *tradingv1.StrategyDecision_Place:
			tag = a.Place.GetTag()
			dst, err = s.place(a.Place, seq, i, dst)
		case *tradingv1.StrategyDecision_Cancel:
			tag = a.Cancel.GetTag()
			dst, err = s.cancel(a.Cancel.GetTag(), dst)
		case *tradingv1.StrategyDecision_Replace:
			tag = a.Replace.GetTag()
			dst, err = s.replace(a.Replace, seq, i, dst)
		default:
			err = errors.New("decision has no action (place, cancel or replace)")
		}
		if err != nil {
			if !validTag(tag) {
				tag = "" // a tag too long or odd is not echoed back
			}
			s.mu.Lock()
			s.refuseLocked(t, seq, i, tag, tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID, err.Error())
			s.mu.Unlock()
		}
	}
	return dst
}

func validTag(tag string) bool {
	if len(tag) < 1 || len(tag) > 64 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func (s *Strategy) place(p *tradingv1.PlaceOrder, seq uint64, index int, dst []strategy.Action) ([]strategy.Action, error) {
	spec, err := s.spec(p)
	if err != nil {
		return dst, err
	}
	if s.byTag[spec.Tag] != nil {
		return dst, fmt.Errorf("tag %q: a live order has it already", spec.Tag)
	}
	return s.emitPlace(spec, seq, index, dst), nil
}

func (s *Strategy) emitPlace(spec venue.OrderSpec, seq uint64, index int, dst []strategy.Action) []strategy.Action {
	o := &order{tag: spec.Tag, spec: spec, state: venue.StateNew, seq: seq, index: index}
	s.byTag[o.tag] = o
	s.pending = append(s.pending, o)
	return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: spec})
}

// spec checks a place and returns its order.
func (s *Strategy) spec(p *tradingv1.PlaceOrder) (venue.OrderSpec, error) {
	spec := venue.OrderSpec{Symbol: p.GetSymbol(), Tag: p.GetTag(), PostOnly: p.GetPostOnly()}
	if !validTag(spec.Tag) {
		return spec, errors.New("tag: must be 1 to 64 characters of [A-Za-z0-9._:-]")
	}
	if !s.symbols[spec.Symbol] {
		return spec, fmt.Errorf("symbol %q is not one of the session's symbols %v", spec.Symbol, s.cfg.Symbols)
	}
	switch p.GetSide() {
	case tradingv1.OrderSide_ORDER_SIDE_BUY:
		spec.Side = venue.Buy
	case tradingv1.OrderSide_ORDER_SIDE_SELL:
		spec.Side = venue.Sell
	default:
		return spec, fmt.Errorf("side: must be BUY or SELL, got %s", p.GetSide())
	}
	var err error
	if spec.Quantity, err = positive("quantity", p.GetQuantity()); err != nil {
		return spec, err
	}
	switch p.GetType() {
	case tradingv1.OrderType_ORDER_TYPE_LIMIT:
		spec.Type = venue.Limit
		switch p.GetTimeInForce() {
		case tradingv1.TimeInForce_TIME_IN_FORCE_GTC:
			spec.TIF = venue.GTC
		case tradingv1.TimeInForce_TIME_IN_FORCE_IOC:
			spec.TIF = venue.IOC
		default:
			return spec, errors.New("time_in_force: a limit order needs GTC or IOC")
		}
		if spec.Price, err = positive("price", p.GetPrice()); err != nil {
			return spec, err
		}
	case tradingv1.OrderType_ORDER_TYPE_MARKET:
		spec.Type, spec.TIF = venue.Market, venue.IOC
		switch {
		case p.GetPrice() != "":
			return spec, errors.New("price: a market order takes none")
		case p.GetPostOnly():
			return spec, errors.New("post_only: a market order cannot be post-only")
		case p.GetTimeInForce() == tradingv1.TimeInForce_TIME_IN_FORCE_GTC:
			return spec, errors.New("time_in_force: a market order is IOC")
		}
	default:
		return spec, fmt.Errorf("type: must be LIMIT or MARKET, got %s", p.GetType())
	}
	return spec, s.checkSize(spec)
}

// checkSize refuses an order whose notional, at its limit price or at the
// book's, the loop could not compute with.
func (s *Strategy) checkSize(spec venue.OrderSpec) (err error) {
	defer money.RecoverOverflow(&err)
	price := spec.Price
	if q, ok := s.last[spec.Symbol]; ok {
		price = money.Max(price, money.Max(q.Bid, q.Ask))
	}
	spec.Quantity.Mul(price).MulInt(headroom)
	spec.Quantity.MulInt(headroom)
	return nil
}

func positive(field, v string) (money.Decimal, error) {
	d, err := money.Parse(v)
	switch {
	case err != nil:
		return d, fmt.Errorf("%s: %v", field, err)
	case !d.IsPositive():
		return d, fmt.Errorf("%s: must be positive, got %s", field, v)
	}
	return d, nil
}

// live is the order tagged tag that may still be cancelled.
func (s *Strategy) live(tag string) (*order, error) {
	o := s.byTag[tag]
	switch {
	case o == nil:
		return nil, fmt.Errorf("tag %q: no live order has it", tag)
	case o.id == "":
		return nil, fmt.Errorf("tag %q: the order is not placed yet", tag)
	case o.cancelling:
		return nil, fmt.Errorf("tag %q: the order is being cancelled already", tag)
	}
	return o, nil
}

func (s *Strategy) cancel(tag string, dst []strategy.Action) ([]strategy.Action, error) {
	o, err := s.live(tag)
	if err != nil {
		return dst, err
	}
	o.cancelling = true
	return append(dst, strategy.Action{Kind: strategy.ActionCancel, CancelID: o.id}), nil
}

func (s *Strategy) replace(r *tradingv1.ReplaceOrder, seq uint64, index int, dst []strategy.Action) ([]strategy.Action, error) {
	o, err := s.live(r.GetTag())
	if err != nil {
		return dst, err
	}
	if o.spec.Type != venue.Limit {
		return dst, fmt.Errorf("tag %q: only a limit order can be replaced", o.tag)
	}
	spec := o.spec
	if spec.Quantity, err = positive("quantity", r.GetQuantity()); err != nil {
		return dst, err
	}
	if spec.Price, err = positive("price", r.GetPrice()); err != nil {
		return dst, err
	}
	if err := s.checkSize(spec); err != nil {
		return dst, err
	}
	o.cancelling = true
	dst = append(dst, strategy.Action{Kind: strategy.ActionCancel, CancelID: o.id})
	return s.emitPlace(spec, seq, index, dst), nil
}
