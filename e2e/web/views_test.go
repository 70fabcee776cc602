package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tradectl/tradectl/internal/browsertest"
)

// canvasDrawn: some canvas inside sel has pixels that are not all alike.
func canvasDrawn(sel string) string {
	return fmt.Sprintf(`[...(document.querySelector(%s)?.querySelectorAll("canvas") ?? [])].some(cv => {
		if (!cv.width || !cv.height) return false;
		const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
		for (let i = 4; i < d.length; i += 4)
			if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2] || d[i+3] !== d[3]) return true;
		return false;
	})`, js(sel))
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("%q is not a decimal", s)
	}
	return r
}

// rpcs counts the page's calls of one method so far.
func (b *tab) rpcs(method string) int {
	n := 0
	for _, r := range b.p.Requests() {
		if r.URL == b.base+rpcPrefix+method {
			n++
		}
	}
	return n
}

// dupIDs lists the ids that more than one element of the page has.
const dupIDs = `(ids => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))])([...document.querySelectorAll("[id]")].map(e => e.id))`

// count is the number of elements sel matches.
func (b *tab) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, js(sel)))
}

var (
	equityLabel   = regexp.MustCompile(`^Equity (-?[0-9.]+) USD at (\d\d:\d\d:\d\d)$`)
	drawdownLabel = regexp.MustCompile(`^Drawdown (-?[0-9.]+) USD below the peak of (-?[0-9.]+) USD at (\d\d:\d\d:\d\d); largest (-?[0-9.]+) USD$`)
)

// Account, History and Backtest as an operator uses them: the equity
// curve starts where the session started (the store's record, not the
// moment the page opened) and grows live, with the drawdown from the
// running peak; the portfolio is read only while Account is on screen;
// a past session shows its orders and fills; a backtest run from the form
// draws the report, a refused one says why at the field, and Cancel stops
// a long one.
func TestAccountHistoryBacktest(t *testing.T) {
	b := open(t)
	out, errOut, code := b.d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "100ms",
		"--health-interval", "1s", "-o", "json")
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, errOut)
	}
	var started struct {
		Session struct {
			ID        string
			StartTime time.Time `json:"start_time"`
		}
	}
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Session.ID == "" || started.Session.StartTime.IsZero() {
		t.Fatalf("start -o json: %v\n%s", err, out)
	}
	id := started.Session.ID
	b.login()
	// Let the store record the session's equity for a while, then open
	// Account afresh: a curve that began when the page opened would start
	// at least 12 s after the session did.
	b.waitFor("12 s of trading", `(+(document.getElementById("health-counts")?.textContent.split(" / ")[0] ?? 0)) >= 120`, 40*time.Second)
	b.run("reopen the page on Account", chromedp.Navigate(b.base+"/#account"), chromedp.Reload())
	b.waitFor("section #account", visible("section#account"), 20*time.Second)
	b.waitFor("the account's figures", `/ USD$/.test(document.getElementById("account-cash")?.textContent ?? "")`, 20*time.Second)
	b.waitFor("the recorded curve", `+(document.getElementById("equity-chart").dataset.points ?? 0) >= 2`, 20*time.Second)
	first := eval[int64](b, `+document.getElementById("equity-chart").dataset.first`)
	t.Logf("the curve begins at %d, the session at %d", first, started.Session.StartTime.Unix())
	if begin := started.Session.StartTime.Unix(); first > begin+6 {
		t.Errorf("the equity curve begins at %d, %d s after the session started (%d): not from the store's record", first, first-begin, begin)
	}
	points := eval[int](b, `+document.getElementById("equity-chart").dataset.points`)
	b.waitFor("a live point", fmt.Sprintf(`+document.getElementById("equity-chart").dataset.points > %d`, points), 20*time.Second)
	b.waitFor("both charts drawn", canvasDrawn("#equity-chart")+" && "+canvasDrawn("#drawdown-chart"), 10*time.Second)
	b.shot("account")

	// The drawdown is the running peak minus the equity, to the digit, at
	// the same point as the equity chart's.
	labels := eval[[]string](b, `["#equity-chart", "#drawdown-chart"].map(s => document.querySelector(s).getAttribute("aria-label"))`)
	eq, dd := equityLabel.FindStringSubmatch(labels[0]), drawdownLabel.FindStringSubmatch(labels[1])
	if eq == nil || dd == nil {
		t.Fatalf("chart labels %q: want the latest equity and drawdown in words", labels)
	}
	if diff := new(big.Rat).Sub(rat(t, dd[2]), rat(t, eq[1])); diff.Cmp(rat(t, dd[1])) != 0 || eq[2] != dd[3] {
		t.Errorf("drawdown %s USD at %s with peak %s USD, equity %s USD at %s: want peak − equity", dd[1], dd[3], dd[2], eq[1], eq[2])
	}
	if rat(t, dd[1]).Sign() < 0 {
		t.Errorf("negative drawdown %s", dd[1])
	}
	if rat(t, dd[4]).Cmp(rat(t, dd[1])) < 0 {
		t.Errorf("largest drawdown %s USD, less than the drawdown now, %s USD", dd[4], dd[1])
	}

	// Stopped, the session's account no longer moves: the page converges
	// on the same positions the CLI reads.
	if _, errOut, code := b.d.Ctl(t, "stop", "-o", "json"); code != 0 {
		t.Fatalf("stop: exit %d: %s", code, errOut)
	}
	out, errOut, code = b.d.Ctl(t, "portfolio", "-o", "json")
	if code != 0 {
		t.Fatalf("portfolio: exit %d: %s", code, errOut)
	}
	var pf struct {
		Portfolio struct {
			Equity    string
			Positions []struct{ Symbol, Quantity string }
		}
	}
	if err := json.Unmarshal([]byte(out), &pf); err != nil {
		t.Fatalf("portfolio -o json: %v\n%s", err, out)
	}
	var want []string
	for _, p := range pf.Portfolio.Positions {
		want = append(want, p.Symbol+" "+p.Quantity)
	}
	wantJSON, _ := json.Marshal(want)
	b.waitFor("the final account", fmt.Sprintf(`document.getElementById("account-equity").textContent === %s &&
		JSON.stringify([...document.querySelectorAll("#positions tbody tr")].map(r => r.dataset.symbol + " " + r.cells[1].textContent)) === %s`,
		js(pf.Portfolio.Equity+" USD"), js(string(wantOrEmpty(wantJSON)))), 20*time.Second)
	if n := b.rpcs("GetPortfolio"); n < 2 {
		t.Errorf("%d GetPortfolio calls while Account was shown, want it polled", n)
	}
	// The largest drawdown is the daemon's, from every tick (a trough
	// between two health reports counts): the figure GetEquityCurve and the
	// health report give, not one from the points this page happened to see.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := b.d.Client(t)
	curve, err := c.GetEquityCurve(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.GetStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if hm := st.GetHealth().GetMaxDrawdown(); hm != "" && rat(t, hm).Cmp(rat(t, curve.GetMaxDrawdown())) != 0 {
		t.Errorf("the health report's max drawdown %s, the equity curve's %s", hm, curve.GetMaxDrawdown())
	}
	if rat(t, curve.GetMaxDrawdown()).Sign() <= 0 {
		t.Fatalf("the session's largest drawdown is %q: nothing to compare", curve.GetMaxDrawdown())
	}
	b.waitFor("the daemon's largest drawdown", fmt.Sprintf(`(t => t.endsWith(" USD") && Number(t.slice(0, -4)) === Number(%s))(document.getElementById("account-max-drawdown").textContent)`,
		js(curve.GetMaxDrawdown())), 20*time.Second)

	// History: the session, opened, with the orders and fills the CLI lists.
	b.route("history")
	row := fmt.Sprintf(`#sessions tbody tr[data-session-id=%q]`, id)
	b.waitFor("the session's row", visible(row), 20*time.Second)
	b.run("open the session", chromedp.Click(chromedp.CSS(row+" .open-session")))
	b.waitFor("its detail", visible("#history-detail")+fmt.Sprintf(` && document.getElementById("history-detail").dataset.sessionId === %q`, id)+
		` && !/Reading/.test(document.getElementById("history-fills-note").textContent + document.getElementById("history-orders-note").textContent)`, 20*time.Second)
	// Counted a few round trips after Account was left: a read it had sent
	// just before is in by now.
	polled := b.rpcs("GetPortfolio")
	b.waitFor("its equity chart", canvasDrawn("#history-equity-chart"), 10*time.Second)
	b.shot("history")
	for _, c := range []struct{ cli, rows, key string }{
		{"orders", "#history-orders tbody tr[data-order-id]", "orders"},
		{"fills", "#history-fills tbody tr[data-order-id]", "fills"},
	} {
		out, errOut, code := b.d.Ctl(t, c.cli, "--session", id, "-o", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.cli, code, errOut)
		}
		var list map[string]json.RawMessage
		var items []json.RawMessage
		if err := json.Unmarshal([]byte(out), &list); err != nil || json.Unmarshal(list[c.key], &items) != nil {
			t.Fatalf("%s -o json: %v\n%s", c.cli, err, out)
		}
		if got, want := b.count(c.rows), min(len(items), 200); got != want || want == 0 {
			t.Errorf("History shows %d %s of session %s, the CLI lists %d (the page shows at most 200)", got, c.cli, id, len(items))
		}
	}
	if !strings.HasPrefix(eval[string](b, `document.getElementById("history-equity-chart").getAttribute("aria-label")`), "Equity ") {
		t.Error("the session's equity chart does not state its latest value")
	}

	// Backtest: a run drawn as the report draws it.
	b.route("backtest")
	b.waitFor("the strategies", `document.querySelectorAll("#backtest-form [name='backtest.settings.strategy'] option").length > 0`, 20*time.Second)
	b.fill("#backtest-form", "backtest.sim_duration", "30m")
	b.run("run a backtest", chromedp.Click(chromedp.ID("backtest-run")))
	b.waitFor("its report", `document.getElementById("backtest-result").dataset.state === "done"`, 60*time.Second)
	b.waitFor("its charts", canvasDrawn("#backtest-equity-chart")+` && +document.getElementById("backtest-result").dataset.markers > 0`, 10*time.Second)
	// Every chart keeps its TradingView attribution (the library's
	// license), and no id is on the page twice (the library gives every
	// logo one id).
	if dup := eval[[]string](b, dupIDs); len(dup) > 0 {
		t.Errorf("ids on the page more than once: %q", dup)
	}
	if n := b.count("a.tv-attr-logo"); n < 2 {
		t.Errorf("%d TradingView attribution links, want one per chart", n)
	}
	if rows := b.count("#backtest-summary tr"); rows < 5 {
		t.Errorf("the backtest's summary has %d rows", rows)
	}
	b.shot("backtest")

	// A parameter the daemon refuses: its reason at that parameter.
	refused := b.p.AllowRequest(func(r browsertest.Request) bool {
		return r.URL == b.base+rpcPrefix+"RunBacktest" && (r.Status == 400 || r.Failure != "")
	})
	b.fill("#backtest-form", "backtest.settings.params.levels", "0")
	b.run("run with levels 0", chromedp.Click(chromedp.ID("backtest-run")))
	b.waitFor("the refusal at the field", `document.getElementById("backtest-result").dataset.state === "failed"`+
		` && document.getElementById("err-backtest-settings-params-levels").textContent !== ""`+
		` && document.querySelector("[name='backtest.settings.params.levels']").getAttribute("aria-invalid") === "true"`, 30*time.Second)
	b.shot("backtest refused")

	// A long run, cancelled: the page says so and the button is back.
	b.fill("#backtest-form", "backtest.settings.params.levels", "5")
	b.fill("#backtest-form", "backtest.sim_duration", "24h")
	b.fill("#backtest-form", "backtest.settings.symbols", "BTC-USD,ETH-USD,SOL-USD")
	b.run("run a long backtest", chromedp.Click(chromedp.ID("backtest-run")))
	b.waitForChange("it running", `document.getElementById("backtest-result").dataset.state === "running"`, 10*time.Second)
	b.run("cancel it", chromedp.Click(chromedp.ID("backtest-cancel")))
	b.waitFor("the cancellation", `document.getElementById("backtest-result").dataset.state === "failed"`+
		` && /Cancelled/.test(document.getElementById("backtest-error").textContent) && !document.getElementById("backtest-run").disabled`, 30*time.Second)
	refused()

	if n := b.rpcs("GetPortfolio"); n != polled {
		t.Errorf("%d GetPortfolio calls while Account was not on screen, want none", n-polled)
	}
}

// wantOrEmpty: no positions is an empty list, not null.
func wantOrEmpty(b []byte) []byte {
	if string(b) == "null" {
		return []byte("[]")
	}
	return b
}
