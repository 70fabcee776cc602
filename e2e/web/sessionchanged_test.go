package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/browsertest"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// A stop confirmed for the session the page showed does nothing to a
// session started since (from tradectl, another tab): the page says the
// session changed, names the new one, and looks again; the new session
// runs on. The result line goes once the page shows another session.
func TestStopOfAnEndedSessionStopsNothing(t *testing.T) {
	b := open(t)
	api := tradingv1.NewTradingServiceClient(b.d.Client(t).Conn())
	settings := &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Symbols: []string{"BTC-USD"},
		TickInterval: durationpb.New(100 * time.Millisecond)}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, err := api.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	b.login()
	b.route("controls")
	b.waitFor("the page to show session A", textIs("#session-id", a.GetSession().GetId())+` && !document.getElementById("stop").disabled`, 20*time.Second)
	b.run("deadline", chromedp.SetValue(chromedp.ID("stop-deadline"), "1"))
	b.run("click #stop", chromedp.Click(chromedp.ID("stop")))
	b.waitFor("the confirmation", `document.getElementById("confirm")?.open === true`, 10*time.Second)

	// While the operator reads the question, A ends and B starts.
	if _, err := api.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(time.Second)}); err != nil {
		t.Fatal(err)
	}
	bs, err := api.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	next := bs.GetSession().GetId()

	b.p.AllowRequest(func(r browsertest.Request) bool { return r.URL == b.base+rpcPrefix+"StopTrading" && r.Status == 400 })
	b.run("confirm", chromedp.Click(chromedp.ID("confirm-ok")))
	b.waitFor("the refusal", textIs("#stop-error", "The session changed to "+next+" since this page last looked; nothing was done."), 20*time.Second)
	b.waitFor("the page to show session B", textIs("#session-id", next)+" && "+textIs("#session-state", "RUNNING"), 20*time.Second)
	b.shot("stop of an ended session")
	st, err := api.GetStatus(ctx, &tradingv1.GetStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if s := st.GetSession(); s.GetId() != next || s.GetState() != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Errorf("after the refused stop: session %s %s, want %s RUNNING", s.GetId(), s.GetState(), next)
	}

	// The result line speaks of B; once another session is shown, it goes.
	if !eval[bool](b, `/nothing was done/.test(document.getElementById("controls-result").textContent)`) {
		t.Errorf("#controls-result: %q, want the refusal", eval[string](b, `document.getElementById("controls-result").textContent`))
	}
	if _, err := api.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(time.Second)}); err != nil {
		t.Fatal(err)
	}
	c, err := api.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	b.waitFor("the page to show session C", textIs("#session-id", c.GetSession().GetId()), 20*time.Second)
	if r := eval[string](b, `document.getElementById("controls-result").textContent`); r != "" {
		t.Errorf("#controls-result still says %q with another session shown", r)
	}
}
