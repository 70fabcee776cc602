package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// reasonWidth bounds the REASON column of the sessions table; -o json has
// the whole text.
const reasonWidth = 48

func (p *tablePrinter) Sessions(r *tradingv1.ListSessionsResponse) error {
	if len(r.GetSessions()) == 0 {
		_, err := fmt.Fprintln(p.w, "no session has run")
		return err
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSTARTED\tENDED\tSTRATEGY\tSYMBOLS\tTICKS\tFILLS\tEQUITY\tREASON")
	const layout = "2006-01-02 15:04:05"
	for _, s := range r.GetSessions() {
		set, sum := s.GetSettings(), s.GetSummary()
		equity := orDash(sum.GetEquity())
		if sum.GetEquity() != "" && sum.GetQuoteCurrency() != "" {
			equity += " " + sum.GetQuoteCurrency()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n",
			s.GetId(), enum(s.GetState(), "SESSION_STATE_"), localTime(s.GetStartTime(), layout), localTime(s.GetEndTime(), layout),
			orDash(set.GetStrategy()), orDash(strings.Join(set.GetSymbols(), ",")), sum.GetTicks(), sum.GetFills(),
			equity, orDash(truncate(s.GetReason(), reasonWidth)))
	}
	return tw.Flush()
}

func (p *tablePrinter) Fills(r *tradingv1.ListFillsResponse) error {
	switch {
	case r.GetSessionId() == "":
		_, err := fmt.Fprintln(p.w, "no session has run")
		return err
	case len(r.GetFills()) == 0:
		_, err := fmt.Fprintf(p.w, "no fills in session %s\n", r.GetSessionId())
		return err
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tORDER\tSEQ\tSYMBOL\tSIDE\tQTY\tPRICE\tFEE\tLIQUIDITY\tSLIPPAGE")
	for _, sf := range r.GetFills() {
		f := sf.GetFill()
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			localTime(f.GetTime(), "2006-01-02 15:04:05.000"), sf.GetClientOrderId(), sf.GetSequence(), sf.GetSymbol(),
			enum(sf.GetSide(), "ORDER_SIDE_"), f.GetQuantity(), f.GetPrice(), orDash(f.GetFee()),
			enum(f.GetLiquidity(), "LIQUIDITY_"), orDash(f.GetSlippage()))
	}
	if n := r.GetOmitted(); n > 0 {
		fmt.Fprintf(tw, "%d older fills omitted\n", n)
	}
	return tw.Flush()
}

func (p *tablePrinter) Equity(r *tradingv1.GetEquityCurveResponse) error {
	switch {
	case r.GetSessionId() == "":
		_, err := fmt.Fprintln(p.w, "no session has run")
		return err
	case len(r.GetPoints()) == 0:
		_, err := fmt.Fprintf(p.w, "no equity recorded for session %s\n", r.GetSessionId())
		return err
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tEQUITY\tDRAWDOWN")
	for _, pt := range r.GetPoints() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", localTime(pt.GetTime(), "2006-01-02 15:04:05"), pt.GetEquity(), pt.GetDrawdown())
	}
	fmt.Fprintf(tw, "%d of %d recorded points; max drawdown %s %s\n", len(r.GetPoints()), r.GetRecorded(),
		r.GetMaxDrawdown(), r.GetQuoteCurrency())
	return tw.Flush()
}

func (p *tablePrinter) Backup(r *tradingv1.BackupResponse) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	row(tw, "BACKUP", r.GetPath())
	row(tw, "SIZE", byteSize(r.GetBytes()))
	return tw.Flush()
}

// byteSize is n in bytes, and in binary units beside it once that reads
// easier.
func byteSize(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%d bytes (%.1f %ciB)", n, float64(n)/float64(div), "KMGTPE"[exp])
}
