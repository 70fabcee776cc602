package pythonsdk

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/remote"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
)

// TestPythonSMALockstepMatchesBuiltin runs examples/strategies/python/sma.py
// as a remote strategy of a real coordinator (matching engine, risk guard,
// portfolio, order book) in Lockstep, over loopback TCP, and the built-in
// sma in another on the same events: the two order books must be the same,
// order by order (side, quantity, state, filled).
func TestPythonSMALockstepMatchesBuiltin(t *testing.T) {
	py := python(t)
	const n = 4000
	s, err := remote.New(remote.Config{Name: "pysma", Mode: remote.Lockstep, Symbols: lockstepSymbols})
	if err != nil {
		t.Fatal(err)
	}
	reg := remote.NewRegistry()
	if err := reg.Register(s); err != nil {
		t.Fatal(err)
	}
	svc := remote.NewService(reg)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	tradingv1.RegisterStrategyServiceServer(srv, svc)
	go func() { _ = srv.Serve(lis) }()
	defer func() { srv.Stop(); svc.Wait() }()

	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("unused\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("..", "..", "examples", "strategies", "python", "sma.py"),
		"--target", lis.Addr().String(), "--token-file", token, "--name", "pysma",
		"--fast", "3", "--slow", "8", "--notional", "1000")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !s.Stats().Attached {
		if ctx.Err() != nil {
			t.Fatalf("sma.py never attached: %s", out.String())
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	got := backtestBook(t, s, lockstepWalk(n))
	elapsed := time.Since(start)
	s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "backtest over")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sma.py: %v\n%s", err, out.String())
	}
	sma, err := strategy.NewSMA(strategy.SMAConfig{Fast: 3, Slow: 8, Notional: money.FromInt(1000)})
	if err != nil {
		t.Fatal(err)
	}
	want := backtestBook(t, sma, lockstepWalk(n))
	if strings.Count(want, "\n") < 50 {
		t.Fatalf("too few orders to compare:\n%s", want)
	}
	if got != want {
		t.Fatalf("the Python sma's orders differ from the built-in's\n--- built-in\n%s--- python\n%s", want, got)
	}
	t.Logf("%d orders alike; %d events in %v through Python in lockstep", strings.Count(want, "\n"), n, elapsed)
}

var lockstepSymbols = []string{"BTC-USD", "ETH-USD"}

// lockstepWalk is n book events alternating between two symbols, a random
// walk from a fixed seed with an odd spread so that the mids round.
func lockstepWalk(n int) []market.Event {
	rng := rand.New(rand.NewPCG(7, 11))
	mid := int64(10_000_00)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	evs := make([]market.Event, n)
	for i := range evs {
		mid += rng.Int64N(401) - 200
		evs[i] = market.Event{Kind: market.EventBook, Symbol: lockstepSymbols[i%2], Time: t0.Add(time.Duration(i) * time.Second),
			Bid: money.FromUnits(mid*1e5 - 3), Ask: money.FromUnits(mid*1e5 + 4)}
	}
	return evs
}

// backtestBook runs evs through a coordinator driving s and returns its
// orders, one line each.
func backtestBook(t *testing.T, s strategy.Strategy, evs []market.Event) string {
	t.Helper()
	v, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	book := orders.NewBook("s1", math.MaxInt)
	cash := money.FromInt(100_000)
	src := sliceSource(evs)
	c, err := coordinator.New(coordinator.Config{OrderPrefix: "t", Source: &src, Venue: v, Strategy: s,
		Portfolio: portfolio.New("USD", cash), Risk: risk.New(risk.DefaultLimits(), cash), Orders: book})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	list, _ := book.List(false, 0)
	for _, o := range list {
		fmt.Fprintf(&sb, "%s %s %s %s %s %s\n", o.ClientID, o.Spec.Symbol, o.Spec.Side, o.Spec.Quantity, o.State, o.Filled)
	}
	return sb.String()
}

type sliceSource []market.Event

func (s *sliceSource) Next(_ context.Context, until time.Time) (market.Event, bool, error) {
	if len(*s) == 0 {
		return market.Event{}, false, io.EOF
	}
	ev := (*s)[0]
	if ev.Time.After(until) {
		return market.Event{}, false, nil
	}
	*s = (*s)[1:]
	return ev, true, nil
}
