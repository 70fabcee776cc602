package binance

import (
	"context"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/market"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// This file holds the types the package's parts exchange: the REST client
// produces them, the user stream and the reconciler too, and the loop's
// side consumes them. Each part keeps its own types in its own files.

// OrderStatus is the venue's status of an order (its "X" field), plus
// NeverSent: our verdict that the venue never received an order whose
// outcome was unknown.
type OrderStatus uint8

const (
	StatusUnknown OrderStatus = iota
	StatusNew
	StatusPartiallyFilled
	StatusFilled
	StatusCanceled
	StatusRejected
	StatusExpired
	// StatusNeverSent: the venue does not know the order (-2013), asked
	// after the request's recvWindow had passed on the venue's clock, so
	// it can no longer arrive.
	StatusNeverSent
)

// Final reports whether the status can change no more.
func (s OrderStatus) Final() bool { return s >= StatusFilled }

// Trade is one fill of one of our orders, as the venue reports it (the
// user stream's executionReport with x=TRADE, or GET /api/v3/myTrades).
// ID is the venue's trade id, unique per symbol: a trade is applied once.
type Trade struct {
	ID       int64
	Symbol   string // ours, BTC-USD
	ClientID string
	OrderID  int64
	Side     venue.Side
	Quantity money.Decimal
	Price    money.Decimal
	// Fee and FeeAsset are the commission as charged, in FeeAsset.
	Fee      money.Decimal
	FeeAsset string
	Maker    bool
	Time     time.Time
}

// OrderUpdate is what the venue says about one of our orders, from
// whichever source: the answer to a place, query or cancel, an execution
// report on the user stream, or reconciliation. The loop's side applies
// updates in any order and any number of times: a trade counts once by its
// id, a status never goes backwards.
type OrderUpdate struct {
	Symbol   string // ours
	ClientID string
	OrderID  int64
	Status   OrderStatus
	// Executed is the cumulative filled quantity the venue reports
	// ("z" or executedQty); a Trade's quantity is in Trade.
	Executed money.Decimal
	Trade    *Trade
	// Reason explains a rejection, expiry or never-sent verdict, with the
	// venue's code where there is one ("-2010 Account has insufficient
	// balance").
	Reason string
	Time   time.Time
}

// Balance is one asset of the account.
type Balance struct {
	Asset        string
	Free, Locked money.Decimal
}

// Total is free plus locked.
func (b Balance) Total() money.Decimal { return b.Free.Add(b.Locked) }

// Level is how a part judges its own health; the daemon maps it onto its
// session health (the levels mean the same there).
type Level uint8

const (
	Healthy Level = iota + 1
	Degraded
	Unhealthy
)

// Health is one component's health: a named part of the connection
// ("market_data", "user_stream", "venue", "clock", "reconcile"), judged by
// itself from the freshness of what it saw.
type Health struct {
	Name   string
	Level  Level
	Reason string
	// LastProgress is when the part last saw the venue do what it should
	// (a message, an answer); zero for never.
	LastProgress time.Time
}

// OrderRequest is an order to place: the loop's spec and its client order
// id, which the venue receives as newClientOrderId. The store has
// committed it before the request exists (venue.WriteAhead).
type OrderRequest struct {
	ClientID string
	Spec     venue.OrderSpec
}

// Rules are a symbol's trading rules from exchangeInfo.
type Rules struct {
	Symbol      string // ours
	VenueSymbol string
	Trading     bool // status TRADING and spot trading allowed
	Filters     venue.Filters
	// Beyond venue.Filters (which the loop checks itself): the bounds the
	// adapter checks before sending. Zero is no rule.
	MinPrice, MaxPrice, MinQty, MaxQty, MaxNotional money.Decimal
	MarketMinQty, MarketMaxQty, MarketLotSize       money.Decimal
	// PERCENT_PRICE_BY_SIDE multipliers; zero when the symbol has none.
	BidUp, BidDown, AskUp, AskDown money.Decimal
	MaxNumOrders                   int
}

// RateLimit is one of the venue's limits from exchangeInfo.rateLimits.
type RateLimit struct {
	Type     string // REQUEST_WEIGHT, ORDERS, RAW_REQUESTS
	Interval time.Duration
	Limit    int64
}

// DepthSnapshot is GET /api/v3/depth: the book as of LastUpdateID.
type DepthSnapshot struct {
	LastUpdateID int64
	Bids, Asks   []market.Level
}

// Account is GET /api/v3/account: balances and the account's fees.
type Account struct {
	// UID and Type name the account ("SPOT"); shown to the operator
	// before a live session starts. Not secrets.
	UID                int64
	Type               string
	Balances           []Balance
	MakerBps, TakerBps int64
	CanTrade           bool
}

// Name names the account for the operator ("SPOT account, uid 1001").
func (a Account) Name() string { return fmt.Sprintf("%s account, uid %d", a.Type, a.UID) }

// API is the venue's REST surface as the other parts use it; *REST
// implements it over go-binance, tests fake it. Symbols are ours
// (BTC-USD); the implementation maps them. Errors are *APIError where the
// venue answered, see Classify.
type API interface {
	ServerTime(ctx context.Context) (time.Time, error)
	ExchangeInfo(ctx context.Context, symbols []string) (map[string]Rules, []RateLimit, error)
	Depth(ctx context.Context, symbol string, limit int) (DepthSnapshot, error)
	Place(ctx context.Context, o OrderRequest) (OrderUpdate, error)
	Query(ctx context.Context, symbol, clientID string) (OrderUpdate, error)
	Cancel(ctx context.Context, symbol, clientID string) (OrderUpdate, error)
	OpenOrders(ctx context.Context, symbol string) ([]OrderUpdate, error)
	// MyTrades lists the trades of one order (orderID > 0), or of the
	// symbol from trade id fromID on, oldest first, at most 1000.
	MyTrades(ctx context.Context, symbol string, orderID, fromID int64) ([]Trade, error)
	Account(ctx context.Context) (Account, error)
}

// Sink is where the network's goroutines hand what they learn to the
// loop's side (venue.go). Its methods never block and may be called from
// any goroutine.
type Sink interface {
	// Update hands over what the venue says about one of our orders.
	Update(OrderUpdate)
	// Balances hands over changed balances (outboundAccountPosition, an
	// account fetch).
	Balances([]Balance)
	// Halt stops order entry for cause ("rate_limit", "clock",
	// "reconcile", ...), saying why; Resume lifts the halt of that cause.
	// New orders are refused locally while any cause holds.
	Halt(cause, reason string)
	Resume(cause string)
}
