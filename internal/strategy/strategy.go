// Package strategy defines the Strategy the trading loop consults on every
// market event, holds the built-in strategies and the registry that builds
// them by name. A strategy decides; it never executes: its actions go back
// to the coordinator, which owns the risk guard, the venue and the
// portfolio, and may refuse them. It must never hold the venue or the
// portfolio: a strategy sees the account only through Context, on the
// loop's goroutine, and must not block it.
package strategy

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Strategy sees every market event once, in time order, on the trading
// loop's goroutine: it needs no locks and must not block.
type Strategy interface {
	// OnEvent appends the actions the strategy wants after ev and returns
	// the extended slice. ev and ctx are valid only during the call.
	OnEvent(ev *market.Event, ctx Context, dst []Action) []Action
}

// Context is what a strategy may read of the account while it decides. The
// coordinator implements it over its portfolio and venue; implementations
// must answer without allocating, as they are asked on every event.
type Context interface {
	// Position is the signed quantity held in symbol: negative is short.
	Position(symbol string) money.Decimal
	// OpenOrders is the number of the strategy's live orders in symbol,
	// in flight or resting.
	OpenOrders(symbol string) int
	// Cash is the account's cash balance in the quote currency.
	Cash() money.Decimal
	// Filters are symbol's tick size, lot size and minimum notional: the
	// venue rejects an order that breaks one, so strategies round to them.
	Filters(symbol string) venue.Filters
	// Sellable is how much of symbol the account may still sell: in a
	// cash account (limited true) what it holds and has not promised to
	// open sells, beyond which a sell is refused; in a margin account
	// (limited false) there is no such bound, only a borrowing limit.
	Sellable(symbol string) (qty money.Decimal, limited bool)
}

// ActionKind says what an Action asks for.
type ActionKind uint8

const (
	// ActionPlace asks for Order to be sent.
	ActionPlace ActionKind = iota + 1
	// ActionCancel asks for the live order CancelID to be cancelled.
	ActionCancel
)

// Action is one thing a strategy wants done.
type Action struct {
	Kind     ActionKind
	Order    venue.OrderSpec // ActionPlace
	CancelID string          // ActionCancel: the order's client id
}

// Reporter is implemented by strategies that track their orders. The
// coordinator assigns client ids and tells a Reporter its orders' ids
// through their reports, on the trading loop's goroutine:
//
//   - it calls OnReport with every execution report of the strategy's
//     orders, in the order the venue produced them;
//   - it answers every ActionPlace, in the order OnEvent returned them and
//     before the next OnEvent, with exactly one report in state ACCEPTED
//     or REJECTED that comes before any other report of that order; an
//     intent the loop refuses (risk guard, cash, intent budget) never
//     becomes an order: it is answered with a REJECTED report without a
//     client id, whose Reason gives the rule and whose RetryAt says when
//     the same order could pass. A strategy must not ask again before.
//
// So the first ACCEPTED or REJECTED report carrying a client id the
// strategy has not seen, or a REJECTED one carrying none, answers its
// oldest unanswered ActionPlace; an ACCEPTED one holds that order's id.
type Reporter interface {
	OnReport(r *venue.ExecutionReport)
}

// Adopter is implemented by strategies that keep orders resting. A resumed
// session finds the orders its strategy placed before the crash (or kept
// open by a stop) still live at the venue, while the strategy, built anew,
// remembers none of them: the coordinator hands each to Adopt, once, before
// the first event, so that the strategy owns them again (tracks or cancels
// them) instead of quoting a second time beside them. o is the order as
// the venue holds it: its state and what has filled of it already.
type Adopter interface {
	Adopt(o venue.OpenOrder)
}

// place is the ActionPlace of spec.
func place(spec venue.OrderSpec) Action { return Action{Kind: ActionPlace, Order: spec} }

// usableQuote reports whether a book event's top can be traded on: a
// positive bid and an ask not below it.
func usableQuote(ev *market.Event) bool {
	return ev.Kind == market.EventBook && ev.Bid.IsPositive() && ev.Ask.Cmp(ev.Bid) >= 0
}
