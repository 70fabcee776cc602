package webbench

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/browsertest"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// BenchmarkDashboardFirstRender opens the dashboard in headless Chromium
// against a real tradingd on loopback, a paper grid trading at a 100 ms
// tick, logged in (the cookie set once, as after the login form), with the
// browser's cache off, so that every iteration is a first visit: the page,
// its script and style fetched, the first GetStatus and health stream
// answered, the Overview drawn. An iteration ends when the page says it
// rendered its first data (html[data-ready="true"]); ns/op is that time
// as the benchmark sees it, CDP included. The page's own figures, medians
// over the iterations: first-render-ms (data-first-render-ms, from the
// navigation's start), nav-response-ms (the document's last byte),
// nav-dcl-ms (DOMContentLoaded ended), nav-load-ms (load ended).
// Goal: first render under 1 s. Run it with -benchtime 10x.
func BenchmarkDashboardFirstRender(b *testing.B) {
	exe := browsertest.Chromium(b) // skipped without it, failed in CI
	d := harness.StartDaemon(b, built.Get(b), harness.Options{HTTP: "127.0.0.1:0"})
	defer d.Terminate(b)
	base := "http://" + d.HTTPAddr
	tok := token(b, d)
	if _, err := d.Client(b).StartTrading(b.Context(), &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER,
		Strategy: "grid", Symbols: []string{"BTC-USD", "ETH-USD"}, TickInterval: durationpb.New(100 * time.Millisecond)}); err != nil {
		b.Fatal(err)
	}
	ck := login(b, &http.Client{}, base, tok)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1200, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // the browser and its tab
		b.Fatal(err)
	}
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value,
		URL: base + "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteStrict}); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		b.Fatal(err)
	}

	type timing struct {
		FirstRender         string  `json:"firstRender"`
		Response, DCL, Load float64 // ms from the navigation's start
	}
	var first, resp, dcl, load []float64
	for b.Loop() {
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(wctx, chromedp.Navigate(base+"/"),
			chromedp.Poll[chromedp.Void](`document.documentElement.dataset.ready === "true"`,
				chromedp.WithPollingMutation()))
		if err != nil {
			wcancel()
			b.Fatalf("the dashboard did not render: %v", err)
		}
		b.StopTimer()
		t, err := chromedp.Run(wctx, chromedp.Evaluate[timing](`(() => {
			const n = performance.getEntriesByType("navigation")[0];
			return {firstRender: document.documentElement.dataset.firstRenderMs,
				Response: n.responseEnd, DCL: n.domContentLoadedEventEnd, Load: n.loadEventEnd};
		})()`))
		wcancel()
		if err != nil {
			b.Fatal(err)
		}
		fr, err := strconv.ParseFloat(t.FirstRender, 64)
		if err != nil {
			b.Fatalf("data-first-render-ms %q: %v", t.FirstRender, err)
		}
		first, resp, dcl, load = append(first, fr), append(resp, t.Response), append(dcl, t.DCL), append(load, t.Load)
		b.StartTimer()
	}
	b.ReportMetric(median(first), "first-render-ms")
	b.ReportMetric(median(resp), "nav-response-ms")
	b.ReportMetric(median(dcl), "nav-dcl-ms")
	b.ReportMetric(median(load), "nav-load-ms")
}
