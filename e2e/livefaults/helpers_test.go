package livefaults

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/client/strategy"
	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// waitFor bounds every wait for the product to notice a fault or its end:
// the adapter's silence windows are 2 s and the health interval 100 ms,
// so this is many times what a working product needs on a loaded machine.
const waitFor = 20 * time.Second

// live is a live session of a real tradingd on a real rehearsal venue,
// driven by a probe strategy that places exactly the orders a test asks
// for.
type live struct {
	venue *harness.Emulator
	d     *harness.Daemon
	c     *client.Client
	probe *probe
}

// startLive starts the venue, a daemon trading on it, a live session of
// BTC-USD and ETH-USD (one tick every 20 ms) driven by the probe, and waits until every health component is
// HEALTHY.
func startLive(t *testing.T) *live {
	t.Helper()
	keys := harness.WriteVenueKeys(t, "e2e-live-key", "e2e-live-secret-0123456789")
	l := &live{venue: harness.StartEmulator(t, bins, keys, "--symbols", "BTC-USD,ETH-USD",
		"--balances", "USDT=1000000", "--step", "50ms")}
	l.d = harness.StartDaemon(t, bins, harness.Options{Args: harness.LiveArgs(l.venue.URL, keys)})
	l.c = l.d.Client(t)
	if out, errOut, code := l.d.Ctl(t, "start", "--symbols", "BTC-USD,ETH-USD", "--strategy", "remote:probe",
		"--tick-interval", "20ms", "--health-interval", "100ms", "--max-order-notional", "1000000"); code != 0 {
		t.Fatalf("tradectl start (live): exit %d: %s%s", code, out, errOut)
	}
	l.probe = &probe{orders: make(chan strategy.PlaceOrder, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- strategy.Run(ctx, l.c.Conn(), strategy.Hello{Name: "probe", TimerInterval: 50 * time.Millisecond}, l.probe)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("probe strategy: %v", err)
		}
	})
	l.waitHealthy(t, "the live session healthy before any fault")
	return l
}

// probe is a remote strategy that places the orders the test hands it at
// its next event (a book or a 50 ms timer, which a quiet or silent market
// still fires).
type probe struct {
	strategy.Base
	orders chan strategy.PlaceOrder

	mu       sync.Mutex
	events   int
	refusals []string
}

func (p *probe) OnRefused(_ strategy.Account, r *strategy.Refusal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refusals = append(p.refusals, fmt.Sprintf("%s: %s %s", r.Tag, r.Reason, r.Message))
}

func (p *probe) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("probe: %d events; refusals %q", p.events, p.refusals)
}

func (p *probe) OnBook(_ strategy.Account, _ *strategy.Book, d *strategy.Decisions)  { p.decide(d) }
func (p *probe) OnTimer(_ strategy.Account, _ strategy.Event, d *strategy.Decisions) { p.decide(d) }

func (p *probe) decide(d *strategy.Decisions) {
	p.mu.Lock()
	p.events++
	p.mu.Unlock()
	for {
		select {
		case o := <-p.orders:
			if _, err := d.Place(o); err != nil { // a test's own mistake
				p.mu.Lock()
				p.refusals = append(p.refusals, "by the SDK: "+err.Error())
				p.mu.Unlock()
			}
		default:
			return
		}
	}
}

// marketBuy has the probe buy qty BTC at market at its next event; it
// returns the tag.
func (l *live) marketBuy(tag, qty string) string { return l.buy(tag, "BTC-USD", qty) }

// buy has the probe buy qty of symbol at market at its next event.
func (l *live) buy(tag, symbol, qty string) string {
	l.probe.orders <- strategy.PlaceOrder{Tag: tag, Symbol: symbol, Side: strategy.Buy, Type: strategy.Market,
		Quantity: money.MustParse(qty)}
	return tag
}

// order waits until the order tagged tag is stored in a final state and
// returns it.
func (l *live) order(t *testing.T, tag string) *tradingv1.Order {
	t.Helper()
	var o *tradingv1.Order
	harness.Eventually(t, waitFor, "order "+tag+" final in the store ("+l.probe.String()+")", func() bool {
		o = nil
		for _, x := range l.orders(t) {
			if x.GetTag() == tag {
				o = x
			}
		}
		switch o.GetState() {
		case tradingv1.OrderState_ORDER_STATE_FILLED, tradingv1.OrderState_ORDER_STATE_CANCELLED, tradingv1.OrderState_ORDER_STATE_REJECTED:
			return true
		}
		return false
	})
	return o
}

func (l *live) orders(t *testing.T) []*tradingv1.Order {
	t.Helper()
	resp, err := l.c.ListOrders(rpcCtx(t), false, 10000)
	if err != nil {
		t.Fatalf("ListOrders: %v", err)
	}
	return resp.GetOrders()
}

func rpcCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// health is the daemon's last health report of the session.
func (l *live) health(t *testing.T) *tradingv1.HealthReport {
	t.Helper()
	st, err := l.c.GetStatus(rpcCtx(t))
	if err != nil {
		t.Fatalf("GetStatus: %v", err)
	}
	if s := st.GetSession().GetState(); s != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("the session is %v (%s), not running", s, st.GetSession().GetReason())
	}
	return st.GetHealth()
}

func component(r *tradingv1.HealthReport, name string) *tradingv1.ComponentHealth {
	for _, c := range r.GetComponents() {
		if c.GetName() == name {
			return c
		}
	}
	return nil
}

func describe(r *tradingv1.HealthReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v", r.GetStatus())
	for _, c := range r.GetComponents() {
		fmt.Fprintf(&b, "\n  %s %v %q", c.GetName(), c.GetStatus(), c.GetReason())
	}
	return b.String()
}

// waitComponent waits until the component name satisfies ok and returns
// it; it logs how long that took after the call.
func (l *live) waitComponent(t *testing.T, name, what string, ok func(*tradingv1.ComponentHealth) bool) *tradingv1.ComponentHealth {
	t.Helper()
	began := time.Now()
	var r *tradingv1.HealthReport
	deadline := began.Add(waitFor)
	for {
		r = l.health(t)
		if c := component(r, name); c != nil && ok(c) {
			t.Logf("%s after %s: %s %v %q", what, time.Since(began).Round(time.Millisecond), name, c.GetStatus(), c.GetReason())
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; health:\n%s", what, describe(r))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// at is a predicate: the component is at level and its reason contains
// every one of subs.
func at(level tradingv1.HealthStatus, subs ...string) func(*tradingv1.ComponentHealth) bool {
	return func(c *tradingv1.ComponentHealth) bool {
		if c.GetStatus() != level {
			return false
		}
		for _, s := range subs {
			if !strings.Contains(c.GetReason(), s) {
				return false
			}
		}
		return true
	}
}

const (
	healthy   = tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY
	degraded  = tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED
	unhealthy = tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY
)

// faulty is DEGRADED or UNHEALTHY with every one of subs in the reason.
func faulty(subs ...string) func(*tradingv1.ComponentHealth) bool {
	return func(c *tradingv1.ComponentHealth) bool { return at(degraded, subs...)(c) || at(unhealthy, subs...)(c) }
}

// waitHealthy waits until every component of the report but those named
// in except is HEALTHY (and the report too, when none is excepted).
func (l *live) waitHealthy(t *testing.T, what string, except ...string) {
	t.Helper()
	began := time.Now()
	var r *tradingv1.HealthReport
	for deadline := began.Add(waitFor); ; {
		r = l.health(t)
		all := (len(except) > 0 || r.GetStatus() == healthy) && len(r.GetComponents()) > 0
		for _, c := range r.GetComponents() {
			all = all && (c.GetStatus() == healthy || slices.Contains(except, c.GetName()))
		}
		if all {
			t.Logf("%s after %s", what, time.Since(began).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; health:\n%s", what, describe(r))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkBooks waits until our store and the venue's ledger agree and fails
// the test if they never do: no client order id reached the venue twice,
// every order the venue saw is one of ours, and our fills are the venue's
// trades exactly, each once by its trade id, with its quantity, price and
// fee. It returns the number of trades.
func (l *live) checkBooks(t *testing.T) int {
	t.Helper()
	var diff string
	var n int
	deadline := time.Now().Add(waitFor)
	for {
		diff, n = l.booksDiff(t)
		if diff == "" {
			t.Logf("the venue's ledger and our store agree: %d trades, each booked once", n)
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("the venue's ledger and our store disagree:\n%s", diff)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *live) booksDiff(t *testing.T) (string, int) {
	led := l.venue.Ledger(t)
	var problems []string
	if r := led.Resubmitted(); len(r) > 0 {
		problems = append(problems, fmt.Sprintf("client order ids submitted more than once: %v", r))
	}
	ours := map[string]bool{}
	for _, o := range l.orders(t) {
		ours[o.GetClientOrderId()] = true
	}
	for _, r := range led.Requests {
		if !ours[r.ClientID] {
			problems = append(problems, fmt.Sprintf("the venue received order %s (%s), which our store does not list", r.ClientID, r.Verdict))
		}
	}
	type fill struct{ qty, price, fee money.Decimal }
	venue := map[string]fill{}
	for _, tr := range led.Trades {
		venue[fmt.Sprintf("%s#%d", tr.ClientID, tr.ID)] = fill{tr.Quantity, tr.Price, tr.Commission}
	}
	resp, err := l.c.ListFills(rpcCtx(t), "", 0)
	if err != nil {
		t.Fatalf("ListFills: %v", err)
	}
	booked := map[string]fill{}
	for _, f := range resp.GetFills() {
		k := fmt.Sprintf("%s#%d", f.GetClientOrderId(), f.GetFill().GetVenueTradeId())
		got := fill{money.MustParse(f.GetFill().GetQuantity()), money.MustParse(f.GetFill().GetPrice()), money.MustParse(f.GetFill().GetFee())}
		switch want, ok := venue[k]; {
		case f.GetFill().GetVenueTradeId() == 0:
			problems = append(problems, "a fill without the venue's trade id: "+k)
		case booked[k] != (fill{}):
			problems = append(problems, "trade booked twice: "+k)
		case !ok:
			problems = append(problems, "a fill the venue never traded: "+k)
		case want != got:
			problems = append(problems, fmt.Sprintf("fill %s: booked %+v, the venue traded %+v", k, got, want))
		}
		booked[k] = got
	}
	for k := range venue {
		if _, ok := booked[k]; !ok {
			problems = append(problems, "a trade of the venue's not booked: "+k)
		}
	}
	slices.Sort(problems)
	return strings.Join(problems, "\n"), len(led.Trades)
}
