package main

import (
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"strings"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Formatting shared by the table printers. Decimals are the daemon's
// strings, printed as given; the one figure computed here is an order's
// average slippage, in exact rational arithmetic.

func row(w io.Writer, key string, value any) { fmt.Fprintf(w, "%s\t%v\n", key, value) }

func enum(e fmt.Stringer, prefix string) string { return strings.TrimPrefix(e.String(), prefix) }

func dur(d *durationpb.Duration, unset string) string {
	if d == nil {
		return unset
	}
	return d.AsDuration().String()
}

func timestamp(t *timestamppb.Timestamp) string {
	if t == nil {
		return "-"
	}
	return t.AsTime().Local().Format("2006-01-02 15:04:05.000 MST")
}

// localTime is a shorter timestamp for table columns, in the local zone.
func localTime(t *timestamppb.Timestamp, layout string) string {
	if t == nil {
		return "-"
	}
	return t.AsTime().Local().Format(layout)
}

// truncate fits free text into a table cell: whitespace (newlines and tabs
// would break the table) becomes single spaces, and text longer than n
// runes is cut, at a word boundary when one is near, and ends with "…".
func truncate(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	r = r[:n-1]
	if i := lastSpace(r); i >= n*3/4 {
		r = r[:i]
	}
	return strings.TrimRight(string(r), " ,;:") + "…"
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	return -1
}

// signed marks gains with "+" so a PnL column reads at a glance.
func signed(amount string) string {
	if amount == "" || strings.HasPrefix(amount, "-") {
		return orDash(amount)
	}
	return "+" + amount
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// params lists strategy parameters as k=v, sorted so output is stable.
func params(m map[string]string) string {
	if len(m) == 0 {
		return "defaults"
	}
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kv = append(kv, k+"="+m[k])
	}
	return strings.Join(kv, ", ")
}

func fees(s *tradingv1.SessionSettings) string {
	bps := func(v *int64) string {
		if v == nil {
			return "default"
		}
		return fmt.Sprintf("%d bps", *v)
	}
	return "maker " + bps(s.MakerFeeBps) + ", taker " + bps(s.TakerFeeBps)
}

// supervision is a remote strategy's: what happens to its orders when it
// detaches and how long the session waits on it. A setting not given
// reads "default" (the daemon echoes the values it took).
func supervision(s *tradingv1.SessionSettings) string {
	detach := "default"
	if s.GetOnDetach() != tradingv1.DetachPolicy_DETACH_POLICY_UNSPECIFIED {
		detach = strings.ToLower(enum(s.GetOnDetach(), "DETACH_POLICY_"))
	}
	return "on detach " + detach + ", attach grace " + dur(s.GetAttachGrace(), "default") +
		", answer timeout " + dur(s.GetAnswerTimeout(), "default")
}

// limits lists the risk limits the session gives: a limit turned off reads
// "off" (the daemon sends a zero decimal or a negative count), never 0 or
// -1; one not given takes the daemon's default and is left out.
func limits(r *tradingv1.RiskLimits) string {
	var set []string
	dec := func(name, v string) {
		if v == "" {
			return
		}
		if x, ok := new(big.Rat).SetString(v); ok && x.Sign() == 0 {
			v = "off"
		}
		set = append(set, name+" "+v)
	}
	count := func(name string, v int32) {
		switch {
		case v < 0:
			set = append(set, name+" off")
		case v > 0:
			set = append(set, fmt.Sprintf("%s %d", name, v))
		}
	}
	dec("max order notional", r.GetMaxOrderNotional())
	dec("max position", r.GetMaxPosition())
	count("max open orders", r.GetMaxOpenOrders())
	count("max orders/s", r.GetMaxOrdersPerSecond())
	dec("max drawdown", r.GetMaxDrawdown())
	dec("max trailing drawdown", r.GetMaxTrailingDrawdown())
	if len(set) == 0 {
		return "defaults"
	}
	return strings.Join(set, ", ")
}

// riskRows prints the risk guard's state: why it is not ACTIVE, and since when.
func riskRows(tw io.Writer, r *tradingv1.Risk) {
	if r == nil {
		row(tw, "RISK", "-")
		return
	}
	state := enum(r.GetState(), "TRADING_STATE_")
	if r.GetReason() != "" {
		state += ": " + r.GetReason()
	}
	if r.GetSince() != nil {
		state += " (since " + timestamp(r.GetSince()) + ")"
	}
	row(tw, "RISK", state)
	row(tw, "REJECTED BY RISK", r.GetRejectedOrders())
}

func positionRows(tw io.Writer, ps []*tradingv1.Position) {
	if len(ps) == 0 {
		row(tw, "POSITIONS", "none")
		return
	}
	fmt.Fprintln(tw, "\nSYMBOL\tQUANTITY\tAVG PRICE\tMARK PRICE\tUNREALIZED PNL")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.GetSymbol(), p.GetQuantity(), p.GetAveragePrice(), p.GetMarkPrice(), signed(p.GetUnrealizedPnl()))
	}
}

// avgSlippage is the quantity-weighted mean of the fills' per-unit
// slippage, to as many decimals as the most precise fill's, rounded half
// away from zero. "-" when no fill carries both figures.
func avgSlippage(fills []*tradingv1.Fill) string {
	sum, qty := new(big.Rat), new(big.Rat)
	scale, n := 0, 0
	for _, f := range fills {
		q, okQ := new(big.Rat).SetString(f.GetQuantity())
		s, okS := new(big.Rat).SetString(f.GetSlippage())
		if !okQ || !okS {
			continue
		}
		qty.Add(qty, q)
		sum.Add(sum, s.Mul(s, q))
		if i := strings.IndexByte(f.GetSlippage(), '.'); i >= 0 {
			scale = max(scale, len(f.GetSlippage())-i-1)
		}
		n++
	}
	if n == 0 || qty.Sign() == 0 {
		return "-"
	}
	return sum.Quo(sum, qty).FloatString(scale)
}
