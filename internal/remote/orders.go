package remote

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// order is one of the strategy's orders, from its place to its end. All of
// it is the loop's.
type order struct {
	tag    string
	id     string // "" until the loop's first report names it
	spec   venue.OrderSpec
	state  venue.OrderState
	filled money.Decimal
	// cancelling: a cancel or replace of it was asked for already.
	cancelling bool
	// The answer that placed it, for a refusal (0, -1 when adopted).
	seq   uint64
	index int
}

// Adopt implements strategy.Adopter: a resumed session's order keeps the
// tag it was placed with, its state and what has filled of it (taken as
// ACCEPTED with nothing filled, a partly filled order's snapshot
// disagreed with ListOrders). One without a tag (placed before the
// session ran a remote strategy) is tagged with its client id, which fits
// a tag's alphabet, so the strategy can still cancel it.
func (s *Strategy) Adopt(v venue.OpenOrder) {
	spec, clientID := v.Spec, v.ClientID
	tag := spec.Tag
	if tag == "" || s.byTag[tag] != nil {
		tag = clientID
	}
	spec.Tag = tag
	o := &order{tag: tag, id: clientID, spec: spec, state: v.State, filled: v.Filled, index: -1}
	s.byTag[tag], s.byID[clientID] = o, o
	// The client that placed it was attached to the process that ended:
	// that is a detach, which the first event applies (see OnEvent).
	s.orphaned = true
}

// OnReport implements strategy.Reporter: it names the pending places
// (see strategy.Reporter), follows each order, and tells the client.
func (s *Strategy) OnReport(r *venue.ExecutionReport) {
	o := s.byID[r.ClientID]
	if o == nil && (r.State == venue.StateAccepted || r.State == venue.StateRejected) && len(s.pending) > 0 {
		o = s.pending[0]
		s.pending[0] = nil
		s.pending = s.pending[1:]
		if r.ClientID == "" {
			s.refusedByLoop(o, r)
			return
		}
		o.id = r.ClientID
		s.byID[o.id] = o
	}
	if o == nil {
		return // not the strategy's: nothing placed it
	}
	o.state, o.filled = r.State, r.Filled
	if r.State.Final() {
		delete(s.byID, o.id)
		if s.byTag[o.tag] == o {
			delete(s.byTag, o.tag)
		}
	}
	up := &tradingv1.StrategyOrderUpdate{Order: orderToProto(o), Reason: r.Reason}
	if r.FillQuantity.IsPositive() {
		up.Fill = fillToProto(r)
	}
	s.mu.Lock()
	s.enqueueLocked(r.Time, &tradingv1.StrategyEvent{Event: &tradingv1.StrategyEvent_Order{Order: up}})
	s.mu.Unlock()
}

// refusedByLoop answers a place the loop refused (risk guard, cash, intent
// budget): it never became an order.
func (s *Strategy) refusedByLoop(o *order, r *venue.ExecutionReport) {
	if s.byTag[o.tag] == o {
		delete(s.byTag, o.tag)
	}
	msg := r.Reason
	if !r.RetryAt.IsZero() {
		msg = fmt.Sprintf("%s (the same order could pass from %s)", msg, r.RetryAt.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	}
	s.mu.Lock()
	s.refuseLocked(r.Time, o.seq, o.index, o.tag, tradingv1.ErrorReason_ERROR_REASON_ORDER_REFUSED, msg)
	s.mu.Unlock()
}

// lost applies a detach the loop has not seen yet: no answer of the old
// client is taken any more, and under CancelOnDetach its open orders are
// cancelled. cancelled says whether any was.
func (s *Strategy) lost(dst []strategy.Action) (_ []strategy.Action, cancelled bool) {
	if s.cfg.OnDetach != CancelOnDetach {
		return dst, false
	}
	for _, o := range s.openOrders() {
		if !o.cancelling {
			o.cancelling = true
			dst = append(dst, strategy.Action{Kind: strategy.ActionCancel, CancelID: o.id})
			cancelled = true
		}
	}
	return dst, cancelled
}

// openOrders are the strategy's orders with a client id, by tag, so that
// everything built from them is the same on every run.
func (s *Strategy) openOrders() []*order {
	out := make([]*order, 0, len(s.byID))
	for _, o := range s.byID {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *order) int { return strings.Compare(a.tag+"\x00"+a.id, b.tag+"\x00"+b.id) })
	return out
}

// snapshot is the first event of an attachment, built on the loop's
// goroutine so that it agrees with the events after it. mu is held.
func (s *Strategy) snapshot(ctx strategy.Context) *tradingv1.StrategyEvent {
	snap := &tradingv1.StrategySnapshot{SessionId: s.cfg.SessionID, Cash: ctx.Cash().String(), LastSequence: s.sentSeq}
	for _, sym := range s.cfg.Symbols {
		if q := ctx.Position(sym); !q.IsZero() {
			snap.Positions = append(snap.Positions, &tradingv1.Position{Symbol: sym, Quantity: q.String()})
		}
		f := ctx.Filters(sym)
		snap.Symbols = append(snap.Symbols, &tradingv1.SymbolFilters{Symbol: sym, TickSize: f.TickSize.String(),
			LotSize: f.LotSize.String(), MinNotional: f.MinNotional.String()})
	}
	for _, o := range s.openOrders() {
		if !o.cancelling {
			snap.OpenOrders = append(snap.OpenOrders, orderToProto(o))
		}
	}
	return &tradingv1.StrategyEvent{Event: &tradingv1.StrategyEvent_Snapshot{Snapshot: snap}}
}

// refuseLocked tells the client that a decision (index -1: the whole answer
// to seq) was not taken. mu is held.
func (s *Strategy) refuseLocked(t time.Time, seq uint64, index int, tag string, reason tradingv1.ErrorReason, msg string) {
	s.refusals.Add(1)
	s.enqueueLocked(t, &tradingv1.StrategyEvent{Event: &tradingv1.StrategyEvent_Refused{Refused: &tradingv1.DecisionRefused{
		EventSequence: seq, DecisionIndex: int32(index), Tag: tag, Reason: reason.Wire(), Message: msg}}})
}
