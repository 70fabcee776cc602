package harness

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Promises checks that a cash account's open orders promise no more than
// it holds: the open buys' remaining quantity at their limit price is at
// most the cash, and each symbol's open sells at most its position. A
// market order in flight has no price and counts for nothing: check
// sessions of limit orders (the grid).
func Promises(list *tradingv1.ListOrdersResponse, p *tradingv1.Portfolio) error {
	var err error
	dec := func(s string) money.Decimal {
		if s == "" { // a market order's price
			return money.Decimal{}
		}
		d, perr := money.Parse(s)
		if perr != nil && err == nil {
			err = perr
		}
		return d
	}
	var buys money.Decimal
	sells := map[string]money.Decimal{}
	for _, o := range list.GetOrders() {
		switch o.GetState() {
		case tradingv1.OrderState_ORDER_STATE_FILLED, tradingv1.OrderState_ORDER_STATE_CANCELLED,
			tradingv1.OrderState_ORDER_STATE_REJECTED:
			continue
		}
		remaining := dec(o.GetRemainingQuantity())
		if o.GetSide() == tradingv1.OrderSide_ORDER_SIDE_BUY {
			buys = buys.Add(remaining.Mul(dec(o.GetPrice())))
		} else {
			sells[o.GetSymbol()] = sells[o.GetSymbol()].Add(remaining)
		}
	}
	if err != nil {
		return err
	}
	if cash := dec(p.GetCash()); buys.Cmp(cash) > 0 {
		return fmt.Errorf("open buys promise %s, the account holds %s of cash", buys, cash)
	}
	held := map[string]money.Decimal{}
	for _, ps := range p.GetPositions() {
		held[ps.GetSymbol()] = dec(ps.GetQuantity())
	}
	for sym, q := range sells {
		if q.Cmp(held[sym]) > 0 {
			return fmt.Errorf("open sells promise %s %s, the account holds %s", q, sym, held[sym])
		}
	}
	for sym, q := range held {
		if q.IsNegative() {
			return fmt.Errorf("a cash account is short %s %s", q, sym)
		}
	}
	return err
}
