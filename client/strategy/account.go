package strategy

import (
	"slices"
	"strings"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Account is what a strategy may read of its account while it decides: the
// snapshot the daemon sent on attach, plus every order update, fill and
// refusal since, plus the decisions it took itself. It is exact (no float)
// and valid only on Run's goroutine, during a callback.
type Account interface {
	// SessionID is the session the strategy drives.
	SessionID() string
	// Position is the signed quantity held in symbol: the snapshot's plus
	// the fills since.
	Position(symbol string) Decimal
	// Cash is the snapshot's cash minus what buys cost and plus what sells
	// brought since, fees included.
	Cash() Decimal
	// OpenOrders counts the strategy's live orders in symbol, in flight
	// (counted from the moment it decided) or resting.
	OpenOrders(symbol string) int
	// Order is the live order tagged tag.
	Order(tag string) (Order, bool)
	// Orders lists the live orders, sorted by tag.
	Orders() []Order
	// Filters are symbol's tick, lot and minimum notional, from the snapshot.
	Filters(symbol string) Filters
}

// tracked is a live order and what undoing its last decision needs.
type tracked struct {
	Order
	// decidedSeq and decidedIndex name the decision (answer and place in
	// it) that put the order in flight, to match a refusal to it.
	decidedSeq   uint64
	decidedIndex int
	// prev is the order before a replace in flight, restored if the daemon
	// refuses the replace as invalid (then nothing reached the venue).
	prev *Order
	// retired are client ids a replace cancelled: their updates still
	// carry fills but no longer say anything about the tag's order.
	retired []string
}

// account implements Account.
type account struct {
	sessionID string
	cash      Decimal
	positions map[string]Decimal
	filters   map[string]Filters
	orders    map[string]*tracked
}

func newAccount() *account {
	return &account{positions: map[string]Decimal{}, filters: map[string]Filters{}, orders: map[string]*tracked{}}
}

func (a *account) SessionID() string              { return a.sessionID }
func (a *account) Position(symbol string) Decimal { return a.positions[symbol] }
func (a *account) Cash() Decimal                  { return a.cash }
func (a *account) Filters(symbol string) Filters  { return a.filters[symbol] }

func (a *account) OpenOrders(symbol string) int {
	n := 0
	for _, t := range a.orders {
		if t.Symbol == symbol {
			n++
		}
	}
	return n
}

func (a *account) Order(tag string) (Order, bool) {
	if t, ok := a.orders[tag]; ok {
		return t.Order, true
	}
	return Order{}, false
}

func (a *account) Orders() []Order {
	out := make([]Order, 0, len(a.orders))
	for _, t := range a.orders {
		out = append(out, t.Order)
	}
	slices.SortFunc(out, func(x, y Order) int { return strings.Compare(x.Tag, y.Tag) })
	return out
}

// reset replaces everything with the snapshot's: what the daemon says is
// the account, whatever this process remembered before a re-attach.
func (a *account) reset(s *tradingv1.StrategySnapshot) (err error) {
	defer money.RecoverOverflow(&err)
	fresh := newAccount()
	fresh.sessionID = s.GetSessionId()
	if fresh.cash, err = parse("snapshot cash", s.GetCash(), true); err != nil {
		return err
	}
	for _, p := range s.GetPositions() {
		q, err := parse("snapshot position quantity", p.GetQuantity(), true)
		if err != nil {
			return err
		}
		fresh.positions[p.GetSymbol()] = fresh.positions[p.GetSymbol()].Add(q)
	}
	for _, f := range s.GetSymbols() {
		var v Filters
		if v.TickSize, err = parse("tick size", f.GetTickSize(), false); err == nil {
			if v.LotSize, err = parse("lot size", f.GetLotSize(), false); err == nil {
				v.MinNotional, err = parse("min notional", f.GetMinNotional(), false)
			}
		}
		if err != nil {
			return err
		}
		fresh.filters[f.GetSymbol()] = v
	}
	for _, o := range s.GetOpenOrders() {
		order, err := orderFromProto(o)
		if err != nil {
			return err
		}
		fresh.orders[order.Tag] = &tracked{Order: order}
	}
	*a = *fresh
	return nil
}

func terminal(s OrderState) bool {
	switch s {
	case tradingv1.OrderState_ORDER_STATE_FILLED, tradingv1.OrderState_ORDER_STATE_CANCELLED,
		tradingv1.OrderState_ORDER_STATE_REJECTED:
		return true
	}
	return false
}

// applyUpdate takes an order update into the account: its fill into the
// position and cash, its state into the order tracked under its tag.
func (a *account) applyUpdate(u *OrderUpdate) {
	if f := u.Fill; f != nil {
		notional := f.Quantity.Mul(f.Price)
		qty := f.Quantity
		if u.Order.Side == Sell {
			notional, qty = notional.Neg(), qty.Neg()
		}
		a.positions[u.Order.Symbol] = a.positions[u.Order.Symbol].Add(qty)
		a.cash = a.cash.Sub(notional).Sub(f.Fee)
	}
	id := u.Order.ClientOrderID
	t := a.orders[u.Order.Tag]
	if t == nil {
		// An order the account did not know (sent before the snapshot
		// reached it, or already written off): take it while it lives.
		if !terminal(u.Order.State) && u.Order.Tag != "" {
			a.orders[u.Order.Tag] = &tracked{Order: u.Order}
		}
		return
	}
	if i := slices.Index(t.retired, id); id != "" && i >= 0 {
		if terminal(u.Order.State) {
			t.retired = slices.Delete(t.retired, i, i+1)
		}
		return
	}
	if t.ClientOrderID != "" && t.ClientOrderID != id {
		return // not the order the tag names now
	}
	t.Order, t.prev = u.Order, nil
	if terminal(u.Order.State) {
		delete(a.orders, u.Order.Tag)
	}
}

// applyRefusal undoes the refused decision in the account: a place in
// flight is dropped; a replace the daemon refused as invalid is restored
// (nothing reached the venue), one the risk checks refused is dropped (its
// cancel went through).
func (a *account) applyRefusal(r *Refusal) {
	undo := func(t *tracked) {
		if t.prev != nil && r.Reason == tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID.Wire() {
			t.Order, t.prev = *t.prev, nil
			t.retired = slices.DeleteFunc(t.retired, func(id string) bool { return id == t.ClientOrderID })
			return
		}
		delete(a.orders, t.Tag)
	}
	for _, t := range a.orders {
		if t.InFlight && t.decidedSeq == r.EventSequence && (r.DecisionIndex < 0 || int(r.DecisionIndex) == t.decidedIndex) {
			undo(t)
		}
	}
}
