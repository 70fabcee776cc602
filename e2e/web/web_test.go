// Package web tests the dashboard the way its user meets it: the real
// tradingd (built with -race) serving the page to headless Chromium,
// driven by what a person clicks and reads, against the DOM contract the
// views keep (ids and data- attributes; see web/src/dashboard).
//
// Every test fails on a console error, an uncaught exception, a Content
// Security Policy violation, a request off the daemon's origin, or a
// refused request it did not provoke (internal/browsertest); and none may
// find the daemon's token in a URL, in document.cookie or in the daemon's
// log. Screenshots of each step are written as web-NN-<step>.png to
// $TEST_ARTIFACTS_DIR (else the test's temporary directory).
package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/browsertest"
)

var bins string

func TestMain(m *testing.M) {
	code := harness.RunWithBinaries(m, &bins, "-race")
	// The browsers and daemons are gone with their tests: so is every
	// goroutine that watched them.
	if err := goleak.Find(); code == 0 && err != nil {
		fmt.Fprintln(os.Stderr, "goleak:", err)
		code = 1
	}
	os.Exit(code)
}

const rpcPrefix = "/trading.v1.TradingService/"

// tab is one dashboard in one browser, on one daemon.
type tab struct {
	t     *testing.T
	d     *harness.Daemon
	ctx   context.Context
	p     *browsertest.Problems
	base  string // http://127.0.0.1:PORT
	token string
	// signedOut withdraws the allowance for the 401 the page's first
	// GetStatus gets before the login (that is how it knows to ask).
	signedOut func()
}

// open starts a daemon serving the dashboard and a browser on its page,
// and waits for the login form.
func open(t *testing.T) *tab {
	t.Helper()
	browsertest.Chromium(t) // skip (or fail in CI) before starting a daemon for nothing
	d := harness.StartDaemon(t, bins, harness.Options{HTTP: "127.0.0.1:0"})
	if d.HTTPAddr == "" {
		t.Fatalf("no http_addr in the serving line:\n%s", d.Log)
	}
	tok, err := os.ReadFile(d.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	b := &tab{t: t, d: d, base: "http://" + d.HTTPAddr, token: strings.TrimSpace(string(tok))}
	b.ctx, b.p = browsertest.New(t)
	b.p.AllowURL(b.base + "/")
	b.p.AllowURL("data:") // the page's empty icon
	b.signedOut = b.p.AllowRequest(func(r browsertest.Request) bool {
		return r.Status == 401 && r.URL == b.base+rpcPrefix+"GetStatus"
	})
	// Registered after the browser's: runs before it closes, while its
	// record of requests is complete.
	t.Cleanup(b.tokenNowhere)
	b.run("open the page", chromedp.Navigate(b.base+"/"))
	b.waitFor("the login form", visible("#login-form"), 20*time.Second)
	return b
}

// tokenNowhere: the daemon's token is in no URL the page asked for, and
// not in the daemon's log.
func (b *tab) tokenNowhere() {
	for _, r := range b.p.Requests() {
		if strings.Contains(r.URL, b.token) {
			b.t.Errorf("the token is in a URL: %s %s", r.Method, strings.ReplaceAll(r.URL, b.token, "<token>"))
		}
	}
	if strings.Contains(b.d.Log.String(), b.token) {
		b.t.Error("the token is in the daemon's log")
	}
}

// run runs browser steps under a deadline; a failure screenshots the page.
func (b *tab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

func (b *tab) fail(what string, err error) {
	b.t.Helper()
	browsertest.Shot(b.t, b.ctx, "failed-"+what)
	b.t.Fatalf("%s: %v\nproblems so far: %q", what, err, b.p.Take())
}

// waitFor polls a JavaScript predicate in the page until it is true.
func (b *tab) waitFor(what, predicate string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))); err != nil {
		b.fail("waiting for "+what, err)
	}
}

// waitForChange is waitFor on every DOM change: for a state the page may
// show only briefly.
func (b *tab) waitForChange(what, predicate string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(timeout))); err != nil {
		b.fail("waiting for "+what, err)
	}
}

// eval reads a value from the page.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail("evaluating "+expr, err)
	}
	return v
}

func (b *tab) shot(step string) { browsertest.Shot(b.t, b.ctx, step) }

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// visible: the element exists and takes up room on the page (not hidden,
// not in a hidden section).
func visible(sel string) string {
	return fmt.Sprintf(`(e => !!e && e.getClientRects().length > 0)(document.querySelector(%s))`, js(sel))
}

func hidden(sel string) string {
	return fmt.Sprintf(`(e => !!e && e.getClientRects().length === 0)(document.querySelector(%s))`, js(sel))
}

func textIs(sel, want string) string {
	return fmt.Sprintf(`document.querySelector(%s)?.textContent.trim() === %s`, js(sel), js(want))
}

func connState(states ...string) string {
	q, _ := json.Marshal(states)
	return fmt.Sprintf(`%s.includes(document.getElementById("conn-status")?.dataset.state)`, q)
}

// login types the token into the form, as its owner would, and waits for
// the first data render.
func (b *tab) login() {
	b.t.Helper()
	b.run("log in", chromedp.SendKeys(chromedp.ID("token"), b.token), chromedp.Click(chromedp.ID("login-submit")))
	b.waitFor("the first render after the login", `document.documentElement.dataset.ready === "true"`, 20*time.Second)
	b.waitFor("the live connection", connState("live"), 20*time.Second)
	b.signedOut()
	// HttpOnly: the page's script cannot read the cookie that holds it.
	if c := eval[string](b, "document.cookie"); c != "" {
		b.t.Errorf("document.cookie = %q, want nothing readable (HttpOnly)", c)
	}
}

// route follows a navigation link, as a click would.
func (b *tab) route(name string) {
	b.t.Helper()
	b.run("open "+name, chromedp.Click(chromedp.ID("nav-"+name)))
	b.waitFor("section #"+name, visible("section#"+name), 10*time.Second)
}

// fill sets a form field by its API field path, firing the events a
// person's typing or choosing would.
func (b *tab) fill(form, name, value string) {
	b.t.Helper()
	ok := eval[bool](b, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s + " [name=" + CSS.escape(%s) + "]");
		if (!e) return false;
		e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, js(form), js(name), js(value)))
	if !ok {
		b.fail("fill "+name, fmt.Errorf("no field [name=%q] in %s", name, form))
	}
}

// confirm clicks a control, then OK in the confirmation dialog it opens.
func (b *tab) confirm(button string) {
	b.t.Helper()
	b.run("click #"+button, chromedp.Click(chromedp.ID(button)))
	b.waitFor("the confirmation", `document.getElementById("confirm")?.open === true`, 10*time.Second)
	b.run("confirm", chromedp.Click(chromedp.ID("confirm-ok")))
	b.waitFor("the dialog to close", `document.getElementById("confirm")?.open === false`, 10*time.Second)
}
