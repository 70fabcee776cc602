package matching

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Reasons, as constants so that reporting them allocates nothing.
const (
	reasonNoClientID      = "client order id is empty"
	reasonDuplicateID     = "duplicate client order id"
	reasonNoSymbol        = "symbol is empty"
	reasonBadSide         = "side must be buy or sell"
	reasonBadQuantity     = "quantity must be positive"
	reasonBadType         = "order type must be market or limit"
	reasonMarketPrice     = "a market order takes no price"
	reasonMarketPostOnly  = "a market order cannot be post-only"
	reasonBadPrice        = "limit price must be positive"
	reasonBadTIF          = "time in force must be GTC or IOC"
	reasonPostOnlyIOC     = "a post-only order cannot be IOC: it could never fill"
	reasonTooLarge        = "notional (quantity × price) is out of range"
	reasonPostOnlyCross   = "post-only order would take liquidity"
	reasonPostOnlyCrossed = "post-only order would have taken liquidity on arrival"
	reasonMarketRemainder = "market order: no more liquidity in the book, remainder cancelled"
	reasonIOCRemainder    = "IOC: no more liquidity within the limit price, remainder cancelled"
	reasonCancelled       = "cancelled on request"
)

// refuse returns why spec may not be submitted as clientID, or "".
func (e *Engine) refuse(spec *venue.OrderSpec, clientID string, decision *market.Event, decisionPrice money.Decimal) string {
	switch {
	case clientID == "":
		return reasonNoClientID
	case spec.Symbol == "":
		return reasonNoSymbol
	case spec.Side != venue.Buy && spec.Side != venue.Sell:
		return reasonBadSide
	case !spec.Quantity.IsPositive():
		return reasonBadQuantity
	}
	var reason string
	switch spec.Type {
	case venue.Market:
		reason = refuseMarket(spec, decisionPrice)
	case venue.Limit:
		reason = refuseLimit(spec, decision)
	default:
		reason = reasonBadType
	}
	if reason != "" {
		return reason
	}
	if _, dup := e.ids[clientID]; dup {
		return reasonDuplicateID
	}
	return e.Filters(spec.Symbol).Check(spec, decisionPrice)
}

// refuseMarket returns why a market order may not be submitted, or "".
func refuseMarket(spec *venue.OrderSpec, decisionPrice money.Decimal) string {
	switch {
	case !spec.Price.IsZero():
		return reasonMarketPrice
	case spec.PostOnly:
		return reasonMarketPostOnly
	case decisionPrice.IsPositive() && !fits(spec.Quantity, decisionPrice):
		return reasonTooLarge
	}
	return ""
}

// refuseLimit returns why a limit order may not be submitted, or "".
func refuseLimit(spec *venue.OrderSpec, decision *market.Event) string {
	switch {
	case !spec.Price.IsPositive():
		return reasonBadPrice
	case spec.TIF != venue.GTC && spec.TIF != venue.IOC:
		return reasonBadTIF
	case spec.PostOnly && spec.TIF == venue.IOC:
		return reasonPostOnlyIOC
	case !fits(spec.Quantity, spec.Price):
		return reasonTooLarge
	case spec.PostOnly && decision.Symbol == spec.Symbol && crosses(spec, decision):
		return reasonPostOnlyCross
	}
	return ""
}
