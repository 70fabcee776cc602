package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func ordersOf(t *testing.T, d *harness.Daemon) *tradingv1.ListOrdersResponse {
	t.Helper()
	out, errOut, code := d.Ctl(t, "orders", "--limit", "10000", "-o", "json")
	if code != 0 {
		t.Fatalf("orders: exit %d: %s", code, errOut)
	}
	var resp tradingv1.ListOrdersResponse
	if err := protojson.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatal(err)
	}
	return &resp
}

func dec(t *testing.T, s string) money.Decimal {
	t.Helper()
	if s == "" {
		return money.Decimal{}
	}
	d, err := money.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return d
}

// A paper session with sma: orders walk the book and fill partially across
// levels, with fees and slippage, and the account reconciles to the last
// unit with the fills the orders report.
func TestPaperOrdersReconcile(t *testing.T) {
	d := startDaemon(t)
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--strategy", "sma",
		"--param", "fast=3", "--param", "slow=8", "--param", "notional=60000", "--max-order-notional", "100000",
		"--latency", "150ms", "--tick-interval", "50ms"); code != 0 {
		t.Fatalf("start: %s", errOut)
	}
	harness.Eventually(t, 60*time.Second, "an order filled across several levels", func() bool {
		for _, o := range ordersOf(t, d).GetOrders() {
			if len(o.GetFills()) >= 2 {
				return true
			}
		}
		return false
	})
	if _, errOut, code := d.Ctl(t, "stop"); code != 0 {
		t.Fatalf("stop: %s", errOut)
	}
	// Stopped: the account and the orders no longer move.
	list := ordersOf(t, d)
	out, _, code := d.Ctl(t, "portfolio", "-o", "json")
	if code != 0 {
		t.Fatal("portfolio failed")
	}
	var pr tradingv1.GetPortfolioResponse
	if err := protojson.Unmarshal([]byte(out), &pr); err != nil {
		t.Fatal(err)
	}
	n, err := harness.Reconcile(list, pr.GetPortfolio())
	if err != nil {
		t.Fatal(err)
	}
	sawFee, sawSlippage, partial := false, false, false
	for _, o := range list.GetOrders() {
		partial = partial || len(o.GetFills()) >= 2
		for _, f := range o.GetFills() {
			sawFee = sawFee || dec(t, f.GetFee()).IsPositive()
			sawSlippage = sawSlippage || !dec(t, f.GetSlippage()).IsZero()
		}
		if s := o.GetState(); s != tradingv1.OrderState_ORDER_STATE_FILLED && s != tradingv1.OrderState_ORDER_STATE_CANCELLED && s != tradingv1.OrderState_ORDER_STATE_REJECTED {
			t.Errorf("order %s is %v after the stop", o.GetClientOrderId(), s)
		}
	}
	if !sawFee || !sawSlippage || !partial {
		t.Errorf("fees seen %v, slippage seen %v, partial fills seen %v", sawFee, sawSlippage, partial)
	}
	t.Logf("%d orders, %d fills reconcile exactly", len(list.GetOrders()), n)
	d.Terminate(t)
}

// The kill switch halts on drawdown, shows in health, sends no order after
// the halt, and trading resumes only after a deliberate reset.
func TestKillSwitchHaltsAndResets(t *testing.T) {
	d := startDaemon(t)
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--strategy", "sma", "--param", "fast=2", "--param", "slow=4",
		"--param", "notional=9000", "--max-drawdown", "0.0005", "--max-trailing-drawdown", "0", "--tick-interval", "50ms"); code != 0 {
		t.Fatalf("start: %s", errOut)
	}
	var st struct {
		Session struct {
			Summary struct {
				Risk struct{ State, Reason, Since string }
			}
		}
		Health struct{ Status, Reason string }
	}
	harness.Eventually(t, 90*time.Second, "the kill switch to trip", func() bool {
		out, _, _ := d.Ctl(t, "status", "-o", "json")
		_ = json.Unmarshal([]byte(out), &st)
		return st.Session.Summary.Risk.State == "TRADING_STATE_HALTED"
	})
	if st.Health.Status != "HEALTH_STATUS_UNHEALTHY" || !strings.Contains(st.Health.Reason, "kill switch") {
		t.Errorf("health while halted: %s %q", st.Health.Status, st.Health.Reason)
	}
	since, err := time.Parse(time.RFC3339Nano, st.Session.Summary.Risk.Since)
	if err != nil {
		t.Fatal(err)
	}
	before := len(ordersOf(t, d).GetOrders())
	time.Sleep(time.Second)
	after := ordersOf(t, d)
	if len(after.GetOrders()) != before {
		t.Fatalf("%d orders sent while halted", len(after.GetOrders())-before)
	}
	for _, o := range after.GetOrders() {
		if o.GetCreateTime().AsTime().After(since) {
			t.Fatalf("order %s created at %s, after the halt at %s", o.GetClientOrderId(), o.GetCreateTime().AsTime(), since)
		}
		if o.GetState() == tradingv1.OrderState_ORDER_STATE_ACCEPTED || o.GetState() == tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED {
			t.Fatalf("order %s still open after the halt", o.GetClientOrderId())
		}
	}
	if _, errOut, code := d.Ctl(t, "kill-switch", "reset"); code != 2 {
		t.Fatalf("reset without a reason: exit %d %s", code, errOut)
	}
	out, errOut, code := d.Ctl(t, "kill-switch", "reset", "--reason", "e2e: drawdown understood")
	if code != 0 || !strings.Contains(out, "ACTIVE") {
		t.Fatalf("reset: exit %d: %s%s", code, out, errOut)
	}
	if !strings.Contains(d.Log.String(), "kill switch reset") {
		t.Error("the reset is not in the log")
	}
	d.Terminate(t)
}

// The README's backtest example runs, and twice gives the same bytes.
func TestBacktestCommand(t *testing.T) {
	d := startDaemon(t) // only for its Ctl helper's environment
	args := []string{"backtest", "--data", "../testdata/sample.csv", "--strategy", "sma", "--param", "fast=10", "--param", "slow=30", "-o", "json"}
	a, errA, code := d.Ctl(t, args...)
	if code != 0 {
		t.Fatalf("backtest: exit %d: %s", code, errA)
	}
	b, _, _ := d.Ctl(t, args...)
	if a != b {
		t.Fatal("two backtests of the same data differ")
	}
	if !strings.Contains(errA, "events/s") || !strings.Contains(a, `"sharpe_annualized"`) || !strings.Contains(a, `"trades"`) {
		t.Fatalf("output: %s\n%s", a[:min(len(a), 400)], errA)
	}
	if _, errOut, code := d.Ctl(t, "backtest", "--data", "../testdata/sample.csv", "--strategy", "nope"); code != 5 || !strings.Contains(errOut, "nope") {
		t.Fatalf("unknown strategy: exit %d %s", code, errOut)
	}
	d.Terminate(t)
}
