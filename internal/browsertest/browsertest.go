// Package browsertest drives headless Chromium for the browser tests (the
// backtest report's, the dashboard's): it finds the browser, starts one per
// test, fails the test on anything a person at the console would call
// broken (a console error, an exception, a refused request, a Content
// Security Policy violation, a request nobody expected), and writes
// screenshots as test artifacts.
//
// It is test support: nothing in the shipped binaries imports it, and it
// never starts a browser outside a test's lifetime.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's chromium ($CHROMIUM, then chromium or
// chromium-browser on PATH). Without it the test is skipped on a
// developer's machine and fails in CI (CI set, as .ci/run does), where
// .ci/run installs it.
func Chromium(t testing.TB) string {
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

// Artifacts is where screenshots go: $TEST_ARTIFACTS_DIR if set (created
// if missing), else the test's temporary directory.
func Artifacts(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("TEST_ARTIFACTS_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// New starts a headless Chromium with one tab for this test and returns
// the tab's context and the collector of its problems. The browser closes
// when the test ends; then every problem not taken (Problems.Take) fails
// the test. Until AllowURL is called, every request is unexpected.
func New(t testing.TB) (context.Context, *Problems) {
	t.Helper()
	exe := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.WindowSize(1280, 900))
	if os.Geteuid() == 0 {
		// Chromium refuses to sandbox itself as root (CI containers).
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	p := &Problems{requests: map[string]*Request{}}
	t.Cleanup(func() {
		// Closing the tab first lets the browser end its own way; then the
		// allocator waits for the process, so no goroutine of it outlives
		// the test (goleak).
		cancel()
		cancelAlloc()
		for _, s := range p.Take() {
			t.Error(s)
		}
	})
	// Start the browser and its tab before listening: Listen needs the tab.
	// Not under a timeout: the browser lives as long as this first call's
	// context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	if err := chromedp.Listen(ctx, p.event); err != nil {
		t.Fatal(err)
	}
	return ctx, p
}

var shots atomic.Int32

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Shot writes a full-page screenshot of the tab as web-NN-<step>.png in
// Artifacts: NN counts the shots of the whole test binary, so the files
// sort in the order the steps ran. A failed shot fails the test but does
// not stop it.
func Shot(t testing.TB, ctx context.Context, step string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %q: %v", step, err)
		return ""
	}
	name := fmt.Sprintf("web-%02d-%s.png", shots.Add(1), unsafeName.ReplaceAllString(step, "-"))
	path := filepath.Join(Artifacts(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %q: %v", step, err)
		return ""
	}
	t.Logf("screenshot: %s", path)
	return path
}

// NewTab opens one more tab in the browser of ctx (a context from New or
// NewTab), with its own collector of problems: tabs of one browser share
// its connections, cookies, locks and channels, as a person's tabs do.
// chromedp.Cancel on the returned context closes the tab; it closes
// anyway when the test ends, and then its problems not taken fail the test.
func NewTab(t testing.TB, browser context.Context) (context.Context, *Problems) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	p := &Problems{requests: map[string]*Request{}}
	t.Cleanup(func() {
		cancel()
		for _, s := range p.Take() {
			t.Error(s)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	if err := chromedp.Listen(ctx, p.event); err != nil {
		t.Fatal(err)
	}
	return ctx, p
}
