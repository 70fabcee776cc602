package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// pythonWithGRPC is an interpreter with grpc and protobuf ($PYTHON, python3,
// Debian's /usr/bin/python3). Without one the test is skipped, except in CI
// (CI set, as .ci/run does), where it fails: .ci/run installs them.
func pythonWithGRPC(t *testing.T) string {
	t.Helper()
	candidates := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("PYTHON"); p != "" {
		candidates = []string{p}
	}
	for _, c := range candidates {
		if exec.Command(c, "-c", "import grpc, google.protobuf").Run() == nil {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no python3 with grpc and protobuf (apt-get install python3-grpcio python3-protobuf)")
	}
	t.Skip("no python3 with grpc and protobuf (apt-get install python3-grpcio python3-protobuf)")
	return ""
}

// The Python example strategy drives a paper session through the real
// daemon: the session waits for it (DEGRADED, naming it), its orders carry
// its tags, fill, and reconcile with the account to the last unit, and a
// stop ends the Python process cleanly with the session's reason.
func TestPythonStrategyTradesInPaper(t *testing.T) {
	py := pythonWithGRPC(t)
	d := startDaemon(t)
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--strategy", "remote:pysma",
		"--max-order-notional", "100000", "--latency", "150ms", "--tick-interval", "50ms"); code != 0 {
		t.Fatalf("start: %s", errOut)
	}
	harness.Eventually(t, 20*time.Second, "health saying the session waits for pysma", func() bool {
		out, _, code := d.Ctl(t, "status", "-o", "json")
		var st struct {
			Health struct{ Status, Reason string } `json:"health"`
		}
		return code == 0 && json.Unmarshal([]byte(out), &st) == nil &&
			st.Health.Status == "HEALTH_STATUS_DEGRADED" && strings.Contains(st.Health.Reason, "pysma")
	})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("..", "examples", "strategies", "python", "sma.py"),
		"--target", d.Addr, "--token-file", d.TokenFile(), "--name", "pysma",
		"--fast", "3", "--slow", "8", "--notional", "60000")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("sma.py:\n%s", stderr.String())
		}
	}()

	harness.Eventually(t, 90*time.Second, "three filled orders of pysma", func() bool {
		filled := 0
		for _, o := range ordersOf(t, d).GetOrders() {
			if o.GetTag() != "" && o.GetState() == tradingv1.OrderState_ORDER_STATE_FILLED {
				filled++
			}
		}
		return filled >= 3
	})
	if _, errOut, code := d.Ctl(t, "stop"); code != 0 {
		t.Fatalf("stop: %s", errOut)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred wait
		if err != nil {
			t.Fatalf("sma.py after the stop: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sma.py still runs 30s after the session stopped")
	}
	if !strings.Contains(stderr.String(), "session ended") {
		t.Errorf("sma.py did not say the session ended: %s", stderr.String())
	}

	list := ordersOf(t, d)
	out, _, code := d.Ctl(t, "portfolio", "-o", "json")
	if code != 0 {
		t.Fatal("portfolio failed")
	}
	var pr tradingv1.GetPortfolioResponse
	if err := protojson.Unmarshal([]byte(out), &pr); err != nil {
		t.Fatal(err)
	}
	n, err := harness.Reconcile(list, pr.GetPortfolio())
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's own tags: s<event sequence>.<decision index>, never repeated.
	tagRe, seen := regexp.MustCompile(`^s[0-9]+\.[0-9]+$`), map[string]bool{}
	for _, o := range list.GetOrders() {
		if !tagRe.MatchString(o.GetTag()) || seen[o.GetTag()] {
			t.Errorf("order %s has tag %q (want the SDK's, once)", o.GetClientOrderId(), o.GetTag())
		}
		seen[o.GetTag()] = true
	}
	t.Logf("%d orders of pysma, %d fills reconcile exactly", len(list.GetOrders()), n)
	d.Terminate(t)
}
