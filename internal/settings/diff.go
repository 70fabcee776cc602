package settings

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tradectl/tradectl/internal/risk"
)

// Diff is one setting a start request asks for that the running session
// does not have, named as the API names it.
type Diff struct {
	Name, Running, Asked string
}

func (d Diff) String() string {
	return fmt.Sprintf("%s (running %s, asked %s)", d.Name, d.Running, d.Asked)
}

// Differences compares the effective settings of the running session, s,
// with those of a request, req (defaults applied on both sides, see
// WithDefaults): a setting left to its default equals the default given
// explicitly, and the order of the symbols does not matter. A request
// without a seed accepts any seed.
func (s Settings) Differences(req Settings) []Diff {
	var out []Diff
	add := func(name string, running, asked any) {
		r, a := fmt.Sprint(running), fmt.Sprint(asked)
		if r != a {
			out = append(out, Diff{name, r, a})
		}
	}
	add("mode", s.Mode, req.Mode)
	add("symbols", symbolSet(s.Symbols), symbolSet(req.Symbols))
	add("duration", s.Duration, req.Duration)
	add("health_interval", s.HealthInterval, req.HealthInterval)
	add("tick_interval", s.TickInterval, req.TickInterval)
	add("auto_restart", s.AutoRestart, req.AutoRestart)
	if req.Seed != 0 {
		add("seed", s.Seed, req.Seed)
	}
	add("strategy", s.Strategy, req.Strategy)
	for _, k := range slices.Sorted(maps.Keys(unionKeys(s.Params, req.Params))) {
		add("params."+k, orUnset(s.Params, k), orUnset(req.Params, k))
	}
	out = append(out, limitDiffs(*s.Risk, *req.Risk)...)
	add("maker_fee_bps", *s.MakerFeeBps, *req.MakerFeeBps)
	add("taker_fee_bps", *s.TakerFeeBps, *req.TakerFeeBps)
	add("latency", s.Latency, req.Latency)
	add("starting_cash", s.StartingCash, req.StartingCash)
	add("account", accountName(s.Account), accountName(req.Account))
	add("max_borrow", s.MaxBorrow, req.MaxBorrow)
	add("borrow_rate_bps", s.BorrowRateBps, req.BorrowRateBps)
	add("on_detach", detachName(s.OnDetach), detachName(req.OnDetach))
	add("attach_grace", s.AttachGrace, req.AttachGrace)
	add("answer_timeout", s.AnswerTimeout, req.AnswerTimeout)
	return out
}

func limitDiffs(a, b risk.Limits) []Diff {
	var out []Diff
	for _, f := range []struct {
		field string
		a, b  string
	}{
		{"MaxOrderNotional", a.MaxOrderNotional.String(), b.MaxOrderNotional.String()},
		{"MaxPosition", a.MaxPosition.String(), b.MaxPosition.String()},
		{"MaxOpenOrders", strconv.Itoa(a.MaxOpenOrders), strconv.Itoa(b.MaxOpenOrders)},
		{"MaxOrdersPerSecond", strconv.Itoa(a.MaxOrdersPerSecond), strconv.Itoa(b.MaxOrdersPerSecond)},
		{"MaxDrawdown", a.MaxDrawdown.String(), b.MaxDrawdown.String()},
		{"MaxTrailingDrawdown", a.MaxTrailingDrawdown.String(), b.MaxTrailingDrawdown.String()},
	} {
		if f.a != f.b {
			out = append(out, Diff{"risk." + riskFields[f.field], offIfZero(f.a), offIfZero(f.b)})
		}
	}
	return out
}

// offIfZero: a zero limit is no limit.
func offIfZero(v string) string {
	if v == "0" {
		return "off"
	}
	return v
}

func symbolSet(symbols []string) string {
	return strings.Join(slices.Sorted(slices.Values(symbols)), ",")
}

func unionKeys(a, b map[string]string) map[string]bool {
	u := make(map[string]bool, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

func orUnset(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return "unset"
}

func accountName(a Account) string {
	switch a {
	case AccountCash:
		return "cash"
	case AccountMargin:
		return "margin"
	}
	return strconv.Itoa(int(a))
}
