package main

import (
	"fmt"
	"text/tabwriter"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func (p *tablePrinter) Portfolio(r *tradingv1.GetPortfolioResponse) error {
	pf := r.GetPortfolio()
	if pf == nil {
		_, err := fmt.Fprintln(p.w, "no session has run")
		return err
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	cur := pf.GetQuoteCurrency()
	row(tw, "SESSION", pf.GetSessionId())
	row(tw, "AS OF", timestamp(pf.GetTime()))
	row(tw, "CASH", orDash(pf.GetCash())+" "+cur)
	row(tw, "EQUITY", orDash(pf.GetEquity())+" "+cur)
	row(tw, "STARTING CASH", orDash(pf.GetStartingCash())+" "+cur)
	row(tw, "REALIZED PNL (BEFORE FEES)", signed(pf.GetRealizedPnl())+" "+cur)
	row(tw, "UNREALIZED PNL (BEFORE FEES)", signed(pf.GetUnrealizedPnl())+" "+cur)
	row(tw, "FEES", orDash(pf.GetFeesPaid())+" "+cur)
	riskRows(tw, pf.GetRisk())
	positionRows(tw, pf.GetPositions())
	return tw.Flush()
}

func (p *tablePrinter) ResetKillSwitch(r *tradingv1.ResetKillSwitchResponse) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	riskRows(tw, r.GetRisk())
	return tw.Flush()
}
