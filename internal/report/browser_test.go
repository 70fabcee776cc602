package report

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/browsertest"
	"github.com/tradectl/tradectl/internal/replay"
	"github.com/tradectl/tradectl/internal/settings"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sampleResult runs the shipped sample through the sma strategy.
func sampleResult(t *testing.T) *backtest.Result {
	t.Helper()
	f, err := os.Open("../../testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := replay.Open(f, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := settings.Settings{Mode: settings.ModePaper, Strategy: "sma", Params: map[string]string{"fast": "10", "slow": "30"}}
	r, err := backtest.Run(t.Context(), backtest.Config{Source: src, Settings: s, Chart: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Trades) == 0 {
		t.Fatal("the sample run traded nothing: no markers to check")
	}
	return r
}

// TestReportInBrowser opens a written report in headless Chromium from
// file://, waits for it to draw, and checks what a person would see: every
// chart drawn, one marker per trade, the summary's rows as the table
// prints them; no console error, and no request but the file itself.
func TestReportInBrowser(t *testing.T) {
	ctx, problems := browsertest.New(t)
	r := sampleResult(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	fileURL := (&url.URL{Scheme: "file", Path: path}).String()

	// The file itself and nothing else: a report opens with no network.
	problems.AllowURL(fileURL)

	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := chromedp.Do(wctx, chromedp.Navigate(fileURL),
		chromedp.WaitReady(chromedp.CSS(`html[data-rendered="true"]`))); err != nil {
		t.Fatalf("the page did not render: %v (problems: %v)", err, problems.Take())
	}

	// Every chart has a canvas with something drawn on it: not all of its
	// pixels alike.
	drawn, err := chromedp.Run(wctx, chromedp.Evaluate[[]bool](`[...document.querySelectorAll('.chart')].map(c =>
		[...c.querySelectorAll('canvas')].some(cv => {
			if (!cv.width || !cv.height) return false;
			const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
			for (let i = 4; i < d.length; i += 4)
				if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2] || d[i+3] !== d[3]) return true;
			return false;
		}))`))
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + len(r.Chart.Prices); len(drawn) != want {
		t.Errorf("%d charts, want %d (equity and one per symbol)", len(drawn), want)
	}
	for i, ok := range drawn {
		if !ok {
			t.Errorf("chart %d: no canvas with anything drawn", i)
		}
	}

	// Every chart keeps its TradingView attribution (the library's license),
	// and no id is on the page twice (the library gives every logo one id).
	ids, err := chromedp.Run(wctx, chromedp.Evaluate[map[string]int](`({
		dup: (ids => ids.length - new Set(ids).size)([...document.querySelectorAll("[id]")].map(e => e.id)),
		logos: document.querySelectorAll("a.tv-attr-logo").length})`))
	if err != nil {
		t.Fatal(err)
	}
	if ids["dup"] != 0 {
		t.Errorf("%d ids on the page more than once", ids["dup"])
	}
	if want := 1 + len(r.Chart.Prices); ids["logos"] != want {
		t.Errorf("%d TradingView attribution links, want %d (one per chart)", ids["logos"], want)
	}

	markers, err := chromedp.Run(wctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll('.chart[data-symbol]')].map(c => [c.dataset.symbol, c.dataset.markers]))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	perSymbol := map[string]int{}
	for _, tr := range r.Trades {
		perSymbol[tr.Symbol]++
	}
	for _, s := range r.Chart.Prices {
		want[s.Symbol] = fmt.Sprint(perSymbol[s.Symbol])
	}
	if !reflect.DeepEqual(markers, want) {
		t.Errorf("markers per symbol %v, want the trades %v", markers, want)
	}

	rows, err := chromedp.Run(wctx, chromedp.Evaluate[[]backtest.SummaryRow](`[...document.querySelectorAll('#summary tr')].map(tr =>
		({label: tr.querySelector('th').textContent, value: tr.querySelector('td').textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows, r.Summary()) {
		t.Errorf("table %v\nwant the summary %v", rows, r.Summary())
	}

	browsertest.Shot(t, ctx, "backtest-report")
}
