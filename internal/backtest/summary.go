package backtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SummaryRow is one line of a backtest's summary, as people read it.
type SummaryRow struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Summary is the one wording of a result's figures: tradectl's table and
// the HTML report both show these rows, so they cannot disagree.
func (r *Result) Summary() []SummaryRow {
	var rows []SummaryRow
	row := func(k, v string) { rows = append(rows, SummaryRow{k, v}) }
	row("STRATEGY", r.Strategy)
	if len(r.Params) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(r.Params)) {
			kv = append(kv, k+"="+r.Params[k])
		}
		row("PARAMS", strings.Join(kv, ", "))
	}
	row("DATA", fmt.Sprintf("%s .. %s", r.FirstEvent.Format("2006-01-02 15:04:05"), r.LastEvent.Format("2006-01-02 15:04:05")))
	row("EVENTS", fmt.Sprint(r.Events))
	row("ORDERS", fmt.Sprintf("%d (%d rejected by risk)", r.Orders, r.Rejected))
	row("TRADES (FILLS)", fmt.Sprint(r.Fills))
	row("STARTING EQUITY", r.StartingEquity.String())
	row("FINAL EQUITY", r.FinalEquity.String())
	row("NET PNL", r.NetPnL.String())
	row("REALIZED / UNREALIZED", fmt.Sprintf("%s / %s", r.RealizedPnL, r.UnrealizedPnL))
	row("FEES", r.Fees.String())
	row("MAX DRAWDOWN", fmt.Sprintf("%s (%s of the peak)", r.MaxDrawdown, r.MaxDrawdownPct))
	row("SHARPE", r.sharpeText())
	if r.KillSwitch != "" {
		row("KILL SWITCH", "TRIPPED: "+r.KillSwitch)
	}
	return rows
}

// sharpeText shows the ratio only where it means something, and says when
// the period was coarsened to keep the samples bounded.
func (r *Result) sharpeText() string {
	var s string
	switch {
	case r.Sharpe != nil:
		s = fmt.Sprintf("%s (annualized, %d samples every %s)", *r.Sharpe, r.Samples, r.SampleEvery)
	case r.Samples < MinSharpeSamples:
		s = fmt.Sprintf("n/a (%d samples < %d, every %s)", r.Samples, MinSharpeSamples, r.SampleEvery)
	default:
		s = fmt.Sprintf("n/a (equity did not vary over %d samples every %s)", r.Samples, r.SampleEvery)
	}
	if r.SampleEveryRequested != "" {
		s += fmt.Sprintf("; --sample-every %s would keep more than %d samples", r.SampleEveryRequested, MaxSamples)
	}
	return s
}
