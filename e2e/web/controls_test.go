package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tradectl/tradectl/internal/browsertest"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// field is a start form field's selector by its API field path.
func field(path string) string { return fmt.Sprintf(`#start-form [name=%q]`, path) }

// formPath is the form's name for the field an API violation names: the
// daemon writes a map entry as settings.params[levels], the form's input
// is settings.params.levels.
func formPath(api string) string { return mapKey.ReplaceAllString(api, ".$1") }

var mapKey = regexp.MustCompile(`\[([^\]]*)\]`)

// errSlot is the id of a field's error slot: #err-<path, dots as dashes>.
func errSlot(path string) string { return "#err-" + strings.ReplaceAll(path, ".", "-") }

// startForm fills the start form as a person would for a paper session of
// the given strategy, ticking every 100 ms, with extra fields by path.
func (b *tab) startForm(strategy string, extra map[string]string) {
	b.t.Helper()
	b.route("controls")
	b.waitFor("the strategy list", fmt.Sprintf(`[...document.querySelectorAll(%s + " option")].some(o => o.value === %s)`,
		js(field("settings.strategy")), js(strategy)), 20*time.Second)
	b.fill("#start-form", "settings.strategy", strategy)
	// The parameters' fields follow the chosen strategy.
	for k := range extra {
		if strings.HasPrefix(k, "settings.params.") {
			b.waitFor("the field "+k, visible(field(k)), 10*time.Second)
		}
	}
	b.fill("#start-form", "settings.symbols", "BTC-USD")
	b.fill("#start-form", "settings.tick_interval", "100ms")
	for k, v := range extra {
		b.fill("#start-form", k, v)
	}
}

// number of order rows, and of those the page shows (a filter may hide
// or remove the others).
const (
	orderRows   = `document.querySelectorAll("#orders tbody tr[data-order-id]").length`
	shownOrders = `[...document.querySelectorAll("#orders tbody tr[data-order-id]")].filter(r => r.getClientRects().length > 0)`
	fillRows    = `document.querySelectorAll("#fills tbody tr[data-order-id]").length`
)

// An invalid value is refused with the API's own words next to its field;
// a paper grid session started from the form runs and turns HEALTHY; its
// orders and fills arrive live, the state filter narrows them; a stop
// with a deadline ends it.
func TestTradeFromThePage(t *testing.T) {
	b := open(t)
	b.login()
	b.shot("overview before any session")

	// Two invalid values, each refused by the API with its own words at its
	// own field, one refusal at a time if the API names one at a time.
	invalid := map[string]string{"settings.params.levels": "abc", "settings.risk.max_drawdown": "2"}
	valid := map[string]string{"settings.params.levels": "5", "settings.risk.max_drawdown": "0.5"}
	refused := b.p.AllowRequest(func(r browsertest.Request) bool {
		return r.Status == 400 && r.URL == b.base+rpcPrefix+"StartTrading"
	})
	b.startForm("grid", invalid)
	for len(invalid) > 0 {
		violations := b.refusal(invalid)
		b.confirm("start")
		for _, v := range violations {
			path := formPath(v.GetField())
			if _, ok := invalid[path]; !ok {
				t.Fatalf("the API refused %s (%s), not one of the fields this test made invalid", v.GetField(), v.GetDescription())
			}
			b.waitFor("the API's message at "+errSlot(path), visible(errSlot(path))+
				fmt.Sprintf(` && document.querySelector(%s).textContent.includes(%s)`, js(errSlot(path)), js(v.GetDescription())), 10*time.Second)
			if got := eval[string](b, fmt.Sprintf(`document.querySelector(%s).getAttribute("aria-invalid") || ""`, js(field(path)))); got != "true" {
				t.Errorf("%s: aria-invalid=%q, want true", path, got)
			}
			if got := eval[string](b, fmt.Sprintf(`document.querySelector(%s).getAttribute("aria-describedby") || ""`, js(field(path)))); !strings.Contains(got, strings.TrimPrefix(errSlot(path), "#")) {
				t.Errorf("%s: aria-describedby=%q, want its error slot", path, got)
			}
			b.shot("refused " + path)
			delete(invalid, path)
			b.fill("#start-form", path, valid[path])
		}
		if got := eval[string](b, `document.getElementById("session-state").textContent.trim()`); got != "NONE" {
			t.Errorf("session state %q after a refused start, want NONE", got)
		}
	}
	refused()

	b.confirm("start")
	b.waitFor("RUNNING", textIs("#session-state", "RUNNING"), 20*time.Second)
	b.waitFor("HEALTHY", textIs("#health-status", "HEALTHY"), 20*time.Second)
	for path := range valid {
		if eval[bool](b, visible(errSlot(path))+fmt.Sprintf(` && document.querySelector(%s).textContent.trim() !== ""`, js(errSlot(path)))) {
			t.Errorf("%s still shows an error after a valid start", errSlot(path))
		}
	}
	b.shot("started")

	// Live: rows arrive while this document stays (no reload).
	b.route("orders")
	eval[bool](b, `window.sameDocument = true`)
	b.waitFor("the first orders", orderRows+" > 0", 20*time.Second)
	n := eval[int](b, orderRows)
	b.waitFor("more orders", fmt.Sprintf("%s > %d", orderRows, n), 20*time.Second)
	b.waitFor("a fill", fillRows+" > 0", 30*time.Second)
	f := eval[int](b, fillRows)
	b.waitFor("more fills", fmt.Sprintf("%s > %d", fillRows, f), 30*time.Second)
	if !eval[bool](b, `window.sameDocument === true`) {
		t.Error("the page reloaded to show new rows")
	}
	b.waitFor("the summary", `/\d+ orders?, \d+ fills?/.test(document.getElementById("orders-summary")?.textContent ?? "")`, 5*time.Second)
	b.shot("orders live")

	// Filter by a state some rows have and others do not: FILLED (a final
	// state, so the rows keep it while the test looks).
	b.waitFor("filled and unfilled orders", `(rows => rows.some(r => r.dataset.state === "FILLED") && rows.some(r => r.dataset.state !== "FILLED"))(`+shownOrders+`)`, 30*time.Second)
	b.run("filter FILLED", chromedp.SetValue(chromedp.ID("orders-filter-state"), "FILLED"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("orders-filter-state").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.waitFor("only FILLED rows", `(rows => rows.length > 0 && rows.every(r => r.dataset.state === "FILLED"))(`+shownOrders+`)`, 10*time.Second)
	b.shot("orders filtered FILLED")
	b.run("filter none", chromedp.SetValue(chromedp.ID("orders-filter-state"), ""),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("orders-filter-state").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.waitFor("every state again", `(`+shownOrders+`).some(r => r.dataset.state !== "FILLED")`, 10*time.Second)

	b.route("overview")
	if os.Getenv("UPDATE_SCREENSHOTS") != "" {
		readme(b)
	}

	b.route("controls")
	b.run("deadline", chromedp.SetValue(chromedp.ID("stop-deadline"), "5"))
	b.confirm("stop")
	b.waitFor("STOPPED", textIs("#session-state", "STOPPED"), 20*time.Second)
	b.shot("stopped")
}

// refusal is what the API answers a start with these values, asked
// directly: the field violations of its BadRequest.
func (b *tab) refusal(values map[string]string) []*errdetails.BadRequest_FieldViolation {
	b.t.Helper()
	s := &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Symbols: []string{"BTC-USD"},
		TickInterval: durationpb.New(100 * time.Millisecond), Params: map[string]string{}, Risk: &tradingv1.RiskLimits{}}
	for k, v := range values {
		switch {
		case strings.HasPrefix(k, "settings.params."):
			s.Params[strings.TrimPrefix(k, "settings.params.")] = v
		case k == "settings.risk.max_drawdown":
			s.Risk.MaxDrawdown = v
		default:
			b.t.Fatalf("refusal: no way to send %s", k)
		}
	}
	_, err := tradingv1.NewTradingServiceClient(b.d.Client(b.t).Conn()).StartTrading(context.Background(), &tradingv1.StartTradingRequest{Settings: s})
	var out []*errdetails.BadRequest_FieldViolation
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			out = append(out, br.GetFieldViolations()...)
		}
	}
	if len(out) == 0 {
		b.t.Fatalf("StartTrading with %v: %v, want a BadRequest", values, err)
	}
	return out
}

// readme writes the README's picture of the dashboard: the Overview of a
// running grid session (UPDATE_SCREENSHOTS=1).
func readme(b *tab) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("the README's screenshot", err)
	}
	path, _ := filepath.Abs(filepath.Join("..", "..", "docs", "dashboard.png"))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s", path)
}

// The kill switch, tripped by a tiny drawdown limit, shows on the page;
// reset from the page with a reason, it goes; a stop with a deadline ends
// the session.
func TestKillSwitchFromThePage(t *testing.T) {
	b := open(t)
	b.login()
	// Half a dollar of drawdown on 100,000 trips within seconds; a small
	// inventory cap and a fixed seed keep the next trip after the reset
	// (from the equity of that moment) seconds away, not one tick.
	b.startForm("grid", map[string]string{"settings.seed": "1", "settings.params.max_position": "0.02",
		"settings.risk.max_drawdown": "0.000005"})
	b.confirm("start")
	b.waitFor("RUNNING", textIs("#session-state", "RUNNING"), 20*time.Second)
	b.waitFor("the kill switch banner", visible("#killswitch-banner"), 45*time.Second)
	if got := eval[string](b, `document.getElementById("risk-state").textContent`); !strings.Contains(got, "HALTED") {
		t.Errorf("risk state %q under the banner, want HALTED", got)
	}
	if got := eval[string](b, `document.getElementById("killswitch-banner").getAttribute("role")`); got != "alert" {
		t.Errorf("banner role %q, want alert", got)
	}
	b.shot("kill switch tripped")

	b.run("reason", chromedp.SetValue(chromedp.ID("reset-reason"), "e2e: drawdown understood"))
	// The reset's own answer hides the banner, not the next status read.
	gone := b.shownBeforeStatus("ResetKillSwitch", "the banner to go", hidden("#killswitch-banner"))
	b.confirm("reset-kill")
	gone()
	b.waitFor("the reset's result", `document.getElementById("controls-result")?.textContent.trim() !== ""`, 5*time.Second)
	b.shot("kill switch reset")
	if !strings.Contains(b.d.Log.String(), "e2e: drawdown understood") {
		t.Error("the reset's reason is not in the daemon's log")
	}

	b.run("deadline", chromedp.SetValue(chromedp.ID("stop-deadline"), "2"))
	b.confirm("stop")
	b.waitFor("STOPPED", textIs("#session-state", "STOPPED"), 20*time.Second)
	b.shot("stopped after the reset")
}

// A session that ended with its kill switch tripped keeps the banner (its
// risk state is HALTED), but the banner no longer asks for a reset the
// daemon refuses when nothing runs. On the way, the controls mark what the
// daemon would refuse before asking to confirm it.
func TestKillSwitchBannerAfterStop(t *testing.T) {
	b := open(t)
	b.login()
	b.startForm("grid", map[string]string{"settings.seed": "1", "settings.risk.max_drawdown": "0.000005"})
	b.confirm("start")
	b.waitFor("the kill switch banner", visible("#killswitch-banner"), 45*time.Second)
	running := eval[string](b, `document.getElementById("killswitch-banner").textContent`)
	if !strings.Contains(running, "No order is sent until it is reset") {
		t.Errorf("banner of a running session %q: want it to ask for a reset", running)
	}
	// What the daemon would refuse is marked at once, before the dialog
	// asks to confirm it: a reason over 512 bytes, a deadline of 0 or over
	// 300 s.
	b.run("a long reason", chromedp.SetValue(chromedp.ID("reset-reason"), strings.Repeat("é", 300)))
	b.refusedBeforeAsking("reset-kill", "reset-reason")
	for _, d := range []string{"999999", "0"} {
		b.run("deadline "+d, chromedp.SetValue(chromedp.ID("stop-deadline"), d))
		b.refusedBeforeAsking("stop", "stop-deadline")
	}
	b.run("deadline", chromedp.SetValue(chromedp.ID("stop-deadline"), "2"))
	b.confirm("stop")
	b.waitFor("STOPPED", textIs("#session-state", "STOPPED"), 20*time.Second)
	b.waitFor("the banner to follow the stop", `document.getElementById("killswitch-banner").textContent.includes("is STOPPED")`, 10*time.Second)
	stopped := eval[string](b, `document.getElementById("killswitch-banner").textContent`)
	// The time it names is the daemon's, to the millisecond, truncated as
	// tradectl prints it (not rounded up).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := b.d.Client(t).GetStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms := func(ts *timestamppb.Timestamp) string {
		return strings.Replace(ts.AsTime().UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"), ".000Z", "Z", 1)
	}
	if want := ms(st.GetSession().GetSummary().GetRisk().GetSince()); !strings.Contains(stopped, "since "+want+":") {
		t.Errorf("banner %q: want the trip time %s", stopped, want)
	}
	// Each stamp rounds up half the time: five of them catch a rounding.
	b.route("overview")
	shown := map[string]string{"#session-start": ms(st.GetSession().GetStartTime()), "#health-time": ms(st.GetHealth().GetTime())}
	for _, c := range st.GetHealth().GetComponents() {
		if c.GetLastProgress() != nil {
			shown[`tr[data-component="`+c.GetName()+`"] td:nth-child(4)`] = ms(c.GetLastProgress())
		}
	}
	for sel, want := range shown {
		if got := eval[string](b, fmt.Sprintf(`document.querySelector(%s)?.textContent.trim() ?? ""`, js(sel))); got != want {
			t.Errorf("%s shows %q, want %q as tradectl prints it", sel, got, want)
		}
	}
	if strings.Contains(stopped, "until it is reset") || !strings.Contains(stopped, "a new session starts with the kill switch armed") {
		t.Errorf("banner of a stopped session %q: want no call for a reset, and what a new session does", stopped)
	}
	b.shot("kill switch banner after the stop")
}

// refusedBeforeAsking clicks button and expects the field marked invalid
// with no confirmation dialog opened.
func (b *tab) refusedBeforeAsking(button, fieldID string) {
	b.t.Helper()
	b.run("click #"+button, chromedp.Click(chromedp.ID(button)))
	b.waitFor("#"+fieldID+" marked", fmt.Sprintf(`document.getElementById(%s)?.getAttribute("aria-invalid") === "true" || document.getElementById("confirm")?.open === true`, js(fieldID)), 10*time.Second)
	if eval[bool](b, `document.getElementById("confirm")?.open === true`) {
		b.run("cancel", chromedp.Click(chromedp.ID("confirm-cancel")))
		b.t.Errorf("#%s asked to confirm what the daemon refuses (#%s: %q)", button, fieldID,
			eval[string](b, fmt.Sprintf(`document.getElementById(%s).value.slice(0, 20)`, js(fieldID))))
	}
}

// Over plain HTTP a browser keeps six connections to the daemon for all its
// tabs, and the streams of a few tabs take them all. A stop clicked then
// waits in the browser; it must give up within its time limit and never
// reach the daemon later, when a tab closes, where it would stop whichever
// session runs by then.
func TestStopQueuedInTheBrowserNeverGoesLate(t *testing.T) {
	b := open(t)
	b.login()
	b.startForm("grid", nil)
	b.confirm("start")
	b.waitFor("RUNNING", textIs("#session-state", "RUNNING"), 20*time.Second)
	b.route("controls")
	// Three more tabs, each with its own streams: two on Orders (two
	// streams each), one on Overview; with this tab's health stream, six:
	// every connection.
	var others []context.CancelFunc
	for _, route := range []string{"orders", "orders", "overview"} {
		ctx, cancel := chromedp.NewContext(b.ctx)
		others = append(others, cancel)
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		// Tabs that do not share their streams (tabs.ts: a browser
		// without Web Locks), as every tab was before they did.
		_, err := chromedp.Call(wctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: unshared})
		if err == nil {
			_, err = chromedp.Run(wctx, chromedp.Steps(chromedp.Navigate(b.base+"/#"+route)))
		}
		if err == nil {
			_, err = chromedp.Run(wctx, chromedp.Poll[bool](connState("live"), chromedp.WithPollingTimeout(20*time.Second)))
		}
		wcancel()
		if err != nil {
			t.Fatalf("another tab: %v", err)
		}
	}
	// The stop that cannot be sent fails in the page, by its own limit.
	b.p.AllowRequest(func(r browsertest.Request) bool { return r.URL == b.base+rpcPrefix+"StopTrading" })
	b.run("deadline", chromedp.SetValue(chromedp.ID("stop-deadline"), "1"))
	b.confirm("stop")
	b.waitFor("the stop to give up", `document.getElementById("stop-error")?.textContent.trim() !== ""`, 20*time.Second)
	for _, cancel := range others {
		cancel()
	}
	// A call made now follows anything still queued: once it is answered,
	// a late stop would have reached the daemon.
	fctx, fcancel := context.WithTimeout(b.ctx, 20*time.Second)
	ok, err := chromedp.Run(fctx, chromedp.Evaluate[bool](`fetch("/trading.v1.TradingService/GetStatus", {method: "POST",
		headers: {"Content-Type": "application/json", "Connect-Protocol-Version": "1"}, body: "{}"}).then(r => r.ok)`, chromedp.EvalAwaitPromise))
	fcancel()
	if err != nil || !ok {
		t.Fatalf("a call from the page after the tabs closed: %v %v", ok, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := b.d.Client(t).GetStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := st.GetSession().GetState(); s != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Errorf("session %s after the tabs closed: the stop the page gave up on went late", s)
	}
}
