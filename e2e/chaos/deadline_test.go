//go:build chaos

package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// blockForever starts a session whose 5th tick never returns (within the
// test), and waits until it is stuck there.
func blockForever(t *testing.T, args ...string) (*harness.Daemon, func() *tradingv1.GetStatusResponse) {
	t.Helper()
	d, c := daemon(t, "tick:block@5/1h", args...)
	start(t, c, settings(50*time.Millisecond, time.Second, false))
	harness.Eventually(t, 20*time.Second, "four ticks", func() bool {
		return status(t, c).GetSession().GetSummary().GetTicks() == 4
	})
	time.Sleep(200 * time.Millisecond) // the 5th tick (every 50ms) has begun and blocks
	if n := status(t, c).GetSession().GetSummary().GetTicks(); n != 4 {
		t.Fatalf("ticks = %d: the 5th tick did not block", n)
	}
	return d, func() *tradingv1.GetStatusResponse { return status(t, c) }
}

// `stop --deadline 100ms` with a loop that never returns: tradectl answers
// by the deadline, exits 7, and names the loop; the session ended FAILED
// with the reason and its end recorded.
func TestStopDeadlineWithALoopThatNeverReturns(t *testing.T) {
	d, status := blockForever(t)
	began := time.Now()
	_, errOut, code := d.Ctl(t, "stop", "--deadline", "100ms")
	t.Logf("tradectl stop --deadline 100ms returned in %s (process start included)", time.Since(began).Round(time.Millisecond))
	if code != 7 || !strings.Contains(errOut, "not STOPPED, after --deadline 100ms") || !strings.Contains(errOut, "still running in tradingd: coordinator") {
		t.Fatalf("exit %d, stderr %q: want 7 naming the coordinator", code, errOut)
	}
	harness.Eventually(t, 10*time.Second, "the session to end", func() bool {
		return status().GetSession().GetState() == tradingv1.SessionState_SESSION_STATE_FAILED
	})
	if r := status().GetSession().GetReason(); !strings.Contains(r, "did not stop within 100ms: coordinator") {
		t.Fatalf("reason = %q", r)
	}
	if n := d.Log.Count(`msg="session ended"`); n != 1 {
		t.Errorf("%d session ended lines", n)
	}
}

// SIGTERM with --stop-timeout 200ms and a loop that never returns: the
// daemon's stop is bounded by it, and the loop goes down with the process
// as in a crash: the next start finds the session INTERRUPTED, to resume
// or abandon (recorded FAILED, it could be neither).
func TestSigtermStopIsBoundedByStopTimeout(t *testing.T) {
	d, current := blockForever(t, "--stop-timeout", "200ms", "--shutdown-timeout", "1s")
	id := current().GetSession().GetId()
	took := d.Terminate(t)
	t.Logf("tradingd exited %s after SIGTERM with a stuck loop and --stop-timeout 200ms", took.Round(time.Millisecond))
	if n := d.Log.Count(`msg="session ended"`); n != 1 {
		t.Errorf("%d session ended lines", n)
	}
	if n := d.Log.Count("could not record the session's end"); n != 0 {
		t.Errorf("the end was not recorded:\n%s", d.Log.String())
	}
	again := harness.StartDaemon(t, bins, harness.Options{DataDir: d.DataDir})
	defer again.Terminate(t)
	if s := status(t, again.Client(t)).GetSession(); s.GetId() != id || s.GetState() != tradingv1.SessionState_SESSION_STATE_INTERRUPTED {
		t.Fatalf("after the restart: session %s %s; want %s INTERRUPTED", s.GetId(), s.GetState(), id)
	}
}
