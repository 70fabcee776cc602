package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// After a crash, a new session is refused while the interrupted one waits,
// so it cannot be orphaned with live orders; --abandon-interrupted cancels
// its orders, marks it ABANDONED and starts anew, and the audit log shows
// the caller asked for it.
func TestInterruptedSessionIsNotOrphaned(t *testing.T) {
	dir := t.TempDir()
	d := harness.StartDaemon(t, bins, harness.Options{DataDir: dir})
	c := d.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := c.StartTrading(ctx, &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER,
		Symbols: []string{"BTC-USD"}, Strategy: "grid", Params: map[string]string{"spacing_bps": "20", "levels": "3"},
		TickInterval: durationOf(10 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetSession().GetId()
	var open []*tradingv1.Order
	for deadline := time.Now().Add(30 * time.Second); len(open) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no resting orders")
		}
		list, err := c.ListOrders(ctx, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		open = list.GetOrders()
	}
	d.Kill(t)

	d = harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: []string{"--listen", d.Addr}})
	c = d.Client(t)
	_, errOut, code := d.Ctl(t, "start", "--paper")
	if code != 6 || !strings.Contains(errOut, id) || !strings.Contains(errOut, "--abandon-interrupted") {
		t.Fatalf("start while %s is interrupted: exit %d, %q; want 6 naming it", id, code, errOut)
	}
	if _, errOut, code := d.Ctl(t, "start", "--resume", "--session", "nope"); code != 11 {
		t.Fatalf("resume of an unknown session: exit %d, %q; want 11", code, errOut)
	}
	if out, errOut, code := d.Ctl(t, "start", "--paper", "--abandon-interrupted"); code != 0 {
		t.Fatalf("start --abandon-interrupted: exit %d, %q %q", code, out, errOut)
	}
	sessions, err := c.ListSessions(ctx, 10)
	if err != nil || len(sessions.GetSessions()) != 2 {
		t.Fatalf("sessions: %v %v", sessions, err)
	}
	if old := sessions.GetSessions()[1]; old.GetId() != id || old.GetState() != tradingv1.SessionState_SESSION_STATE_ABANDONED {
		t.Fatalf("the interrupted session is now %v %v; want ABANDONED", old.GetId(), old.GetState())
	}
	list, err := c.ListOrders(ctx, false, 0, client.ForSession(id))
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]tradingv1.OrderState{}
	for _, o := range list.GetOrders() {
		state[o.GetClientOrderId()] = o.GetState()
	}
	for _, o := range open {
		if state[o.GetClientOrderId()] != tradingv1.OrderState_ORDER_STATE_CANCELLED {
			t.Errorf("order %s was resting and is now %v; want CANCELLED", o.GetClientOrderId(), state[o.GetClientOrderId()])
		}
	}
	// protojson may put a space after the colon.
	if !regexp.MustCompile(`msg=audit .*StartTrading.*abandonInterrupted\\":\s*true`).MatchString(d.Log.String()) {
		t.Error("the audit log does not show the start that abandoned the session")
	}
	if _, err := c.StopTrading(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := d.Ctl(t, "start", "--resume", "--session", id); code != 6 || !strings.Contains(errOut, "ABANDONED") {
		t.Fatalf("resume of an abandoned session: exit %d, %q; want 6 saying it is ABANDONED", code, errOut)
	}
	d.Terminate(t)
}
