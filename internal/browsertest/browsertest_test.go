package browsertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const badJS = `
console.error("boom");
setTimeout(() => { throw new Error("thrown on purpose"); });
Promise.all([fetch("/missing"), fetch("/allowed-missing")]).then(() => { window.done = true; });
`

func page(mux *http.ServeMux, path, csp, body string) {
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		if csp != "" {
			w.Header().Set("Content-Security-Policy", csp)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html><head><link rel=icon href=\"data:,\"></head><body>" + body + "</body></html>"))
	})
}

// The collector sees each kind of problem a page can have, lets through
// what a test allowed, and finds nothing on a clean page: without this,
// a browser test that "found no problem" could be blind.
func TestProblemsSeeWhatIsWrong(t *testing.T) {
	mux := http.NewServeMux()
	page(mux, "/csp", "default-src 'self'; img-src data:", `<p>inline script refused</p><script>document.title = "ran";</script>`)
	page(mux, "/bad", "", `<script src="/bad.js"></script><img alt="" src="http://localhost:1/elsewhere.png">`)
	page(mux, "/clean", "default-src 'self'; img-src data:", `<p id="ok">fine</p><script src="/clean.js"></script>`)
	mux.HandleFunc("/bad.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(badJS))
	})
	mux.HandleFunc("/clean.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(`document.documentElement.dataset.done = "true";`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, p := New(t)
	p.AllowURL(srv.URL + "/")
	p.AllowURL("data:")
	p.AllowRequest(func(r Request) bool { return strings.HasSuffix(r.URL, "/allowed-missing") && r.Status == 404 })
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	// Problems are reported by events that may trail the page's own
	// progress: poll for them rather than read once.
	wait := func(want ...string) []string {
		t.Helper()
		var got []string
		for {
			got = append(got, p.Take()...)
			all := strings.Join(got, "\n")
			missing := false
			for _, w := range want {
				missing = missing || !strings.Contains(all, w)
			}
			if !missing {
				return got
			}
			select {
			case <-wctx.Done():
				t.Fatalf("problems %q, want each of %q", got, want)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}

	if err := chromedp.Do(wctx, chromedp.Navigate(srv.URL+"/csp")); err != nil {
		t.Fatal(err)
	}
	wait("inline script violates the following Content Security Policy")

	if err := chromedp.Do(wctx, chromedp.Navigate(srv.URL+"/bad"),
		chromedp.Poll[chromedp.Void]("window.done === true")); err != nil {
		t.Fatal(err)
	}
	got := wait("console.error: boom", "thrown on purpose", "HTTP 404 Not Found for GET "+srv.URL+"/missing",
		"unexpected request: GET http://localhost:1/elsewhere.png")
	if all := strings.Join(got, "\n"); strings.Contains(all, "allowed-missing") {
		t.Errorf("an allowed failure was reported: %s", all)
	}
	if shot := Shot(t, ctx, "bad page"); !strings.HasSuffix(shot, "-bad-page.png") {
		t.Errorf("screenshot at %q", shot)
	} else if st, err := os.Stat(shot); err != nil || st.Size() == 0 || filepath.Ext(shot) != ".png" {
		t.Errorf("screenshot %s: %v", shot, err)
	}

	if err := chromedp.Do(wctx, chromedp.Navigate(srv.URL+"/clean"),
		chromedp.WaitReady(chromedp.CSS(`html[data-done="true"]`))); err != nil {
		t.Fatal(err)
	}
	// Left over from /bad (the failed image may report late), none from
	// /clean: only problems naming /clean would count.
	for _, s := range p.Take() {
		if strings.Contains(s, "/clean") {
			t.Errorf("a clean page has a problem: %s", s)
		}
	}
	var sawClean bool
	for _, r := range p.Requests() {
		sawClean = sawClean || (r.URL == srv.URL+"/clean.js" && r.Status == 200)
	}
	if !sawClean {
		t.Errorf("requests %v lack GET /clean.js 200", p.Requests())
	}
}
