package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	e2e "github.com/tradectl/tradectl/e2e/harness"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// mustContain fails for each wanted string out lacks.
func mustContain(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// jsonIs checks that out is the protojson of a message of m's type.
func jsonIs(t *testing.T, out string, m proto.Message) {
	t.Helper()
	if err := protojson.Unmarshal([]byte(out), m); err != nil {
		t.Errorf("not a %T: %v\n%s", m, err, out)
	}
}

func TestStrategies(t *testing.T) {
	h := newHarness(t)
	code, out, _ := h.run("strategies")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !regexp.MustCompile(`(?m)^NAME +PARAM +DEFAULT +DESCRIPTION\nsma +moving-average crossover\n +fast +5 +fast window, ticks$`).MatchString(out) {
		t.Errorf("table:\n%s", out)
	}
	mustContain(t, "table", out, "hold", "slow")
	_, out, _ = h.run("-o", "json", "strategies")
	var resp tradingv1.ListStrategiesResponse
	if jsonIs(t, out, &resp); len(resp.GetStrategies()) != 2 || len(resp.GetStrategies()[0].GetParams()) != 2 {
		t.Errorf("json: %v", &resp)
	}
}

func TestOrders(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("orders", "--open", "--limit", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if req := h.fake.ordersReq; !req.GetOpenOnly() || req.GetLimit() != 5 {
		t.Errorf("sent %v", req)
	}
	ls := lines(out)
	if len(ls) != 4 || !regexp.MustCompile(`^ID +SYMBOL +SIDE +TYPE +QTY +PRICE +STATE +FILLED +AVG PRICE +FEES +SLIPPAGE +REASON$`).MatchString(ls[0]) {
		t.Fatalf("want header, two orders and the omitted line:\n%s", out)
	}
	// Slippage is quantity-weighted: (1 x 0.10 + 3 x 0.30) / 4 = 0.25.
	if f := strings.Fields(ls[1]); strings.Join(f, " ") != "ord-1 BTC-USD BUY LIMIT GTC post-only 4 100.00 FILLED 4 99.75 0.08 0.25 -" {
		t.Errorf("order row %q", ls[1])
	}
	if f := strings.Fields(ls[2]); strings.Join(f, " ") != "ord-2 ETH-USD SELL MARKET 2 - REJECTED - - - - risk: max position 1" {
		t.Errorf("order row %q", ls[2])
	}
	if ls[3] != "5 older orders omitted" {
		t.Errorf("last line %q", ls[3])
	}

	_, out, _ = h.run("orders", "--fills")
	ls = lines(out)
	if h.fake.ordersReq.GetOpenOnly() || h.fake.ordersReq.GetLimit() != 0 || len(ls) != 6 {
		t.Fatalf("sent %v; want two fill rows more:\n%s", h.fake.ordersReq, out)
	}
	// Each fill sits under its order, its figures under the order's columns.
	col := func(l, of string) int { return strings.Index(l, of) }
	for i, want := range []struct{ liq, qty, price, fee, slip string }{{"MAKER", "1", "99.00", "0.02", "0.10"}, {"TAKER", "3", "100.00", "0.06", "0.30"}} {
		l := ls[2+i]
		if !strings.HasPrefix(l, "  fill ") || col(l, want.liq) != col(ls[0], "TYPE") || col(l, want.price) != col(ls[0], "PRICE") ||
			col(l, want.fee) != col(ls[0], "FEES") || col(l, want.slip) != col(ls[0], "SLIPPAGE") {
			t.Errorf("fill row %q does not line up with\n%q", l, ls[0])
		}
	}
	// A live venue's trade id is shown under REASON; a paper fill has none.
	if col(ls[3], "venue trade 7741") != col(ls[0], "REASON") || strings.Contains(ls[2], "venue trade") {
		t.Errorf("fill rows do not show the venue's trade id under REASON:\n%s", out)
	}

	_, out, _ = h.run("orders", "-o", "json")
	var resp tradingv1.ListOrdersResponse
	if jsonIs(t, out, &resp); resp.GetOmitted() != 5 || len(resp.GetOrders()[0].GetFills()) != 2 {
		t.Errorf("json: %v", &resp)
	}
}

func TestAvgSlippage(t *testing.T) {
	fill := func(q, s string) *tradingv1.Fill { return &tradingv1.Fill{Quantity: q, Slippage: s} }
	for _, tc := range []struct {
		fills []*tradingv1.Fill
		want  string
	}{
		{nil, "-"},
		{[]*tradingv1.Fill{fill("0.5", "")}, "-"},
		{[]*tradingv1.Fill{fill("0.5", "-0.0100")}, "-0.0100"},            // one fill: as given
		{[]*tradingv1.Fill{fill("1", "0.01"), fill("2", "0.02")}, "0.02"}, // 0.01666.. rounds half away from zero
		{[]*tradingv1.Fill{fill("1", "-0.5"), fill("1", "0.25")}, "-0.13"},
	} {
		if got := avgSlippage(tc.fills); got != tc.want {
			t.Errorf("avgSlippage(%v) = %q, want %q", tc.fills, got, tc.want)
		}
	}
}

func TestPortfolio(t *testing.T) {
	h := newHarness(t)
	code, out, _ := h.run("portfolio")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	mustContain(t, "portfolio", out, "99600.92 USD", "99987.50 USD", "100000 USD", "-2.50 USD", "0.08 USD",
		"HALTED: drawdown 21% exceeds 20% (since ", "REJECTED BY RISK", "BTC-USD", "97.25")
	_, out, _ = h.run("portfolio", "-o", "json")
	var resp tradingv1.GetPortfolioResponse
	if jsonIs(t, out, &resp); resp.GetPortfolio().GetRisk().GetState() != tradingv1.TradingState_TRADING_STATE_HALTED {
		t.Errorf("json: %v", &resp)
	}
}

func TestKillSwitchReset(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("kill-switch", "reset", "--reason", "feed fixed")
	if code != 0 || h.fake.resetReq.GetReason() != "feed fixed" {
		t.Fatalf("exit %d (%s), sent %v", code, errOut, h.fake.resetReq)
	}
	if !regexp.MustCompile(`(?m)^RISK +ACTIVE \(since `).MatchString(out) {
		t.Errorf("table:\n%s", out)
	}
	_, out, _ = h.run("-o", "json", "kill-switch", "reset", "--reason", "again")
	jsonIs(t, out, &tradingv1.ResetKillSwitchResponse{})
	for _, args := range [][]string{{"kill-switch", "reset"}, {"kill-switch", "reset", "--reason", " "}} {
		h.fake.resetReq = nil
		if code, _, errOut := h.run(args...); code != 2 || !strings.Contains(errOut, "--reason is required") || h.fake.resetReq != nil {
			t.Errorf("%v: exit %d, %q; want usage error before any call", args, code, errOut)
		}
	}
}

// --session goes on the wire for stop and reset alike; left out, no id
// goes, and the daemon acts on whatever runs.
func TestStopAndResetSendTheSession(t *testing.T) {
	h := newHarness(t)
	for _, only := range []string{"", "0123456789abcdef"} {
		stop, reset := []string{"stop"}, []string{"kill-switch", "reset", "--reason", "feed fixed"}
		if only != "" {
			stop, reset = append(stop, "--session", only), append(reset, "--session", only)
		}
		if code, _, errOut := h.run(stop...); code != 0 || h.fake.stopReq.GetSessionId() != only {
			t.Errorf("%v: exit %d (%s), sent %v; want session_id %q", stop, code, errOut, h.fake.stopReq, only)
		}
		if code, _, errOut := h.run(reset...); code != 0 || h.fake.resetReq.GetSessionId() != only {
			t.Errorf("%v: exit %d (%s), sent %v; want session_id %q", reset, code, errOut, h.fake.resetReq, only)
		}
	}
}

var orderLine = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} ord-1 BTC-USD BUY (ACCEPTED|PARTIALLY_FILLED fill=1@99\.00 fee=0\.02 liquidity=MAKER slippage=0\.10)$`)

// The fake ends the first subscription as a laggard after two events, so
// this covers the lagged path: the warning, then a resubscription.
func TestWatchOrders(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		h := newHarness(t)
		var out, errOut e2e.SyncBuffer
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int)
		go func() { done <- h.exec(ctx, &out, &errOut, "-o", format, "watch-orders") }()
		eventually(t, "resubscription", func() bool {
			return strings.Contains(errOut.String(), "tradectl: resubscribed to "+testAddr)
		})
		eventually(t, "events after it", func() bool { return strings.Count(out.String(), "\n") >= 5 })
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%s: exit %d after cancel: %s", format, code, errOut.String())
		}
		mustContain(t, "stderr", errOut.String(), "tradectl: watching orders at "+testAddr,
			"tradectl: fell behind; some events were missed — see tradectl orders (resource exhausted: watcher fell behind")
		for _, l := range lines(out.String())[:4] {
			var e tradingv1.OrderEvent
			if format == "table" && !orderLine.MatchString(l) {
				t.Errorf("line %q does not match %v", l, orderLine)
			}
			if format == "json" && (protojson.Unmarshal([]byte(l), &e) != nil || e.GetOrder().GetClientOrderId() != "ord-1") {
				t.Errorf("line %q is not an OrderEvent", l)
			}
		}
	}
}

func TestStatusShowsRiskAndOpenOrders(t *testing.T) {
	_, out, _ := newHarness(t).run("status")
	if !regexp.MustCompile(`(?m)^RISK +HALTED: drawdown 21% exceeds 20% \(since .*\)\n(.*\n)?OPEN ORDERS +2$`).MatchString(out) {
		t.Errorf("status:\n%s", out)
	}
}

func TestStopKeepOpenOrders(t *testing.T) {
	for _, keep := range []bool{true, false} {
		h := newHarness(t)
		s := testSession(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER})
		s.State = tradingv1.SessionState_SESSION_STATE_STOPPED
		s.Summary = &tradingv1.SessionSummary{OpenOrders: 3, Risk: &tradingv1.Risk{State: tradingv1.TradingState_TRADING_STATE_ACTIVE}}
		h.fake.stopResp = &tradingv1.StopTradingResponse{Session: s, WasRunning: true}
		args := []string{"stop"}
		if keep {
			args = append(args, "--keep-open-orders")
		}
		code, out, errOut := h.run(args...)
		if code != 0 || h.fake.stopReq.GetKeepOpenOrders() != keep {
			t.Fatalf("exit %d, sent %v; want keep_open_orders %v", code, h.fake.stopReq, keep)
		}
		mustContain(t, "summary", out, "3 STILL OPEN AT THE VENUE", "ACTIVE")
		want := map[bool]string{true: "NOTE: 3 orders left OPEN", false: "WARNING: 3 orders are still OPEN"}[keep]
		mustContain(t, "stderr", errOut, want)
	}
}

// A watch refused at tradingd's watcher cap says so, and tries again: it
// said "fell behind; some events were missed", of a stream that never
// began and missed nothing.
func TestWatchOrdersRefusedAtTheCapSaysSo(t *testing.T) {
	h := newHarness(t)
	h.fake.mu.Lock()
	h.fake.refuseOrderSubs = 1
	h.fake.mu.Unlock()
	var out, errOut e2e.SyncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() { done <- h.exec(ctx, &out, &errOut, "watch-orders") }()
	eventually(t, "the connection after the refusal", func() bool {
		return strings.Contains(errOut.String(), "tradectl: connected to "+testAddr)
	})
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after cancel: %s", code, errOut.String())
	}
	mustContain(t, "stderr", errOut.String(), "tradectl: tradingd refused the watch (resource exhausted: too many watchers")
	if strings.Contains(errOut.String(), "fell behind") {
		t.Errorf("a refused watch is said to have fallen behind:\n%s", errOut.String())
	}
}

// A remote strategy's orders show their tags in a TAG column, there only
// when some order has one (TestOrders: none, no column); the fills still
// line up, and JSON carries the tag.
func TestOrdersWithTags(t *testing.T) {
	h := newHarness(t)
	h.fake.mu.Lock()
	h.fake.tagged = true
	h.fake.mu.Unlock()
	code, out, errOut := h.run("orders", "--fills")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ls := lines(out)
	if len(ls) != 6 || !regexp.MustCompile(`^ID +TAG +SYMBOL +SIDE +TYPE +QTY +PRICE +STATE +FILLED +AVG PRICE +FEES +SLIPPAGE +REASON$`).MatchString(ls[0]) {
		t.Fatalf("want a TAG column:\n%s", out)
	}
	if f := strings.Fields(ls[1]); strings.Join(f[:3], " ") != "ord-1 grid.lvl-3 BTC-USD" {
		t.Errorf("tagged order row %q", ls[1])
	}
	if f := strings.Fields(ls[4]); strings.Join(f[:3], " ") != "ord-2 - ETH-USD" {
		t.Errorf("untagged order row %q", ls[4])
	}
	col := func(l, of string) int { return strings.Index(l, of) }
	if l := ls[2]; col(l, "MAKER") != col(ls[0], "TYPE") || col(l, "99.00") != col(ls[0], "PRICE") || col(l, "0.10") != col(ls[0], "SLIPPAGE") {
		t.Errorf("fill row %q does not line up with\n%q", l, ls[0])
	}
	_, out, _ = h.run("orders", "-o", "json")
	var resp tradingv1.ListOrdersResponse
	// protojson varies its whitespace on purpose: read the untagged
	// order's "tag" back rather than match the text.
	var raw struct {
		Orders []map[string]any `json:"orders"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || len(raw.Orders) != 2 {
		t.Fatalf("json: %v: %s", err, out)
	}
	tag, ok := raw.Orders[1]["tag"]
	if jsonIs(t, out, &resp); resp.GetOrders()[0].GetTag() != "grid.lvl-3" || !ok || tag != "" {
		t.Errorf("json (the untagged order must say \"tag\": \"\"): %s", out)
	}
}

// A watch-orders line names a remote strategy's tag; an untagged order's
// line stays as it was (orderLine).
func TestOrderEventLineWithTag(t *testing.T) {
	var b strings.Builder
	o := testOrders()[0]
	o.Tag = "grid.lvl-3"
	if err := (&tablePrinter{w: &b}).OrderEvent(&tradingv1.OrderEvent{Sequence: 1, Order: o}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), ` ord-1 BTC-USD BUY FILLED tag="grid.lvl-3"`+"\n") {
		t.Errorf("line %q", b.String())
	}
}
