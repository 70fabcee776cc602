package venue

import (
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// Venue is what the trading loop asks of a venue, and all it asks: the
// paper matching engine is one implementation, a live exchange connection
// is the next. Every method is called on the loop's goroutine only, and
// none may block on the network for long: the loop waits for each. A
// method that reports appends to dst and returns it, so that the loop
// reuses one buffer and a report allocates nothing.
type Venue interface {
	// OnEvent lets the venue see a market event: orders in flight arrive,
	// resting ones fill. It appends the reports that result.
	OnEvent(ev *market.Event, dst []ExecutionReport) []ExecutionReport
	// Submit sends spec as clientID, decided on decision (the latest
	// event of spec.Symbol, or of the market the strategy looked at), at
	// now in event time. It appends ACCEPTED or REJECTED, and any fills
	// that follow at once.
	Submit(spec OrderSpec, clientID string, decision market.Event, now time.Time, dst []ExecutionReport) []ExecutionReport
	// Cancel cancels the live order clientID and appends its report; it
	// fails if the venue does not know the order or it has ended.
	Cancel(clientID string, now time.Time, dst []ExecutionReport) ([]ExecutionReport, error)
	// CancelAll cancels every live order and appends their reports.
	CancelAll(now time.Time, dst []ExecutionReport) []ExecutionReport
	// Open appends the live orders in submit order.
	Open(dst []OpenOrder) []OpenOrder
	// OpenCount and OpenTotal count the live orders of one symbol, and
	// of all.
	OpenCount(symbol string) int
	OpenTotal() int
	// Filters are symbol's trading rules; the zero value is none.
	Filters(symbol string) Filters
	// FeeBps are the maker and taker fees in basis points of a fill's
	// notional, by which the loop prices what a buy may cost.
	FeeBps() (maker, taker int64)
}

// WriteAhead is a venue whose orders leave the process (a live exchange).
// The loop commits each new order to its journal before Submit, so an
// order can be on the wire only once the store knows it: after a crash the
// resumed session asks the venue about every order it has, never about one
// it lost. A journal failure refuses the order instead of sending it.
type WriteAhead interface {
	WriteAhead() bool
}

// OpenOrder is a live order: in flight to the venue or resting on it.
type OpenOrder struct {
	ClientID          string
	Spec              OrderSpec
	Filled, Remaining money.Decimal
	State             OrderState
	Submitted         time.Time
	// Arrival is when the order reaches (or reached) the venue; Active
	// says whether it has.
	Arrival time.Time
	Active  bool
}
