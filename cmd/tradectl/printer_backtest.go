package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/tradectl/tradectl/internal/backtest"
)

// Backtest prints the deterministic result as JSON: the same inputs give
// the same bytes.
func (p *jsonPrinter) Backtest(r *backtest.Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = p.w.Write(append(b, '\n'))
	return err
}

func (p *tablePrinter) Backtest(r *backtest.Result) error {
	tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
	row("STRATEGY", r.Strategy)
	if len(r.Params) > 0 {
		row("PARAMS", params(r.Params))
	}
	row("DATA", fmt.Sprintf("%s .. %s", r.FirstEvent.Format("2006-01-02 15:04:05"), r.LastEvent.Format("2006-01-02 15:04:05")))
	row("EVENTS", r.Events)
	row("ORDERS", fmt.Sprintf("%d (%d rejected by risk)", r.Orders, r.Rejected))
	row("TRADES (FILLS)", r.Fills)
	row("STARTING EQUITY", r.StartingEquity)
	row("FINAL EQUITY", r.FinalEquity)
	row("NET PNL", r.NetPnL)
	row("REALIZED / UNREALIZED", fmt.Sprintf("%s / %s", r.RealizedPnL, r.UnrealizedPnL))
	row("FEES", r.Fees)
	row("MAX DRAWDOWN", fmt.Sprintf("%s (%s of the peak)", r.MaxDrawdown, r.MaxDrawdownPct))
	row("SHARPE", sharpe(r))
	if r.KillSwitch != "" {
		row("KILL SWITCH", "TRIPPED: "+r.KillSwitch)
	}
	return tw.Flush()
}

// sharpe shows the ratio only where it means something, and says when the
// period was coarsened to keep the samples bounded.
func sharpe(r *backtest.Result) string {
	var s string
	switch {
	case r.Sharpe != nil:
		s = fmt.Sprintf("%s (annualized, %d samples every %s)", *r.Sharpe, r.Samples, r.SampleEvery)
	case r.Samples < backtest.MinSharpeSamples:
		s = fmt.Sprintf("n/a (%d samples < %d, every %s)", r.Samples, backtest.MinSharpeSamples, r.SampleEvery)
	default:
		s = fmt.Sprintf("n/a (equity did not vary over %d samples every %s)", r.Samples, r.SampleEvery)
	}
	if r.SampleEveryRequested != "" {
		s += fmt.Sprintf("; --sample-every %s would keep more than %d samples", r.SampleEveryRequested, backtest.MaxSamples)
	}
	return s
}
