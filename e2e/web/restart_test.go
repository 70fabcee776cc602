package web

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/browsertest"
)

// softTB turns the harness's Fatal into an error the caller can retry on.
type softTB struct {
	testing.TB
	msg string
}

type softFatal struct{}

func (s *softTB) Fatal(args ...any) { s.msg = fmt.Sprint(args...); panic(softFatal{}) }
func (s *softTB) Fatalf(format string, args ...any) {
	s.msg = fmt.Sprintf(format, args...)
	panic(softFatal{})
}

func tryStart(t *testing.T, o harness.Options) (d *harness.Daemon, err error) {
	s := &softTB{TB: t}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(softFatal); !ok {
				panic(r)
			}
			err = errors.New(s.msg)
		}
	}()
	return harness.StartDaemon(s, bins, o), nil
}

// restart starts tradingd again on the dashboard's former address (the
// page's origin, and its cookie's) and data directory (so the same
// token). Another program may take the port in between: try again a
// few times.
func restart(t *testing.T, httpAddr, dataDir string) *harness.Daemon {
	t.Helper()
	for attempt := 1; ; attempt++ {
		d, err := tryStart(t, harness.Options{HTTP: httpAddr, DataDir: dataDir})
		if err == nil {
			if d.HTTPAddr != httpAddr {
				t.Fatalf("restarted on %s, want %s", d.HTTPAddr, httpAddr)
			}
			return d
		}
		if attempt == 3 || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("restarting on %s (attempt %d): %v", httpAddr, attempt, err)
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
}

// allowDowntime allows the failures of the page's calls while the daemon
// is away: those of every request sent before back is called (Chromium may
// report a stream cut by the daemon's end only later).
func (b *tab) allowDowntime() (back func()) {
	var cutoff atomic.Int64
	cutoff.Store(math.MaxInt64)
	b.p.AllowRequest(func(r browsertest.Request) bool {
		return (r.Failure != "" || r.Status >= 500) && int64(r.N) < cutoff.Load()
	})
	return func() { cutoff.Store(int64(len(b.p.Requests()))) }
}

const healthCounts = `document.getElementById("health-counts")?.textContent`

// The page outlives a daemon restart: it says the connection is lost,
// then that it is back, and shows live data again with no reload and no
// new login (the cookie still holds the same token).
func TestReconnectsAfterRestart(t *testing.T) {
	b := open(t)
	b.login()
	start := func() {
		t.Helper()
		if _, errOut, code := b.d.Ctl(t, "start", "--paper", "--tick-interval", "100ms", "--health-interval", "200ms", "--abandon-interrupted"); code != 0 {
			t.Fatalf("start: exit %d: %s", code, errOut)
		}
	}
	start()
	b.waitFor("RUNNING", textIs("#session-state", "RUNNING"), 20*time.Second)
	live := func(what string) {
		t.Helper()
		c := eval[string](b, healthCounts)
		b.waitFor(what, healthCounts+" !== "+js(c), 20*time.Second)
	}
	live("health reports")
	old := eval[string](b, `document.getElementById("session-id").textContent.trim()`)
	eval[bool](b, `window.sameDocument = true`)
	b.shot("before the restart")

	// While the daemon is away, the page's calls fail: that is the test.
	// Chromium may report a stream cut by the shutdown only later, so the
	// allowance covers every request sent before the page reconnected.
	back := b.allowDowntime()
	httpAddr, dataDir := b.d.HTTPAddr, b.d.DataDir
	b.d.Terminate(t)
	b.tokenNowhere() // this daemon's log is complete now
	b.waitFor("the lost connection", connState("lost"), 20*time.Second)
	if txt := eval[string](b, `document.getElementById("conn-status").textContent`); !strings.Contains(strings.ToLower(txt), "lost") {
		t.Errorf("conn-status says %q while the daemon is down", txt)
	}
	b.shot("daemon down")

	b.d = restart(t, httpAddr, dataDir)
	b.waitFor("the reconnection", connState("reconnected", "live"), 30*time.Second)
	if st := eval[string](b, `document.getElementById("conn-status").dataset.state`); st != "reconnected" {
		t.Errorf("conn-status data-state %q after the restart, want reconnected", st)
	}
	back()
	start()
	b.waitFor("the new session", `(id => id !== "" && id !== "—" && id !== `+js(old)+`)(document.getElementById("session-id").textContent.trim())`, 20*time.Second)
	b.waitFor("RUNNING again", textIs("#session-state", "RUNNING"), 20*time.Second)
	live("health reports after the restart")
	if !eval[bool](b, `window.sameDocument === true`) {
		t.Error("the page reloaded")
	}
	if !eval[bool](b, hidden("#login")) {
		t.Error("the page asks for a login again after the restart")
	}
	b.shot("after the restart")
}
