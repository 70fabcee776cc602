package venue

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Side is the direction of an order: Buy is +1 and Sell is -1, so that a
// fill's signed quantity is Quantity times Side.
type Side int8

const (
	Buy  Side = 1
	Sell Side = -1
)

func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return "invalid"
}

// Fill is an execution of (part of) an order. Price is per unit of the base
// asset; Fee is in the quote currency and always non-negative.
type Fill struct {
	ClientID string
	Symbol   string
	Side     Side
	Quantity money.Decimal
	Price    money.Decimal
	Fee      money.Decimal
	Time     time.Time
	// TradeID is the venue's id of the trade (per symbol), by which a fill
	// is applied exactly once; 0 when the venue has none (paper).
	TradeID int64
	// FeeAsset and FeeNative: see ExecutionReport.
	FeeAsset  string
	FeeNative money.Decimal
}

// OrderType is market or limit.
type OrderType uint8

const (
	Market OrderType = iota + 1
	Limit
)

// TimeInForce says how long a limit order may rest.
type TimeInForce uint8

const (
	// GTC rests until filled or cancelled.
	GTC TimeInForce = iota + 1
	// IOC fills what it can on arrival and cancels the rest.
	IOC
)

// OrderState is an order's lifecycle:
//
//	New → Accepted → PartiallyFilled → Filled
//	          ↘ Rejected  ↘ Cancelled (from Accepted or PartiallyFilled)
//
// Filled, Cancelled and Rejected are final.
type OrderState uint8

const (
	StateNew OrderState = iota + 1
	StateAccepted
	StatePartiallyFilled
	StateFilled
	StateCancelled
	StateRejected
)

// Final reports whether no further transition can happen.
func (s OrderState) Final() bool {
	return s == StateFilled || s == StateCancelled || s == StateRejected
}

func (s OrderState) String() string {
	switch s {
	case StateNew:
		return "NEW"
	case StateAccepted:
		return "ACCEPTED"
	case StatePartiallyFilled:
		return "PARTIALLY_FILLED"
	case StateFilled:
		return "FILLED"
	case StateCancelled:
		return "CANCELLED"
	case StateRejected:
		return "REJECTED"
	}
	return "UNSPECIFIED"
}

// Liquidity says whether a fill added liquidity (maker) or took it (taker).
type Liquidity uint8

const (
	Taker Liquidity = iota + 1
	Maker
)

// OrderSpec is an order as a strategy or a user asks for it.
type OrderSpec struct {
	Symbol   string
	Side     Side
	Type     OrderType
	TIF      TimeInForce // limit orders; market orders are always IOC
	PostOnly bool        // limit orders: reject rather than take liquidity
	Quantity money.Decimal
	Price    money.Decimal // limit price; zero for market orders
	// Tag is a remote strategy's own name for the order (see
	// internal/remote); empty for a built-in strategy's orders. It travels
	// with the order to the book, the store and the API.
	Tag string
}

// ExecutionReport is one change of an order's state, as a venue reports
// it. A report with FillQuantity > 0 carries a fill.
type ExecutionReport struct {
	ClientID string
	Symbol   string
	Side     Side
	State    OrderState
	// Reason explains a rejection or cancellation.
	Reason string
	// Filled is the cumulative filled quantity, Remaining what is left.
	Filled, Remaining money.Decimal
	// The fill this report carries, if FillQuantity > 0.
	FillQuantity money.Decimal
	FillPrice    money.Decimal
	Fee          money.Decimal
	Liquidity    Liquidity
	// TradeID is the venue's id of the fill's trade, 0 for none (paper).
	TradeID int64
	// FeeAsset and FeeNative are the fee as a live venue charged it, when
	// it charged it in another asset than the quote currency (Binance
	// takes a buy's fee in the base asset, or in BNB): Fee is then its
	// value in the quote currency, or zero if the venue gave no price for
	// it. Empty for the paper venue and for fees charged in the quote.
	FeeAsset  string
	FeeNative money.Decimal
	// DecisionPrice is the price the strategy saw when it decided (the
	// ask for a buy, the bid for a sell); slippage is measured against it.
	DecisionPrice money.Decimal
	Time          time.Time
	// RetryAt, on a refusal by the trading loop (not the venue's), is the
	// earliest event time at which the same order could pass: the strategy
	// should not ask again before it.
	RetryAt time.Time
}

// Fill returns the report's fill as a portfolio fill.
func (r *ExecutionReport) Fill() Fill {
	return Fill{ClientID: r.ClientID, Symbol: r.Symbol, Side: r.Side, Quantity: r.FillQuantity,
		Price: r.FillPrice, Fee: r.Fee, Time: r.Time, TradeID: r.TradeID,
		FeeAsset: r.FeeAsset, FeeNative: r.FeeNative}
}

// Slippage is how much worse than the decision price the fill was, per
// unit, in the quote currency: positive is worse for the trader.
func (r *ExecutionReport) Slippage() money.Decimal {
	if r.DecisionPrice.IsZero() || r.FillQuantity.IsZero() {
		return money.Decimal{}
	}
	d := r.FillPrice.Sub(r.DecisionPrice)
	if r.Side == Sell {
		d = d.Neg()
	}
	return d
}
