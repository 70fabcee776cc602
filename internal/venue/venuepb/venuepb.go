// Package venuepb translates the order vocabulary of package venue into the
// wire's (tradingv1), once, for everything that shows orders to a client:
// the daemon's API (server/internal/service) and a remote strategy's stream
// (internal/remote). It holds no state and never reads the wire back: what
// a client sends is checked where it is received.
package venuepb

import (
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Side is s on the wire.
func Side(s venue.Side) tradingv1.OrderSide {
	if s == venue.Sell {
		return tradingv1.OrderSide_ORDER_SIDE_SELL
	}
	return tradingv1.OrderSide_ORDER_SIDE_BUY
}

// Type is t on the wire.
func Type(t venue.OrderType) tradingv1.OrderType {
	if t == venue.Market {
		return tradingv1.OrderType_ORDER_TYPE_MARKET
	}
	return tradingv1.OrderType_ORDER_TYPE_LIMIT
}

// TimeInForce is how long spec may rest, on the wire: a market order is
// always IOC, a limit order GTC unless it says IOC.
func TimeInForce(spec venue.OrderSpec) tradingv1.TimeInForce {
	if spec.Type == venue.Market || spec.TIF == venue.IOC {
		return tradingv1.TimeInForce_TIME_IN_FORCE_IOC
	}
	return tradingv1.TimeInForce_TIME_IN_FORCE_GTC
}

// State is s on the wire.
func State(s venue.OrderState) tradingv1.OrderState {
	switch s {
	case venue.StateNew:
		return tradingv1.OrderState_ORDER_STATE_NEW
	case venue.StateAccepted:
		return tradingv1.OrderState_ORDER_STATE_ACCEPTED
	case venue.StatePartiallyFilled:
		return tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED
	case venue.StateFilled:
		return tradingv1.OrderState_ORDER_STATE_FILLED
	case venue.StateCancelled:
		return tradingv1.OrderState_ORDER_STATE_CANCELLED
	case venue.StateRejected:
		return tradingv1.OrderState_ORDER_STATE_REJECTED
	}
	return tradingv1.OrderState_ORDER_STATE_UNSPECIFIED
}

// Liquidity is l on the wire.
func Liquidity(l venue.Liquidity) tradingv1.Liquidity {
	switch l {
	case venue.Maker:
		return tradingv1.Liquidity_LIQUIDITY_MAKER
	case venue.Taker:
		return tradingv1.Liquidity_LIQUIDITY_TAKER
	}
	return tradingv1.Liquidity_LIQUIDITY_UNSPECIFIED
}
