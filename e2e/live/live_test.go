package live

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venueemu"
)

// Symbols every live test trades.
const symbols = "BTC-USD,ETH-USD"

// startVenue runs the rehearsal venue for symbols with a fast market (a
// step of 20 ms) and an order-count limit wide enough for a busy grid,
// and returns it with the balances it opened with.
func startVenue(t *testing.T, keys string, seed string, args ...string) (*harness.Emulator, map[string]money.Decimal) {
	t.Helper()
	emu := harness.StartEmulator(t, bins, keys, append([]string{"--symbols", symbols, "--seed", seed, "--step", "20ms",
		"--balances", "USDT=100000", "--orders-per-10s", "400"}, args...)...)
	return emu, holdings(emu.Ledger(t))
}

// holdings are an account's balances, free plus locked, per asset.
func holdings(l venueemu.Ledger) map[string]money.Decimal {
	out := map[string]money.Decimal{}
	for a, b := range l.Balances {
		out[a] = b.Free.Add(b.Locked)
	}
	return out
}

// startLive starts a live session with tradectl (no --paper) and returns
// its id; tradectl must first have shown where it trades.
func startLive(t *testing.T, d *harness.Daemon, args ...string) string {
	t.Helper()
	out, errOut, code := d.Ctl(t, append([]string{"start", "-o", "json", "--symbols", symbols, "--tick-interval", "10ms",
		"--health-interval", "200ms"}, args...)...)
	if code != 0 {
		t.Fatalf("tradectl start %v: exit %d: %s%s", args, code, out, errOut)
	}
	if !strings.Contains(errOut, "LIVE session on binance emulator") {
		t.Errorf("tradectl start did not show the venue first: %q", errOut)
	}
	return sessionID(t, out)
}

func sessionID(t *testing.T, out string) string {
	t.Helper()
	var resp struct{ Session struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &resp); err != nil || resp.Session.ID == "" {
		t.Fatalf("no session id in %q: %v", out, err)
	}
	return resp.Session.ID
}

// waitFills waits until the running session has at least n fills.
func waitFills(t *testing.T, c *client.Client, n uint64, timeout time.Duration) {
	t.Helper()
	var last uint64
	harness.Eventually(t, timeout, "fills of the live session", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := c.GetStatus(ctx)
		if err != nil {
			t.Fatalf("status: %v", err)
		}
		last = st.GetSession().GetSummary().GetFills()
		return last >= n
	})
}

// stopLive stops the running session with tradectl: it must end STOPPED,
// every order settled at the venue.
func stopLive(t *testing.T, d *harness.Daemon) {
	t.Helper()
	out, errOut, code := d.Ctl(t, "stop")
	if code != 0 || !strings.Contains(out, "STOPPED") {
		t.Fatalf("tradectl stop: exit %d: %s%s", code, out, errOut)
	}
}

// A live session trades sma, then another trades grid, on the rehearsal
// venue; both stop. The venue's record and tradingd's store then agree
// order by order and fill by fill, no client order id reached the venue
// twice, and the venue's balances moved by exactly what the portfolios
// hold.
func TestLiveSessionsAgreeWithTheVenue(t *testing.T) {
	keys := harness.WriteVenueKeys(t, "e2e-live-key", "e2e-live-secret")
	emu, opening := startVenue(t, keys, "11")
	d := harness.StartDaemon(t, bins, harness.Options{Args: harness.LiveArgs(emu.URL, keys)})
	c := d.Client(t)

	sma := startLive(t, d, "--strategy", "sma", "--param", "fast=2", "--param", "slow=4", "--param", "notional=500")
	waitFills(t, c, 6, 60*time.Second)
	stopLive(t, d)
	grid := startLive(t, d, "--strategy", "grid", "--param", "spacing_bps=1", "--param", "levels=3")
	waitFills(t, c, 20, 60*time.Second)
	stopLive(t, d)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := checkAgreement(t, ctx, c, emu.Ledger(t), opening, []string{sma, grid})
	if n.venueOrders == 0 || n.fills == 0 {
		t.Fatalf("nothing traded at the venue: %+v", n)
	}
	t.Logf("sma then grid: %d orders stored, %d at the venue, %d fills: the venue and the store agree", n.orders, n.venueOrders, n.fills)
	d.Terminate(t)
}
