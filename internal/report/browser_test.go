package report

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/replay"
	"github.com/tradectl/tradectl/internal/settings"
)

// chromium finds Debian's chromium. Without it the browser test is skipped
// on a developer's machine, and fails in CI (CI set, as .ci/run does),
// where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium (apt-get install chromium; or CHROMIUM=path)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifacts is where screenshots go: $TEST_ARTIFACTS_DIR if set, else the
// test's temporary directory.
func artifacts(t *testing.T) string {
	if d := os.Getenv("TEST_ARTIFACTS_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

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
	exe := chromium(t)
	r := sampleResult(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	fileURL := (&url.URL{Scheme: "file", Path: path}).String()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1200, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser and its tab
		t.Fatal(err)
	}

	var mu sync.Mutex
	var problems []string
	problem := func(format string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problem("console.%s: %s", ev.Type, strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			desc := ""
			if d.Exception != nil {
				desc = d.Exception.Description
			}
			problem("exception: %s %s at %d:%d", d.Text, desc, d.LineNumber, d.ColumnNumber)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problem("log: %s %s", ev.Entry.Text, ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			if ev.Request.URL != fileURL {
				problem("network request: %s", ev.Request.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := chromedp.Do(wctx, chromedp.Navigate(fileURL),
		chromedp.WaitReady(chromedp.CSS(`html[data-rendered="true"]`))); err != nil {
		t.Fatalf("the page did not render: %v (problems: %v)", err, problems)
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

	shot, err := chromedp.Run(wctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(artifacts(t), "backtest-report.png")
	if err := os.WriteFile(png, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", png)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
}
