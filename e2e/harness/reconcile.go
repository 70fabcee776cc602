package harness

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Reconcile checks a stopped session's account against its orders, to the
// last unit: cash is the starting cash moved by exactly the fills' notional
// and fees, each position is the sum of its signed fills, equity is cash
// plus the positions at their marks, and every order's fills add up to its
// filled quantity. It returns the number of fills checked.
func Reconcile(list *tradingv1.ListOrdersResponse, p *tradingv1.Portfolio) (int, error) {
	if list.GetOmitted() != 0 {
		return 0, fmt.Errorf("%d orders omitted: cannot reconcile", list.GetOmitted())
	}
	var errs []error
	dec := func(s string) money.Decimal {
		if s == "" {
			return money.Decimal{}
		}
		d, err := money.Parse(s)
		if err != nil {
			errs = append(errs, err)
		}
		return d
	}
	cash, fees, n := dec(p.GetStartingCash()), money.Decimal{}, 0
	pos := map[string]money.Decimal{}
	for _, o := range list.GetOrders() {
		var filled money.Decimal
		for _, f := range o.GetFills() {
			qty, price, fee := dec(f.GetQuantity()), dec(f.GetPrice()), dec(f.GetFee())
			notional := qty.Mul(price)
			if o.GetSide() == tradingv1.OrderSide_ORDER_SIDE_BUY {
				cash, pos[o.GetSymbol()] = cash.Sub(notional), pos[o.GetSymbol()].Add(qty)
			} else {
				cash, pos[o.GetSymbol()] = cash.Add(notional), pos[o.GetSymbol()].Sub(qty)
			}
			cash, fees, filled = cash.Sub(fee), fees.Add(fee), filled.Add(qty)
			n++
		}
		if filled != dec(o.GetFilledQuantity()) {
			return n, fmt.Errorf("order %s: fills add to %s, filled_quantity %s", o.GetClientOrderId(), filled, o.GetFilledQuantity())
		}
	}
	if cash != dec(p.GetCash()) || fees != dec(p.GetFeesPaid()) {
		return n, fmt.Errorf("from the fills: cash %s fees %s; portfolio: cash %s fees %s", cash, fees, p.GetCash(), p.GetFeesPaid())
	}
	equity := cash
	for _, ps := range p.GetPositions() {
		if q := dec(ps.GetQuantity()); q != pos[ps.GetSymbol()] {
			return n, fmt.Errorf("%s: position %s, fills say %s", ps.GetSymbol(), q, pos[ps.GetSymbol()])
		}
		delete(pos, ps.GetSymbol())
		equity = equity.Add(dec(ps.GetQuantity()).Mul(dec(ps.GetMarkPrice())))
	}
	for sym, q := range pos {
		if !q.IsZero() {
			return n, fmt.Errorf("%s: fills leave %s but the portfolio lists no position", sym, q)
		}
	}
	if equity != dec(p.GetEquity()) {
		return n, fmt.Errorf("cash + positions at mark = %s, equity %s", equity, p.GetEquity())
	}
	if len(errs) > 0 {
		return n, errs[0]
	}
	return n, nil
}
