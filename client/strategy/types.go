package strategy

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Decimal is the exact fixed-point decimal of prices, quantities and cash
// (8 fractional digits). Never convert it to float64 to decide anything.
type Decimal = money.Decimal

// ParseDecimal reads a decimal such as "0.015".
func ParseDecimal(s string) (Decimal, error) { return money.Parse(s) }

// Side, OrderType, TimeInForce and OrderState are the API's enums.
type (
	Side        = tradingv1.OrderSide
	OrderType   = tradingv1.OrderType
	TimeInForce = tradingv1.TimeInForce
	OrderState  = tradingv1.OrderState
	// Kind is a market event kind a strategy subscribes to.
	Kind = tradingv1.StrategyEventKind
)

const (
	Buy    = tradingv1.OrderSide_ORDER_SIDE_BUY
	Sell   = tradingv1.OrderSide_ORDER_SIDE_SELL
	Market = tradingv1.OrderType_ORDER_TYPE_MARKET
	Limit  = tradingv1.OrderType_ORDER_TYPE_LIMIT
	GTC    = tradingv1.TimeInForce_TIME_IN_FORCE_GTC
	IOC    = tradingv1.TimeInForce_TIME_IN_FORCE_IOC

	KindBook  = tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_BOOK
	KindTrade = tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_TRADE
)

// Hello is what the strategy tells the daemon when it attaches.
type Hello struct {
	// Name is NAME of the session's `--strategy remote:NAME`.
	Name, Version string
	// Symbols whose market events to receive; empty: all the session's.
	Symbols []string
	// Kinds of market events to receive; empty: book updates only.
	Kinds []Kind
	// Depth asks for up to 5 book levels a side with book events.
	Depth bool
	// TimerInterval asks for OnTimer every interval of market time; 0: none.
	TimerInterval time.Duration
	// Params are recorded by the daemon, not interpreted.
	Params map[string]string
}

// Event is what every event carries: its sequence number and market time.
type Event struct {
	Sequence uint64
	Time     time.Time
}

// Level is one price level of a book side.
type Level struct{ Price, Size Decimal }

// Book is the top of a symbol's book, with depth if the hello asked.
type Book struct {
	Event
	Symbol     string
	Bid, Ask   Decimal
	Bids, Asks []Level
	// Coalesced counts the book updates this one replaced because the
	// strategy fell behind its window.
	Coalesced uint32
}

// Trade is a trade printed on the venue.
type Trade struct {
	Event
	Symbol      string
	Price, Size Decimal
	Aggressor   Side
}

// PlaceOrder is a new order the strategy decides on.
type PlaceOrder struct {
	// Tag names the order: 1 to 64 of [A-Za-z0-9._:-], unique among the
	// strategy's live orders. Empty: Decisions.Place makes one up.
	Tag         string
	Symbol      string
	Side        Side
	Type        OrderType
	TimeInForce TimeInForce
	PostOnly    bool
	Quantity    Decimal
	// Price is the limit price; zero for a market order.
	Price Decimal
}

// Order is one of the strategy's live orders as the SDK tracks it.
type Order struct {
	PlaceOrder
	// ClientOrderID is the daemon's id; empty while in flight.
	ClientOrderID string
	State         OrderState
	Filled        Decimal
	// InFlight: decided (placed or replaced) and not yet acknowledged.
	InFlight bool
}

// Fill is one execution of an order.
type Fill struct {
	Quantity, Price Decimal
	// Fee is in the quote currency.
	Fee  Decimal
	Time time.Time
}

// OrderUpdate is a change of one of the strategy's orders.
type OrderUpdate struct {
	Event
	Order Order
	// Fill is the execution this update carries, nil if none.
	Fill *Fill
	// Reason says why the order was rejected or cancelled.
	Reason string
}

// Refusal says that a decision was not taken, and why.
type Refusal struct {
	Event
	// EventSequence is the event the refused answer named; DecisionIndex
	// the decision's place in it, -1 for the whole answer.
	EventSequence uint64
	DecisionIndex int32
	Tag           string
	// Reason is an ErrorReason's wire name (DECISION_INVALID,
	// ORDER_REFUSED); Message is for a person.
	Reason, Message string
}

// Stopped is the last event of a stream the session ends.
type Stopped struct {
	Event
	State  tradingv1.SessionState
	Reason string
}

// Snapshot is what the daemon sends first on every attach. The Account
// already reflects it when OnSnapshot runs.
type Snapshot struct {
	Event
	SessionID string
	// LastSequence is the last event sent before this attachment.
	LastSequence uint64
}

// Filters are a symbol's order rules: limit prices a multiple of TickSize,
// quantities a multiple of LotSize, orders worth at least MinNotional. A
// zero field is no rule.
type Filters struct {
	TickSize, LotSize, MinNotional Decimal
}

// Quantity rounds qty down to the lot: an order never grows by rounding.
func (f Filters) Quantity(qty Decimal) Decimal { return qty.FloorTo(f.LotSize) }

// PassivePrice rounds a resting order's price to the tick away from the
// market: a buy down, a sell up, so rounding never makes it cross.
func (f Filters) PassivePrice(side Side, price Decimal) Decimal {
	if side == Sell {
		return price.CeilTo(f.TickSize)
	}
	return price.FloorTo(f.TickSize)
}

// Tradable reports whether an order of qty at price is worth placing: a
// positive quantity and at least the minimum notional.
func (f Filters) Tradable(qty, price Decimal) bool {
	return qty.IsPositive() && (!f.MinNotional.IsPositive() || qty.Mul(price).Cmp(f.MinNotional) >= 0)
}

// MustDecimal is ParseDecimal for constants: it panics on a malformed s.
func MustDecimal(s string) Decimal { return money.MustParse(s) }
