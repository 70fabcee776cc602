package main

import (
	"os"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// runAsked runs tradectl with stdin reading answer, a terminal or not.
func (h *harness) runAsked(answer string, terminal bool, args ...string) (code int, stdout, stderr string) {
	var out, errOut e2e.SyncBuffer
	args = append([]string{"--addr", testAddr, "--token-file", h.tokenFile}, args...)
	code = runWithInput(h.t.Context(), args, input{r: strings.NewReader(answer), terminal: terminal}, &out, &errOut,
		[]grpc.DialOption{grpc.WithContextDialer(h.dial)})
	return code, out.String(), errOut.String()
}

func (h *harness) started() bool {
	h.fake.mu.Lock()
	defer h.fake.mu.Unlock()
	return h.fake.startReq != nil
}

var production = &tradingv1.GetVenueResponse{Configured: true, Venue: "binance", Environment: "production", Production: true,
	Account: "uid 7 SPOT", QuoteAsset: "USDT"}

var allLimits = []string{"--max-order-notional", "500", "--max-position", "0.01", "--max-open-orders", "4",
	"--max-orders-per-second", "2", "--max-drawdown", "0.05", "--max-trailing-drawdown", "0.03"}

// On a production venue tradectl shows what will trade and starts only
// after a yes typed on a terminal, or with --yes.
func TestLiveStartOnProductionAsks(t *testing.T) {
	args := append([]string{"start", "--symbols", "BTC-USD,ETH-USD"}, allLimits...)

	h := newHarness(t)
	h.fake.venue = production
	code, _, errOut := h.runAsked("", false, args...)
	if code != 12 || h.started() || !strings.Contains(errOut, "--yes") {
		t.Fatalf("no terminal, no --yes: exit %d, started %v, stderr %q", code, h.started(), errOut)
	}
	for _, want := range []string{"binance production", "PRODUCTION", "uid 7 SPOT", "BTC-USD, ETH-USD", "USDT",
		"order notional 500", "trailing drawdown 0.03"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the summary does not show %q:\n%s", want, errOut)
		}
	}

	code, _, errOut = h.runAsked("no\n", true, args...)
	if code != 12 || h.started() {
		t.Fatalf("answered no: exit %d, started %v, stderr %q", code, h.started(), errOut)
	}
	code, _, errOut = h.runAsked("yes\n", true, args...)
	if code != 0 || !h.started() || h.fake.settings.GetMode() != tradingv1.Mode_MODE_LIVE || !strings.Contains(errOut, "Type yes") {
		t.Fatalf("answered yes: exit %d, started %v, stderr %q", code, h.started(), errOut)
	}

	h = newHarness(t)
	h.fake.venue = production
	if code, _, errOut := h.runAsked("", false, append(args, "--yes")...); code != 0 || !h.started() ||
		strings.Contains(errOut, "Type yes") {
		t.Fatalf("--yes: exit %d, started %v, stderr %q", code, h.started(), errOut)
	}
}

// A testnet venue is shown but not asked about; a daemon without a venue
// refuses as it always did; an unreachable venue has its own exit code.
func TestLiveStartElsewhere(t *testing.T) {
	h := newHarness(t)
	h.fake.venue = &tradingv1.GetVenueResponse{Configured: true, Venue: "binance", Environment: "testnet", QuoteAsset: "USDT"}
	code, out, errOut := h.runAsked("", false, "start")
	if code != 0 || !h.started() || !strings.Contains(errOut, "binance testnet") || strings.Contains(errOut, "Type yes") ||
		!strings.Contains(errOut, "tradingd's defaults") || strings.Contains(out, "binance") {
		t.Fatalf("testnet: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	h = newHarness(t)
	if code, _, errOut := h.runAsked("", false, "start"); code != 6 || !strings.Contains(errOut, "live trading is not available") {
		t.Fatalf("no venue: exit %d, %q", code, errOut)
	}

	h = newHarness(t)
	h.fake.venue = &tradingv1.GetVenueResponse{Configured: true, Venue: "binance", Environment: "testnet"}
	h.fake.liveErr = withInfo(codes.Unavailable, "the venue is unavailable: binance testnet: -2015 Invalid API-key",
		tradingv1.ErrorReason_ERROR_REASON_VENUE_UNAVAILABLE)
	code, _, errOut = h.runAsked("", false, "start")
	if code != 13 || !strings.Contains(errOut, "-2015") || strings.Contains(errOut, "is tradingd running") {
		t.Fatalf("venue unavailable: exit %d, %q", code, errOut)
	}
}

// The null device is a character device but no terminal: a production
// start under cron or systemd (stdin /dev/null) is refused for want of a
// terminal, not asked to type yes.
func TestNullDeviceIsNoTerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatal("the null device was taken for a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(r) {
		t.Fatal("a pipe was taken for a terminal")
	}
}
