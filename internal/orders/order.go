package orders

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Order is an order as a reader sees it: a copy, never shared with the Book.
type Order struct {
	ClientID  string
	SessionID string
	Spec      venue.OrderSpec
	State     venue.OrderState
	// Reason is the latest report's: why it was rejected or cancelled.
	Reason string
	// Filled + Remaining = Spec.Quantity, always.
	Filled, Remaining money.Decimal
	// AveragePrice is Σ(fill quantity × fill price) / Filled, from an
	// exact sum, rounded half away from zero to money.Scale decimals;
	// zero before the first fill.
	AveragePrice money.Decimal
	// Fees is the sum of the fills' fees, in the quote currency.
	Fees money.Decimal
	// DecisionPrice is the price the strategy decided on (see
	// venue.ExecutionReport.DecisionPrice).
	DecisionPrice    money.Decimal
	Created, Updated time.Time
	// Fills in the order they were reported; nil in an Event.
	Fills []Fill
}

// Fill is one execution of (part of) an order.
type Fill struct {
	Quantity, Price, Fee money.Decimal
	Liquidity            venue.Liquidity
	// Slippage is per unit, against the decision price, positive when
	// worse for the trader (venue.ExecutionReport.Slippage); zero when
	// there was no decision price.
	Slippage money.Decimal
	Time     time.Time
	// TradeID, FeeAsset and FeeNative are the report's (a live venue's
	// trade id and the fee as charged in another asset than the quote;
	// see venue.ExecutionReport): zero for paper.
	TradeID   int64
	FeeAsset  string
	FeeNative money.Decimal
}

// Event is one change of one order: its submission or a report applied.
type Event struct {
	// Seq is the event's daemon-wide sequence number: the store's, set
	// when the tick that made it commits (see store.EventRow), or the
	// feed's when the daemon runs without a store. Zero until then.
	Seq uint64
	// Order is the order after the change, without its fill history.
	Order Order
	// Fill is the fill this change made, if HasFill.
	Fill Fill
	// FillSeq is Fill's number among its order's fills, 1, 2, 3... (the
	// store's, as ListFills shows it), set with Seq: two fills of one
	// order can match in time, quantity and price (a resting order filled
	// at its own limit across book levels of equal size), so a client that
	// merges ListFills (or ListOrders' fills) with the stream needs it to
	// tell them apart. Zero without a fill.
	FillSeq uint32
}

// HasFill reports whether the event carries a fill.
func (e *Event) HasFill() bool { return e.Fill.Quantity.IsPositive() }

// Counts are a Book's totals since it was made, dropped orders included.
type Counts struct {
	Submitted, Filled, Cancelled, Rejected uint64
	// Fills counts executions, not orders.
	Fills uint64
	// Dropped counts finished orders forgotten to bound the history.
	Dropped uint64
}
