package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tradectl/tradectl/internal/browsertest"
)

// shownBeforeStatus arms a watch for predicate turning true in the page;
// the returned func waits for it and checks that it happened before any
// GetStatus that began after the method's call had answered had answered
// itself: the page showed the call's own answer, not only the next
// status read. (Resource Timing orders the events; no clock is compared
// with a bound.)
func (b *tab) shownBeforeStatus(method, what, predicate string) func() {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => {
		performance.setResourceTimingBufferSize(100000);
		window.shownAt = undefined;
		const done = () => { if (window.shownAt === undefined && (%[1]s)) { window.shownAt = performance.now(); return true; } return false; };
		const mo = new MutationObserver(() => { if (done()) mo.disconnect(); });
		mo.observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
		return true;
	})()`, predicate))
	return func() {
		b.t.Helper()
		b.waitFor(what, `window.shownAt !== undefined`, 20*time.Second)
		type order struct {
			Shown, CallEnd, NextStatusEnd float64
			Found                         bool
		}
		o := eval[order](b, fmt.Sprintf(`(() => {
			const es = performance.getEntriesByType("resource");
			const call = es.filter(e => e.name.endsWith(%s)).pop();
			if (!call) return {Found: false};
			const next = es.filter(e => e.name.endsWith("/GetStatus") && e.startTime >= call.responseEnd && e.responseEnd > 0).map(e => e.responseEnd);
			return {Found: true, Shown: window.shownAt, CallEnd: call.responseEnd, NextStatusEnd: next.length ? Math.min(...next) : -1};
		})()`, js("/"+method)))
		if !o.Found {
			b.t.Fatalf("no %s call in the page's resource timing", method)
		}
		if o.NextStatusEnd >= 0 && o.Shown >= o.NextStatusEnd {
			b.t.Errorf("%s: shown %.0f ms after %s answered, only after a later GetStatus (answered at +%.0f ms)",
				what, o.Shown-o.CallEnd, method, o.NextStatusEnd-o.CallEnd)
		}
	}
}

// A session the daemon's death interrupted: while the daemon is down the
// Overview says its values are not live; once it is back, a start from
// the page is refused with SESSION_INTERRUPTED and the page offers to
// resume that session, which, resumed from the page, runs again under
// its own id; interrupted again, it is abandoned from the page for a new
// session. A stop from the page can keep the orders open.
func TestResumeInterruptedFromThePage(t *testing.T) {
	b := open(t)
	b.login()
	b.startForm("grid", nil)
	b.confirm("start")
	b.waitFor("RUNNING", textIs("#session-state", "RUNNING")+
		` && /^[0-9a-f]+$/.test(document.getElementById("session-id").textContent.trim())`, 20*time.Second)
	id := eval[string](b, `document.getElementById("session-id").textContent.trim()`)
	b.route("overview")
	if !eval[bool](b, hidden("#overview-asof")+` && !document.querySelector("#overview [data-stale]")`) {
		t.Error("the Overview is marked stale while the connection is live")
	}

	// While the daemon is away, the page's calls fail: that is the test.
	back := b.allowDowntime()
	httpAddr, dataDir := b.d.HTTPAddr, b.d.DataDir
	b.d.Kill(t)
	b.waitFor("the lost connection", connState("lost"), 20*time.Second)
	b.waitFor("the Overview marked stale", visible("#overview-asof")+
		` && document.querySelectorAll("#overview [data-stale='true']").length > 0`+
		` && /as of \d\d:\d\d:\d\d/.test(document.getElementById("overview-asof").textContent)`, 10*time.Second)
	b.shot("daemon killed: overview stale")

	b.d = restart(t, httpAddr, dataDir)
	b.waitFor("the reconnection", connState("reconnected", "live"), 30*time.Second)
	back()
	b.waitFor("the Overview live again", hidden("#overview-asof")+` && !document.querySelector("#overview [data-stale]")`, 10*time.Second)
	b.waitFor("INTERRUPTED", textIs("#session-state", "INTERRUPTED"), 20*time.Second)

	// A new start is refused: the page names the reason and offers the
	// interrupted session.
	refused := b.p.AllowRequest(func(r browsertest.Request) bool {
		return r.Status == 400 && r.URL == b.base+rpcPrefix+"StartTrading"
	})
	b.route("controls")
	b.waitFor("the start form", `document.getElementById("start-form").dataset.loaded === "true"`, 20*time.Second)
	b.fill("#start-form", "settings.tick_interval", "100ms")
	b.confirm("start")
	b.waitFor("the refusal", `document.getElementById("start-error").textContent.includes("SESSION_INTERRUPTED")`, 20*time.Second)
	refused()
	b.waitFor("the offer to resume "+id, visible("#resume-session")+` && `+visible("#abandon-start")+
		fmt.Sprintf(` && document.getElementById("resume-session").textContent.includes(%s)`, js(id)), 10*time.Second)
	b.shot("interrupted: resume or abandon")

	b.confirm("resume-session")
	b.waitFor("RUNNING again", textIs("#session-state", "RUNNING"), 20*time.Second)
	if got := eval[string](b, `document.getElementById("session-id").textContent.trim()`); got != id {
		t.Errorf("session %q after the resume, want %q (the interrupted one)", got, id)
	}
	b.waitFor("the resume's result", fmt.Sprintf(`document.getElementById("controls-result").textContent.includes(%s)`, js("Resumed session "+id))+
		` && `+hidden("#interrupted"), 20*time.Second)
	b.shot("resumed")

	// Interrupted again: this time the page abandons it for a new session.
	back = b.allowDowntime()
	b.d.Kill(t)
	b.waitFor("the lost connection again", connState("lost"), 20*time.Second)
	b.d = restart(t, httpAddr, dataDir)
	b.waitFor("the reconnection again", connState("reconnected", "live"), 30*time.Second)
	back()
	b.waitFor("the offer for "+id+" again", visible("#abandon-start")+
		fmt.Sprintf(` && document.getElementById("resume-session").textContent.includes(%s)`, js(id)), 20*time.Second)
	b.confirm("abandon-start")
	b.waitFor("the abandon's result", fmt.Sprintf(`document.getElementById("controls-result").textContent.includes(%s)`, js("Abandoned session "+id))+
		` && `+hidden("#interrupted"), 20*time.Second)
	b.waitFor("a new session RUNNING", textIs("#session-state", "RUNNING")+
		fmt.Sprintf(` && (s => /^[0-9a-f]+$/.test(s) && s !== %s)(document.getElementById("session-id").textContent.trim())`, js(id)), 20*time.Second)
	if !strings.Contains(b.d.Log.String(), `\"abandonInterrupted\":true`) {
		t.Error("the start from the page did not ask to abandon the interrupted session (abandon_interrupted)")
	}
	b.shot("abandoned for a new session")

	// Stop, keeping the orders open: the daemon is asked to keep them. (The
	// Overview's STOPPED comes from the stop's answer as the reset's does in
	// TestKillSwitchFromThePage, but the stop's health report sets off a
	// GetStatus at the same moment, so the order cannot be told here.)
	b.run("keep the orders", chromedp.Click(chromedp.ID("stop-keep-orders")))
	b.confirm("stop")
	b.waitFor("STOPPED", textIs("#session-state", "STOPPED")+
		` && document.getElementById("session-reason").textContent.includes("stopped by request")`, 20*time.Second)
	if !strings.Contains(b.d.Log.String(), "stop keeps open orders at the venue") {
		t.Error("the stop from the page did not keep the open orders (keep_open_orders)")
	}
}

// The Orders view follows the session: a new session that has sent no
// order yet (hold never trades) shows no rows of the one before.
func TestOrdersFollowTheSession(t *testing.T) {
	b := open(t)
	b.login()
	ctl := func(args ...string) {
		t.Helper()
		if _, errOut, code := b.d.Ctl(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	ctl("start", "--paper", "--strategy", "grid", "--tick-interval", "100ms", "--health-interval", "200ms")
	b.route("orders")
	b.waitFor("the grid's orders", orderRows+" > 0", 20*time.Second)
	ctl("stop")
	ctl("start", "--paper", "--strategy", "hold", "--tick-interval", "100ms", "--health-interval", "200ms")
	st, err := b.d.Client(t).GetStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := st.GetSession().GetId()
	b.waitFor("the new session's empty tables", orderRows+" === 0 && "+fillRows+" === 0"+
		fmt.Sprintf(` && document.getElementById("orders-summary").textContent.includes(%s)`, js(id)), 20*time.Second)
	b.shot("orders of a session without orders")
}
