package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// kills is how many times the torture test kills the daemon: 20 in
// `make test`, more with TORTURE_KILLS (make soak).
func kills() int {
	if n, err := strconv.Atoi(os.Getenv("TORTURE_KILLS")); err == nil && n > 0 {
		return n
	}
	return 20
}

// A paper session trading fast is killed with SIGKILL at random moments,
// and the daemon restarted and the session resumed each time. After every
// restart the store must hold books that reconcile to the last unit: every
// fill once and only once, numbered without gaps, positions and cash equal
// to what the fills say, client order ids unique, open orders promising no
// more cash or quantity than the account holds, and the session
// accounted for (INTERRUPTED, then RUNNING again). A clean stop at the end
// leaves nothing to resume.
func TestKill9Torture(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var sessionID string
	var addr string
	fills := 0
	for i := range kills() {
		opts := harness.Options{DataDir: dir}
		if addr != "" {
			opts.Args = []string{"--listen", addr}
		}
		d := harness.StartDaemon(t, bins, opts)
		addr = d.Addr
		c := d.Client(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if i > 0 {
			n := checkStore(t, ctx, c, sessionID, i)
			if n < fills {
				t.Fatalf("restart %d: %d fills stored, %d were stored before: a committed fill was lost", i, n, fills)
			}
			fills = n
			checkSummary(t, ctx, c, sessionID, i)
			if _, err := c.ResumeTrading(ctx); err != nil {
				t.Fatalf("restart %d: resume: %v", i, err)
			}
		} else {
			resp, err := c.StartTrading(ctx, &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER,
				Symbols: []string{"BTC-USD", "ETH-USD"}, Strategy: "grid",
				Params:       map[string]string{"spacing_bps": "1", "levels": "3"},
				TickInterval: durationOf(10 * time.Millisecond)})
			if err != nil {
				t.Fatal(err)
			}
			sessionID = resp.GetSession().GetId()
		}
		cancel()
		time.Sleep(time.Duration(150+rng.IntN(900)) * time.Millisecond)
		d.Kill(t)
	}
	d := harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: []string{"--listen", addr}})
	c := d.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fills = checkStore(t, ctx, c, sessionID, kills())
	if _, err := c.ResumeTrading(ctx); err != nil {
		t.Fatal(err)
	}
	stopped, err := c.StopTrading(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// After every resume the counters carried on: the final summary counts
	// every order and fill of every run.
	if orders, n := storedCounts(t, ctx, c, sessionID); stopped.GetSession().GetSummary().GetOrders() != orders ||
		stopped.GetSession().GetSummary().GetFills() != n {
		t.Fatalf("stop says %d orders, %d fills; the store holds %d, %d", stopped.GetSession().GetSummary().GetOrders(),
			stopped.GetSession().GetSummary().GetFills(), orders, n)
	}
	d.Terminate(t)
	d = harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: []string{"--listen", addr}})
	c = d.Client(t)
	if _, err := c.ResumeTrading(ctx); err == nil {
		t.Fatal("a cleanly stopped session could be resumed")
	}
	s, err := c.ListSessions(ctx, 10)
	if err != nil || len(s.GetSessions()) != 1 || s.GetSessions()[0].GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("after a clean stop: %v %v", s, err)
	}
	t.Logf("%d kills, %d fills, the books reconciled after every restart", kills(), fills)
	d.Terminate(t)
}

// checkStore verifies the stored books of the session after a restart and
// returns how many fills it holds.
func checkStore(t *testing.T, ctx context.Context, c *client.Client, id string, restart int) int {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("restart %d: %s", restart, fmt.Sprintf(format, args...))
	}
	sessions, err := c.ListSessions(ctx, 10)
	if err != nil {
		fail("list sessions: %v", err)
	}
	if len(sessions.GetSessions()) != 1 || sessions.GetSessions()[0].GetId() != id ||
		sessions.GetSessions()[0].GetState() != tradingv1.SessionState_SESSION_STATE_INTERRUPTED {
		fail("sessions: %v", sessions.GetSessions())
	}
	list, err := c.ListOrders(ctx, false, 1_000_000, client.ForSession(id))
	if err != nil {
		fail("orders: %v", err)
	}
	seen := map[string]bool{}
	open := 0
	for _, o := range list.GetOrders() {
		if seen[o.GetClientOrderId()] {
			fail("client order id %s twice", o.GetClientOrderId())
		}
		seen[o.GetClientOrderId()] = true
		if st := o.GetState(); st == tradingv1.OrderState_ORDER_STATE_ACCEPTED || st == tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED {
			open++
		}
	}
	// A resumed grid cancels what it had resting before it quotes anew:
	// never more than one grid (3 levels a side, 2 symbols) open.
	if open > 2*3*2 {
		fail("%d orders open; one grid of 3 levels a side on 2 symbols has at most 12", open)
	}
	stored, err := c.ListFills(ctx, id, 1_000_000)
	if err != nil {
		fail("fills: %v", err)
	}
	next := map[string]uint32{}
	for _, f := range stored.GetFills() {
		if f.GetSequence() != next[f.GetClientOrderId()]+1 {
			fail("order %s: fill %d after fill %d", f.GetClientOrderId(), f.GetSequence(), next[f.GetClientOrderId()])
		}
		next[f.GetClientOrderId()] = f.GetSequence()
	}
	p, err := c.GetPortfolio(ctx, client.ForSession(id))
	if err != nil {
		fail("portfolio: %v", err)
	}
	n, err := harness.Reconcile(list, p.GetPortfolio())
	if err != nil {
		fail("%v", err)
	}
	if n != len(stored.GetFills()) {
		fail("orders carry %d fills, the fills table %d", n, len(stored.GetFills()))
	}
	if err := harness.Promises(list, p.GetPortfolio()); err != nil {
		fail("%v", err)
	}
	return n
}

func durationOf(d time.Duration) *durationpb.Duration { return durationpb.New(d) }

// checkSummary verifies that the interrupted session's summary is its last
// commit's: the counts the store holds, in sessions and in status alike,
// not zeros and not those of the last run alone.
func checkSummary(t *testing.T, ctx context.Context, c *client.Client, id string, restart int) {
	t.Helper()
	orders, n := storedCounts(t, ctx, c, id)
	sessions, err := c.ListSessions(ctx, 1)
	if err != nil {
		t.Fatalf("restart %d: sessions: %v", restart, err)
	}
	if sum := sessions.GetSessions()[0].GetSummary(); sum.GetOrders() != orders || sum.GetFills() != n {
		t.Fatalf("restart %d: sessions says %d orders, %d fills; the store holds %d, %d",
			restart, sum.GetOrders(), sum.GetFills(), orders, n)
	}
	st, err := c.GetStatus(ctx)
	if err != nil {
		t.Fatalf("restart %d: status: %v", restart, err)
	}
	if sum := st.GetSession().GetSummary(); st.GetSession().GetId() != id || sum.GetOrders() != orders ||
		sum.GetFills() != n || sum.GetTicks() == 0 {
		t.Fatalf("restart %d: status says %s with %d orders, %d fills, %d ticks; the store holds %d, %d",
			restart, st.GetSession().GetId(), sum.GetOrders(), sum.GetFills(), sum.GetTicks(), orders, n)
	}
	// One count of refused orders, wherever it is shown.
	p, err := c.GetPortfolio(ctx, client.ForSession(id))
	if err != nil {
		t.Fatalf("restart %d: portfolio: %v", restart, err)
	}
	if a, b := st.GetSession().GetSummary().GetRisk().GetRejectedOrders(), p.GetPortfolio().GetRisk().GetRejectedOrders(); a != b {
		t.Fatalf("restart %d: status says %d orders refused, portfolio %d", restart, a, b)
	}
}

// storedCounts are the orders and fills the store holds for session id.
func storedCounts(t *testing.T, ctx context.Context, c *client.Client, id string) (orders, fills uint64) {
	t.Helper()
	list, err := c.ListOrders(ctx, false, 1_000_000, client.ForSession(id))
	if err != nil {
		t.Fatalf("orders: %v", err)
	}
	stored, err := c.ListFills(ctx, id, 1_000_000)
	if err != nil {
		t.Fatalf("fills: %v", err)
	}
	return uint64(len(list.GetOrders())), uint64(len(stored.GetFills()))
}
