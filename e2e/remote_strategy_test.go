package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// The Go example strategy trades a paper session through the real daemon,
// is killed with SIGKILL mid-session (the session stops taking orders from
// it at once, says so in health, and keeps running), comes back, carries on
// from the snapshot, and ends cleanly with the session: every order and
// fill of both its lives reconciles with the account to the last unit.
func TestRemoteStrategyTradesAndSurvivesItsOwnDeath(t *testing.T) {
	sma := smaExample(t)
	d := startDaemon(t)
	c := d.Client(t)
	ctlOK(t, d, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--strategy", "remote:gosma",
		"--max-order-notional", "100000", "--tick-interval", "20ms", "--health-interval", "200ms")
	waitStrategy(t, c, "health saying the session waits for gosma", degradedSaying(`waiting for strategy "gosma"`))

	args := []string{"--addr", d.Addr, "--token-file", d.TokenFile(), "--name", "gosma",
		"--fast", "2", "--slow", "4", "--notional", "60000"}
	first := startProcess(t, sma, args...)
	waitStrategy(t, c, "the strategy component healthy once gosma attached", healthy)
	harness.Eventually(t, 60*time.Second, "two filled orders of gosma", func() bool {
		return len(filledTagged(listOrders(t, c))) >= 2
	})

	first.kill9(t)
	killed := time.Now()
	waitStrategy(t, c, "health saying gosma detached", degradedSaying(`strategy "gosma" detached`))
	t.Logf("health said gosma detached %s after the SIGKILL", time.Since(killed).Round(time.Millisecond))
	waitTicks(t, c, 5) // ListOrders reads the store, which commits a tick's orders after the tick
	before := listOrders(t, c)
	// 50 ticks with no client: the loop runs on (its market moves, the
	// example would have traded several times) and creates no order.
	waitTicks(t, c, 50)
	if after := listOrders(t, c); len(after) != len(before) {
		t.Fatalf("%d orders before the pause after the detach, %d after: orders without a strategy", len(before), len(after))
	}
	if st := getStatus(t, c); st.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("the session did not wait for a re-attach: %v", st.GetSession())
	}

	second := startProcess(t, sma, args...)
	waitStrategy(t, c, "the strategy component healthy once gosma attached again", healthy)
	harness.Eventually(t, 60*time.Second, "new filled orders from the restarted gosma", func() bool {
		return len(filledTagged(listOrders(t, c))) >= len(filledTagged(before))+2
	})

	ctlOK(t, d, "stop")
	if !second.wait(30 * time.Second) {
		t.Fatal("the example still runs 30s after the session stopped")
	}
	if second.err != nil {
		t.Fatalf("the example after the stop: %v", second.err)
	}

	list, err := c.ListOrders(rpcCtx(t), false, 10000)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := c.GetPortfolio(rpcCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	n, err := harness.Reconcile(list, pr.GetPortfolio())
	if err != nil {
		t.Fatal(err)
	}
	// The example tags an order after the event it answers: sequences go
	// on across re-attachments, so no tag repeats across its two lives.
	tagRe, seen := regexp.MustCompile(`^sma-[0-9]+$`), map[string]bool{}
	for _, o := range list.GetOrders() {
		if !tagRe.MatchString(o.GetTag()) || seen[o.GetTag()] {
			t.Errorf("order %s has tag %q (want the example's, once)", o.GetClientOrderId(), o.GetTag())
		}
		seen[o.GetTag()] = true
	}
	t.Logf("%d orders (%d before the kill), %d fills reconcile exactly", len(list.GetOrders()), len(before), n)
	d.Terminate(t)
}

func filledTagged(orders []*tradingv1.Order) []*tradingv1.Order {
	var out []*tradingv1.Order
	for _, o := range orders {
		if o.GetTag() != "" && o.GetState() == tradingv1.OrderState_ORDER_STATE_FILLED {
			out = append(out, o)
		}
	}
	return out
}

// A session whose strategy never attaches ends by itself once the grace
// passes, saying which strategy it waited for and how long; the name is
// then free, and nobody can attach to the ended session.
func TestRemoteStrategyGraceEndsTheSession(t *testing.T) {
	d := startDaemon(t)
	c := d.Client(t)
	ctlOK(t, d, "start", "--paper", "--strategy", "remote:latecomer", "--attach-grace", "1s", "--tick-interval", "20ms")
	var sess *tradingv1.Session
	harness.Eventually(t, 30*time.Second, "the session to end", func() bool {
		sess = getStatus(t, c).GetSession()
		return sess.GetState() != tradingv1.SessionState_SESSION_STATE_RUNNING
	})
	if sess.GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED ||
		sess.GetReason() != `strategy "latecomer" did not attach within 1s` {
		t.Fatalf("session ended %s, reason %q; want STOPPED naming the strategy and the grace", sess.GetState(), sess.GetReason())
	}
	if _, err := attachRaw(t, d, "latecomer", true); reasonOf(err) != tradingv1.ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED {
		t.Fatalf("attaching after the session ended: %v; want STRATEGY_NOT_EXPECTED", err)
	}
	d.Terminate(t)
}

// A backtest driving the example through `tradectl backtest --strategy
// remote:NAME` is deterministic (twice the same bytes) and makes the very
// trades of the built-in sma with the same parameters on the same data.
func TestRemoteBacktestIsDeterministicAndMatchesTheBuiltin(t *testing.T) {
	sma := smaExample(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data.csv")
	gen := exec.Command("go", "run", "./scripts/gendata", "-o", data, "-events", "6000", "-symbols", "BTC-USD,ETH-USD,SOL-USD")
	gen.Dir = ".."
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gendata: %v\n%s", err, out)
	}
	token := writeToken(t)
	params := []string{"fast=2", "slow=4", "notional=1000"}
	builtin := backtest(t, token, "--data", data, "--strategy", "sma", "--param", params[0], "--param", params[1],
		"--param", params[2])
	// Both runs listen on the same port, so that their stderr may be
	// byte-identical too, but for the events/s line.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := lis.Addr().String()
	lis.Close()
	remote := func() ([]byte, []byte) {
		return remoteBacktest(t, sma, token, data, listen, "--fast", "2", "--slow", "4", "--notional", "1000")
	}
	out1, err1 := remote()
	out2, err2 := remote()
	if !bytes.Equal(out1, out2) || !bytes.Equal(stripRate(err1), stripRate(err2)) {
		t.Fatalf("two remote backtests differ:\n%s\n%s\n---\n%s\n%s", out1, err1, out2, err2)
	}
	var b, r struct {
		Events int
		Trades []map[string]any
	}
	if err := json.Unmarshal(builtin, &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out1, &r); err != nil {
		t.Fatal(err)
	}
	if len(b.Trades) < 50 || r.Events != b.Events {
		t.Fatalf("built-in: %d trades of %d events, remote: %d events; want a busy run over the same data", len(b.Trades), b.Events, r.Events)
	}
	if !reflect.DeepEqual(b.Trades, r.Trades) {
		t.Fatalf("the remote sma's %d trades differ from the built-in's %d", len(r.Trades), len(b.Trades))
	}
	t.Logf("%d trades over %d events, the same from the built-in and twice from the example", len(b.Trades), b.Events)
}

func backtest(t *testing.T, token string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(filepath.Join(bins, "tradectl"), append([]string{"--token-file", token, "backtest", "-o", "json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tradectl backtest: %v\n%s", err, stderr.String())
	}
	return out
}

var attachAtRe = regexp.MustCompile(`attach at (\S+)`)

// remoteBacktest runs a remote backtest of the example over data and
// returns tradectl's stdout and stderr: the example attaches at the
// address tradectl prints.
func remoteBacktest(t *testing.T, sma, token, data, listen string, smaArgs ...string) ([]byte, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bins, "tradectl"), "--token-file", token, "backtest", "-o", "json",
		"--data", data, "--strategy", "remote:btsma", "--symbols", "BTC-USD,ETH-USD,SOL-USD", "--strategy-listen", listen)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); pw.Close() }()
	var stderr bytes.Buffer
	addr := make(chan string, 1)
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			stderr.Write(append(sc.Bytes(), '\n'))
			if m := attachAtRe.FindSubmatch(sc.Bytes()); m != nil {
				addr <- string(m[1])
			}
		}
	}()
	var p *process
	select {
	case a := <-addr:
		p = startProcess(t, sma, append([]string{"--addr", a, "--token-file", token, "--name", "btsma"}, smaArgs...)...)
	case err := <-exited:
		<-read
		t.Fatalf("tradectl backtest ended before the strategy attached: %v\n%s", err, stderr.String())
	case <-ctx.Done():
		t.Fatal("tradectl backtest never said where to attach")
	}
	err := <-exited
	<-read
	if err != nil {
		t.Fatalf("tradectl backtest: %v\n%s", err, stderr.String())
	}
	if !p.wait(30*time.Second) || p.err != nil {
		t.Fatalf("the example after the backtest: exited %v, %v", p.done, p.err)
	}
	return stdout.Bytes(), stderr.Bytes()
}
