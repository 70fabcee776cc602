package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/debugger"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tradectl/tradectl/internal/browsertest"
)

// summaryHistory records every text #orders-summary shows, from the
// page's first script on (window.summaries), so that a test sees a text
// the page showed only for an instant.
const summaryHistory = `window.summaries = [];
new MutationObserver(() => {
	const s = document.getElementById("orders-summary");
	if (!s) return;
	const text = s.dataset.state + ": " + s.textContent;
	if (window.summaries[window.summaries.length - 1] !== text) window.summaries.push(text);
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});`

// unshared takes Web Locks from a tab before its scripts run: its
// dashboard keeps its own streams, as in a browser without them.
const unshared = `Object.defineProperty(Navigator.prototype, "locks", {get: () => undefined});`

// another opens one more tab of b's browser on route, logged in by the
// cookie the browser already holds, and waits for it to show the daemon;
// scripts run in it before the page's.
func (b *tab) another(route string, scripts ...string) *tab {
	b.t.Helper()
	o := *b
	o.ctx, o.p = browsertest.NewTab(b.t, b.ctx)
	o.p.AllowURL(b.base + "/")
	o.p.AllowURL("data:")
	for _, src := range append([]string{summaryHistory}, scripts...) {
		if _, err := chromedp.Call(o.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			b.t.Fatal(err)
		}
	}
	o.run("open another tab on "+route, chromedp.Navigate(b.base+"/#"+route))
	o.waitFor("the other tab live", `document.documentElement.dataset.ready === "true" && `+connState("live"), 20*time.Second)
	return &o
}

// streamsOf counts the streams a tab opened.
func (b *tab) streamsOf() int { return b.rpcs("WatchHealth") + b.rpcs("WatchOrders") }

// orderIDs: the ids of the orders the page lists, in its order.
const orderIDs = `[...document.querySelectorAll("#orders tbody tr[data-order-id]")].map(r => r.dataset.orderId)`

// sameOrders waits until every tab lists exactly the orders ListOrders
// lists for the session (each once), and says so in its summary.
func sameOrders(t *testing.T, tabs []*tab, session string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := tabs[0].d.Client(t).ListOrders(ctx, false, 500)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range res.GetOrders() {
		want = append(want, o.GetClientOrderId())
	}
	if len(want) == 0 || len(want) >= 500 || res.GetSessionId() != session {
		t.Fatalf("ListOrders: %d orders of session %q, want some (fewer than the page keeps) of %s", len(want), res.GetSessionId(), session)
	}
	slices.Sort(want)
	wantJSON, _ := json.Marshal(want)
	for i, b := range tabs {
		b.waitFor(fmt.Sprintf("tab %d to list the %d orders ListOrders lists", i, len(want)),
			fmt.Sprintf(`JSON.stringify(%s.sort()) === %s && document.getElementById("orders-summary").dataset.orders === "%d"`,
				orderIDs, js(string(wantJSON)), len(want)), 15*time.Second)
	}
}

// neverZeroBeforeRead: the summary of a session with orders said
// "Loading…" and then counted them; it never showed "0 orders".
func (b *tab) neverZeroBeforeRead(name string) {
	b.t.Helper()
	h := eval[[]string](b, `window.summaries`)
	if len(h) == 0 || h[0] != "loading: Loading…" || slices.ContainsFunc(h, func(s string) bool { return strings.Contains(s, ": 0 orders") }) {
		b.t.Errorf("%s: #orders-summary showed %q, want Loading… until the first read, never 0 orders of a session with orders", name, h)
	}
}

// Over plain HTTP the browser keeps six connections to the daemon for all
// its tabs. Six tabs on Orders share one tab's two streams: a stop from one
// of them reaches the daemon at once (streams per tab would hold every
// connection and the stop would give up after its time limit), and every
// tab shows the session stopped, with the orders ListOrders lists.
func TestSixTabsShareTheStreams(t *testing.T) {
	b := open(t)
	out, errOut, code := b.d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "100ms", "-o", "json")
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, errOut)
	}
	var started struct{ Session struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Session.ID == "" {
		t.Fatalf("start -o json: %v\n%s", err, out)
	}
	b.login()
	b.route("orders")
	all := []*tab{b}
	for range 5 {
		all = append(all, b.another("orders"))
	}
	for i, o := range all {
		o.waitFor(fmt.Sprintf("orders in tab %d", i), `+(document.getElementById("orders-summary").dataset.orders ?? 0) > 0`, 20*time.Second)
	}
	leaders := 0
	for i, o := range all {
		switch s := eval[string](o, `document.documentElement.dataset.streams`); s {
		case "leader":
			leaders++
		case "follower":
			if n := o.streamsOf(); n != 0 {
				t.Errorf("tab %d follows and opened %d streams", i, n)
			}
		default:
			t.Errorf("tab %d: data-streams %q", i, s)
		}
	}
	if leaders != 1 {
		t.Errorf("%d tabs lead, want one", leaders)
	}

	b.route("controls")
	b.run("deadline", chromedp.SetValue(chromedp.ID("stop-deadline"), "1"))
	b.confirm("stop")
	b.waitFor("the stop's answer", `document.getElementById("stop-error").textContent.trim() !== "" || /Stopped session/.test(document.getElementById("controls-result").textContent)`, 20*time.Second)
	if e := eval[string](b, `document.getElementById("stop-error").textContent.trim()`); e != "" {
		t.Fatalf("the stop failed: %s", e)
	}
	for i, o := range all {
		o.waitFor(fmt.Sprintf("STOPPED in tab %d", i), textIs("#session-state", "STOPPED"), 10*time.Second)
	}
	sameOrders(t, all[1:], started.Session.ID)
	for i, o := range all[1:] {
		o.neverZeroBeforeRead(fmt.Sprintf("tab %d", i+1))
	}
	var streams, statuses []int
	for _, o := range all {
		streams = append(streams, o.streamsOf())
		statuses = append(statuses, o.rpcs("GetStatus"))
	}
	t.Logf("streams opened per tab: %v; GetStatus calls per tab: %v", streams, statuses)
	b.shot("six tabs: the stopping tab")
	all[5].shot("six tabs: the last tab")
}

// The tab that holds the streams closes: another takes them over and
// resumes the order stream where the first left it, so no tab misses an
// order or shows one twice. Twice: once while the stream runs, once after
// no tab showed Orders for a while (the new leader resumes after the last
// event any tab saw, and the daemon replays the gap from its store).
func TestLeaderTabCloses(t *testing.T) {
	b := open(t)
	b.login()
	// This first tab owns the browser (closing it would close them all):
	// it steps aside, and the three others share the streams.
	b.p.AllowURL("about:blank")
	b.run("leave the page", chromedp.Navigate("about:blank"))
	rest := []*tab{b.another("orders"), b.another("orders"), b.another("orders")}
	out, errOut, code := b.d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "100ms",
		"--health-interval", "1s", "-o", "json")
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, errOut)
	}
	var started struct{ Session struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Session.ID == "" {
		t.Fatalf("start -o json: %v\n%s", err, out)
	}
	for i, o := range rest {
		o.waitFor(fmt.Sprintf("orders in tab %d", i), `+(document.getElementById("orders-summary").dataset.orders ?? 0) > 0`, 20*time.Second)
	}
	rest = closeLeader(t, rest)
	n := eval[int](rest[0], `+document.getElementById("orders-summary").dataset.orders`)
	rest[0].waitFor("more orders after the takeover", fmt.Sprintf(`+document.getElementById("orders-summary").dataset.orders > %d`, n), 20*time.Second)

	// No tab on Orders: the stream closes while the session trades on.
	for _, o := range rest {
		o.route("overview")
	}
	placed := `+document.getElementById("health-counts").textContent.split(" / ")[1]`
	n = eval[int](rest[0], placed)
	rest[0].waitFor("more orders placed while no tab shows them", fmt.Sprintf(`%s >= %d`, placed, n+5), 20*time.Second)
	rest = closeLeader(t, rest)
	rest[0].route("orders")
	if _, errOut, code := b.d.Ctl(t, "stop", "-o", "json"); code != 0 {
		t.Fatalf("stop: exit %d: %s", code, errOut)
	}
	sameOrders(t, rest, started.Session.ID)
}

// closeLeader closes the tab that leads and waits for another to lead;
// it returns the tabs left. The others opened no stream meanwhile.
func closeLeader(t *testing.T, tabs []*tab) []*tab {
	t.Helper()
	leader := -1
	for i, o := range tabs {
		if eval[string](o, `document.documentElement.dataset.streams`) == "leader" {
			if leader >= 0 {
				t.Errorf("tabs %d and %d both lead", leader, i)
			}
			leader = i
		}
	}
	if leader < 0 {
		t.Fatal("no tab leads")
	}
	if err := chromedp.Cancel(tabs[leader].ctx); err != nil {
		t.Fatalf("closing the leading tab: %v", err)
	}
	rest := slices.Delete(slices.Clone(tabs), leader, leader+1)
	before := make([]int, len(rest))
	for i, o := range rest {
		before[i] = o.streamsOf()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	next := -1
	for next < 0 && ctx.Err() == nil {
		for i, o := range rest {
			if eval[string](o, `document.documentElement.dataset.streams`) == "leader" {
				next = i
			}
		}
	}
	if next < 0 {
		t.Fatal("no tab took the lead after the leader closed")
	}
	for i, o := range rest {
		if i != next && o.streamsOf() != before[i] {
			t.Errorf("tab %d follows and opened %d streams", i, o.streamsOf()-before[i])
		}
	}
	return rest
}

// waitAcrossReload is waitFor for a page that reloads meanwhile (a poll
// ends with the document it ran in).
func (b *tab) waitAcrossReload(what, predicate string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate, chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		if ctx.Err() != nil || !strings.Contains(err.Error(), "navigated") && !strings.Contains(err.Error(), "context") {
			b.fail("waiting for "+what, err)
		}
	}
}

// A logout in one tab logs out every tab (they share the cookie), and each
// starts over so that nothing of the session stays on the page; a login in
// one logs them all in.
func TestLogoutAndLoginInEveryTab(t *testing.T) {
	b := open(t)
	b.login()
	all := []*tab{b, b.another("overview"), b.another("orders")}
	for _, o := range all {
		o.p.AllowRequest(func(r browsertest.Request) bool {
			return r.Status == 401 && r.URL == b.base+rpcPrefix+"GetStatus"
		})
		eval[bool](o, `window.sameDocument = true`)
	}
	all[1].run("log out", chromedp.Click(chromedp.ID("logout")))
	for i, o := range all {
		o.waitAcrossReload(fmt.Sprintf("the login form in tab %d", i), visible("#login-form")+` && window.sameDocument === undefined && `+connState("signed-out"))
		if !eval[bool](o, hidden("#dashboard")) {
			t.Errorf("tab %d shows the dashboard after the logout", i)
		}
	}
	all[1].shot("logged out")
	all[2].run("log in again", chromedp.SendKeys(chromedp.ID("token"), b.token), chromedp.Click(chromedp.ID("login-submit")))
	for i, o := range all {
		o.waitFor(fmt.Sprintf("tab %d logged in", i), `document.documentElement.dataset.ready === "true" && `+connState("live"), 20*time.Second)
	}
}

// leaderOf: the index of the one tab that leads (the test fails unless
// exactly one does).
func leaderOf(t *testing.T, tabs []*tab) int {
	t.Helper()
	leader := -1
	for i, o := range tabs {
		if eval[string](o, `document.documentElement.dataset.streams`) == "leader" {
			if leader >= 0 {
				t.Fatalf("tabs %d and %d both lead", leader, i)
			}
			leader = i
		}
	}
	if leader < 0 {
		t.Fatal("no tab leads")
	}
	return leader
}

// The browser freezes the leading tab (Chrome freezes background tabs:
// Page Lifecycle), which is told so (freeze) and hands the streams over at
// once to the tab on screen, rather than let it show old figures as live.
func TestFrozenLeaderHandsOver(t *testing.T) {
	stillLeader(t, func(o *tab) {
		if _, err := chromedp.Call(o.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateFrozen}); err != nil {
			t.Fatalf("freezing the leading tab: %v", err)
		}
	}, func(o *tab) {
		if _, err := chromedp.Call(o.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateActive}); err != nil {
			t.Fatalf("thawing the tab: %v", err)
		}
	})
}

// The leading tab stops running without warning (a busy or throttled
// tab; here its scripts are paused in the debugger): the tab on screen
// hears nothing of it, not even its beat, and takes the streams over.
func TestSilentLeaderLosesTheStreams(t *testing.T) {
	stillLeader(t, func(o *tab) {
		if _, err := chromedp.Call(o.ctx, debugger.Enable, debugger.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(o.ctx, debugger.Pause, cdp.Empty{}); err != nil {
			t.Fatalf("pausing the leading tab: %v", err)
		}
	}, func(o *tab) {
		if _, err := chromedp.Call(o.ctx, debugger.Resume, debugger.ResumeParams{}); err != nil {
			t.Fatalf("resuming the tab: %v", err)
		}
		if _, err := chromedp.Call(o.ctx, debugger.Disable, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	})
}

// stillLeader stops the leading one of two tabs on Orders (halt) while a
// session trades: the other must lead and list new orders. Restarted
// (resume), the old leader follows, one tab leads, and both list the
// orders ListOrders lists.
func stillLeader(t *testing.T, halt, resume func(*tab)) {
	b := open(t)
	b.login()
	b.p.AllowURL("about:blank")
	b.run("leave the page", chromedp.Navigate("about:blank"))
	two := []*tab{b.another("orders", ticksHistory), b.another("orders", ticksHistory)}
	out, errOut, code := b.d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "100ms",
		"--health-interval", "1s", "-o", "json")
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, errOut)
	}
	var started struct{ Session struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Session.ID == "" {
		t.Fatalf("start -o json: %v\n%s", err, out)
	}
	for i, o := range two {
		o.waitFor(fmt.Sprintf("orders in tab %d", i), `+(document.getElementById("orders-summary").dataset.orders ?? 0) > 0`, 20*time.Second)
	}
	l := leaderOf(t, two)
	old, other := two[l], two[1-l]
	halt(old)
	other.waitFor("the other tab to lead", `document.documentElement.dataset.streams === "leader"`, 15*time.Second)
	n := eval[int](other, `+document.getElementById("orders-summary").dataset.orders`)
	other.waitFor("more orders after the takeover", fmt.Sprintf(`+document.getElementById("orders-summary").dataset.orders > %d`, n), 15*time.Second)
	resume(old)
	old.waitFor("the old leader to follow", `document.documentElement.dataset.streams === "follower"`, 15*time.Second)
	if leaderOf(t, two) != 1-l {
		t.Error("the old leader leads again")
	}
	if _, errOut, code := b.d.Ctl(t, "stop", "-o", "json"); code != 0 {
		t.Fatalf("stop: exit %d: %s", code, errOut)
	}
	sameOrders(t, two, started.Session.ID)
	for i, o := range two {
		if h := eval[[]int](o, `window.ticks`); len(h) < 2 || !slices.IsSorted(h) {
			t.Errorf("tab %d showed the ticks %v: want several, each report newer than the last", i, h)
		}
	}
}

// ticksHistory records the tick count of every health report the page
// shows (window.ticks).
const ticksHistory = `window.ticks = [];
new MutationObserver(() => {
	const c = document.getElementById("health-counts");
	const n = c ? parseInt(c.textContent, 10) : NaN;
	if (!isNaN(n) && window.ticks[window.ticks.length - 1] !== n) window.ticks.push(n);
}).observe(document, {subtree: true, childList: true, characterData: true});`

// A tab on Orders that ends without a word (a crash, a freeze; here what
// it says as it closes is swallowed) is forgotten: the leader, not on Orders itself,
// closes the order stream rather than hold one of the browser's six
// connections to the daemon for nobody.
func TestSilentTabIsForgotten(t *testing.T) {
	b := open(t)
	b.login()
	mute := `const post = BroadcastChannel.prototype.postMessage;
BroadcastChannel.prototype.postMessage = function (m) { if (m.t !== "bye" && !(m.t === "shows" && !m.orders)) post.call(this, m); };`
	o := b.another("orders", mute)
	if leaderOf(t, []*tab{b, o}) != 0 {
		t.Fatal("the first tab does not lead")
	}
	b.waitFor("the order stream open for the other tab", `document.documentElement.dataset.orderStream === "open"`, 10*time.Second)
	if err := chromedp.Cancel(o.ctx); err != nil {
		t.Fatalf("closing the tab: %v", err)
	}
	b.waitFor("the order stream closed", `document.documentElement.dataset.orderStream === "closed"`, 15*time.Second)
}
