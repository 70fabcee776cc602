package live

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// envInt reads a positive integer from the environment, else def.
func envInt(name string, def uint64) uint64 {
	if n, err := strconv.ParseUint(os.Getenv(name), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// A busy live grid on the rehearsal venue; tradingd is killed with SIGKILL
// at random moments, half of them just after an order request reached the
// venue (LIVE_TORTURE_KILLS, default 10; the seed is printed,
// LIVE_TORTURE_SEED replays the choices), restarted on the same data directory and
// the session resumed with tradectl each time, while the venue keeps
// matching its resting orders. After the last resume a clean stop, and
// then the venue's record and the store must agree as after an
// uninterrupted run: no order the venue holds is missing from the store,
// no client order id reached the venue twice, every venue trade is stored
// once, and the balances moved by exactly what the portfolio holds.
func TestLiveKill9Torture(t *testing.T) {
	kills := int(envInt("LIVE_TORTURE_KILLS", 10))
	seed := envInt("LIVE_TORTURE_SEED", uint64(time.Now().UnixNano()))
	t.Logf("seed %d (LIVE_TORTURE_SEED=%d replays the kill moments), %d kills", seed, seed, kills)
	rng := rand.New(rand.NewPCG(seed, 13))

	keys := harness.WriteVenueKeys(t, "e2e-torture-key", "e2e-torture-secret")
	// Every resume reconnects and reconciles (exchangeInfo, account, depth
	// snapshots, open orders, trades): a restart every half second spends
	// the venue's request weight (6,000 a minute) far faster than a real
	// daemon, and with 40 kills the resume is refused for it, as it should
	// be. The weight budget is not what this test is about.
	emu, opening := startVenue(t, keys, strconv.FormatUint(seed%1000+1, 10), "--weight-limit", "100000")
	dir := t.TempDir()
	if keep := os.Getenv("LIVE_TORTURE_KEEP"); keep != "" { // for a post-mortem of a failure
		dir = keep
	}
	args := harness.LiveArgs(emu.URL, keys)
	d := harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: args})
	addr := d.Addr
	id := startLive(t, d, "--strategy", "grid", "--param", "spacing_bps=1", "--param", "levels=3")
	for i := range kills {
		if i > 0 {
			d = harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: append([]string{"--listen", addr}, args...)})
			checkInterrupted(t, d, id, i)
			resumeLive(t, d, id, i)
		}
		time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
		if rng.IntN(2) == 0 {
			// Half the kills land just after an order reached the venue:
			// when an order not yet committed would be lost.
			afterNextRequest(t, emu)
		}
		d.Kill(t)
	}
	d = harness.StartDaemon(t, bins, harness.Options{DataDir: dir, Args: append([]string{"--listen", addr}, args...)})
	checkInterrupted(t, d, id, kills)
	resumeLive(t, d, id, kills)
	c := d.Client(t)
	waitFills(t, c, 1, 30*time.Second)
	stopLive(t, d)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := emu.Ledger(t)
	n := checkAgreement(t, ctx, c, l, opening, []string{id})
	if n.fills == 0 {
		t.Fatalf("nothing filled: %+v", n)
	}
	s, err := c.ListSessions(ctx, 10)
	if err != nil || len(s.GetSessions()) != 1 || s.GetSessions()[0].GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("after the stop: %v %v", s, err)
	}
	t.Logf("%d kills: %d orders stored, %d at the venue (%d requests), %d fills: the venue and the store agree",
		kills, n.orders, n.venueOrders, len(l.Requests), n.fills)
	d.Terminate(t)
}

// afterNextRequest returns as soon as the venue has received one more
// order request than now (or after 5 s of none).
func afterNextRequest(t *testing.T, emu *harness.Emulator) {
	t.Helper()
	n := len(emu.Ledger(t).Requests)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if len(emu.Ledger(t).Requests) > n {
			return
		}
	}
}

// resumeLive resumes the interrupted session with tradectl after restart
// i: it must be the same session, and running.
func resumeLive(t *testing.T, d *harness.Daemon, id string, restart int) {
	t.Helper()
	out, errOut, code := d.Ctl(t, "start", "--resume", "-o", "json")
	if code != 0 {
		t.Fatalf("restart %d: tradectl start --resume: exit %d: %s%s", restart, code, out, errOut)
	}
	if got := sessionID(t, out); got != id || !strings.Contains(out, "SESSION_STATE_RUNNING") {
		t.Fatalf("restart %d: resumed %s, want %s running: %s", restart, got, id, out)
	}
}

// checkInterrupted checks, after restart i and before the resume, that
// the session is INTERRUPTED and its stored books reconcile to the last
// unit: every order's fills add up to it, and cash, fees and positions
// are what the stored fills say.
func checkInterrupted(t *testing.T, d *harness.Daemon, id string, restart int) {
	t.Helper()
	c := d.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := c.ListSessions(ctx, 1)
	if err != nil || len(s.GetSessions()) != 1 || s.GetSessions()[0].GetState() != tradingv1.SessionState_SESSION_STATE_INTERRUPTED {
		t.Fatalf("restart %d: sessions %v %v", restart, s, err)
	}
	list, err := c.ListOrders(ctx, false, 1_000_000, client.ForSession(id))
	if err != nil {
		t.Fatalf("restart %d: orders: %v", restart, err)
	}
	p, err := c.GetPortfolio(ctx, client.ForSession(id))
	if err != nil {
		t.Fatalf("restart %d: portfolio: %v", restart, err)
	}
	if _, err := harness.Reconcile(list, p.GetPortfolio()); err != nil {
		t.Fatalf("restart %d: the stored books do not reconcile: %v", restart, err)
	}
}
