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

// Backtest prints the rows of the result's one summary (the HTML report
// shows the same rows).
func (p *tablePrinter) Backtest(r *backtest.Result) error {
	tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', 0)
	for _, row := range r.Summary() {
		fmt.Fprintf(tw, "%s\t%s\n", row.Label, row.Value)
	}
	return tw.Flush()
}
