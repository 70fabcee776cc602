package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func (p *tablePrinter) Orders(r *tradingv1.ListOrdersResponse, fills bool) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	switch {
	case r.GetSessionId() == "":
		fmt.Fprintln(tw, "no session has run")
	case len(r.GetOrders()) == 0:
		fmt.Fprintf(tw, "no orders in session %s\n", r.GetSessionId())
	default:
		// A remote strategy's tags get a column; a built-in strategy's
		// orders have none, and their table stays as it was.
		tagged := slices.ContainsFunc(r.GetOrders(), func(o *tradingv1.Order) bool { return o.GetTag() != "" })
		tagHead, tagGap, tag := "", "", func(*tradingv1.Order) string { return "" }
		if tagged {
			tagHead, tagGap = "TAG\t", "\t"
			tag = func(o *tradingv1.Order) string { return orDash(o.GetTag()) + "\t" }
		}
		fmt.Fprintln(tw, "ID\t"+tagHead+"SYMBOL\tSIDE\tTYPE\tQTY\tPRICE\tSTATE\tFILLED\tAVG PRICE\tFEES\tSLIPPAGE\tREASON")
		for _, o := range r.GetOrders() {
			fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				o.GetClientOrderId(), tag(o), o.GetSymbol(), enum(o.GetSide(), "ORDER_SIDE_"), orderType(o),
				o.GetQuantity(), orDash(o.GetPrice()), enum(o.GetState(), "ORDER_STATE_"), orDash(o.GetFilledQuantity()),
				orDash(o.GetAveragePrice()), orDash(o.GetFees()), avgSlippage(o.GetFills()), orDash(o.GetReason()))
			if !fills {
				continue
			}
			// Fills line up under the order's columns: quantity under QTY,
			// price under PRICE, fee under FEES, slippage under SLIPPAGE.
			// A live venue's trade id goes under REASON; a paper fill has none.
			for _, f := range o.GetFills() {
				trade := ""
				if id := f.GetVenueTradeId(); id != 0 {
					trade = fmt.Sprintf("venue trade %d", id)
				}
				fmt.Fprintf(tw, "  fill %s\t%s\t\t%s\t%s\t%s\t\t\t\t%s\t%s\t%s\n",
					clock(f), tagGap, enum(f.GetLiquidity(), "LIQUIDITY_"), f.GetQuantity(), f.GetPrice(),
					orDash(f.GetFee()), orDash(f.GetSlippage()), trade)
			}
		}
	}
	if n := r.GetOmitted(); n > 0 {
		fmt.Fprintf(tw, "%d older orders omitted\n", n)
	}
	return tw.Flush()
}

// orderType is the type with its time in force and post-only flag, for
// example "LIMIT GTC post-only".
func orderType(o *tradingv1.Order) string {
	parts := []string{enum(o.GetType(), "ORDER_TYPE_")}
	if o.GetTimeInForce() != tradingv1.TimeInForce_TIME_IN_FORCE_UNSPECIFIED {
		parts = append(parts, enum(o.GetTimeInForce(), "TIME_IN_FORCE_"))
	}
	if o.GetPostOnly() {
		parts = append(parts, "post-only")
	}
	return strings.Join(parts, " ")
}

func clock(f *tradingv1.Fill) string {
	if f.GetTime() == nil {
		return "-"
	}
	return f.GetTime().AsTime().Local().Format("15:04:05.000")
}

// OrderEvent is one watch-orders line: when, which order, its new state,
// and the fill when the event carries one.
func (p *tablePrinter) OrderEvent(e *tradingv1.OrderEvent) error {
	o, f := e.GetOrder(), e.GetFill()
	when := o.GetUpdateTime()
	if f != nil && f.GetTime() != nil {
		when = f.GetTime()
	}
	t := "-"
	if when != nil {
		t = when.AsTime().Local().Format("15:04:05.000")
	}
	line := fmt.Sprintf("%s %s %s %s %s", t, orDash(o.GetClientOrderId()), orDash(o.GetSymbol()),
		enum(o.GetSide(), "ORDER_SIDE_"), enum(o.GetState(), "ORDER_STATE_"))
	if f != nil {
		line += fmt.Sprintf(" fill=%s@%s fee=%s liquidity=%s slippage=%s", f.GetQuantity(), f.GetPrice(),
			orDash(f.GetFee()), enum(f.GetLiquidity(), "LIQUIDITY_"), orDash(f.GetSlippage()))
	}
	if o.GetTag() != "" {
		line += fmt.Sprintf(" tag=%q", o.GetTag())
	}
	if o.GetReason() != "" {
		line += fmt.Sprintf(" reason=%q", o.GetReason())
	}
	_, err := fmt.Fprintln(p.w, line)
	return err
}

// Strategies prints one line per strategy, then one per parameter under it.
func (p *tablePrinter) Strategies(r *tradingv1.ListStrategiesResponse) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPARAM\tDEFAULT\tDESCRIPTION")
	for _, s := range r.GetStrategies() {
		fmt.Fprintf(tw, "%s\t\t\t%s\n", s.GetName(), s.GetDescription())
		for _, prm := range s.GetParams() {
			fmt.Fprintf(tw, "\t%s\t%s\t%s\n", prm.GetName(), orDash(prm.GetDefaultValue()), prm.GetDescription())
		}
	}
	return tw.Flush()
}
