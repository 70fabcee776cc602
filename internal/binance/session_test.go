package binance

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// sessFake plays every part of a session; each part is a small type over
// it so that the session sees them as distinct.
type sessFake struct {
	mu        sync.Mutex
	calls     []string
	resolved  []string
	rules     map[string]Rules
	syncErr   error
	reconErr  error
	marketErr error
	views     chan View
	connect   chan struct{}
	onConnect func()
	running   atomic.Int32
	cantTrade bool
}

func newSessFake() *sessFake {
	return &sessFake{rules: vRules(), views: make(chan View, 64), connect: make(chan struct{})}
}

func (f *sessFake) note(c string) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func (f *sessFake) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

type (
	fClock       struct{ *sessFake }
	fMarket      struct{ *sessFake }
	fUser        struct{ *sessFake }
	fSend        struct{ *sessFake }
	fRecon       struct{ *sessFake }
	fAPI         struct{ *sessFake }
	fVenueHealth string
)

// wait blocks a part's Run until its context ends, counting the Runs in
// progress so that a test sees whether Close waited for them.
func (f *sessFake) wait(ctx context.Context) error {
	f.running.Add(1)
	defer f.running.Add(-1)
	<-ctx.Done()
	time.Sleep(time.Millisecond) // a part that takes a moment to stop
	return nil
}

func (f fClock) Sync(context.Context) error    { f.note("sync"); return f.syncErr }
func (f fClock) Run(ctx context.Context) error { return f.wait(ctx) }
func (f fClock) Health(time.Time) Health       { return Health{Name: "clock", Level: Healthy} }
func (f fMarket) Synced(string) bool           { return true }
func (f fMarket) Health(time.Time) Health      { return Health{Name: "market_data", Level: Healthy} }
func (f fUser) Health(time.Time) Health        { return Health{Name: "user_stream", Level: Healthy} }
func (f fSend) Run(ctx context.Context) error  { return f.wait(ctx) }
func (f fSend) Place(OrderRequest) bool        { f.note("place"); return true }
func (f fSend) Cancel(_, _ string) bool        { return true }
func (h fVenueHealth) Health(time.Time) Health { return Health{Name: string(h), Level: Healthy} }
func (f fRecon) Health(time.Time) Health       { return Health{Name: "reconcile", Level: Healthy} }
func (f fAPI) ServerTime(context.Context) (time.Time, error) {
	return time.Time{}, errors.New("unused")
}

func (f fMarket) Next(_ context.Context, until time.Time) (market.Event, bool, error) {
	return market.Event{Kind: market.EventHeartbeat, Time: until}, true, nil
}

func (f fMarket) Run(ctx context.Context) error {
	if f.marketErr != nil {
		return f.marketErr
	}
	return f.wait(ctx)
}

// Run calls onConnect at once, as a stream that connects does, and again
// on every value on connect (a reconnect).
func (f fUser) Run(ctx context.Context) error {
	f.running.Add(1)
	defer f.running.Add(-1)
	f.onConnect()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-f.connect:
			f.onConnect()
		}
	}
}

func (f fSend) Resolve(_, id string) {
	f.mu.Lock()
	f.resolved = append(f.resolved, id)
	f.mu.Unlock()
	f.note("resolve")
}

func (f fRecon) Reconcile(_ context.Context, v View) error {
	f.note("reconcile")
	select {
	case f.views <- v:
	default:
	}
	return f.reconErr
}

func (f fAPI) ExchangeInfo(context.Context, []string) (map[string]Rules, []RateLimit, error) {
	f.note("exchangeInfo")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rules, nil, nil
}

func (f fAPI) Account(context.Context) (Account, error) {
	f.note("account")
	return Account{UID: 42, Type: "SPOT", MakerBps: 7, TakerBps: 9, CanTrade: !f.cantTrade,
		Balances: []Balance{{Asset: "USDT", Free: vdec("1000"), Locked: vdec("5")}, {Asset: "BTC", Free: vdec("0.5")}}}, nil
}

func (f fAPI) Depth(context.Context, string, int) (DepthSnapshot, error) {
	return DepthSnapshot{}, errors.New("unused")
}
func (f fAPI) Place(context.Context, OrderRequest) (OrderUpdate, error) {
	return OrderUpdate{}, errors.New("unused")
}
func (f fAPI) Query(context.Context, string, string) (OrderUpdate, error) {
	return OrderUpdate{}, errors.New("unused")
}
func (f fAPI) Cancel(context.Context, string, string) (OrderUpdate, error) {
	return OrderUpdate{}, errors.New("unused")
}
func (f fAPI) OpenOrders(context.Context, string) ([]OrderUpdate, error) {
	return nil, errors.New("unused")
}
func (f fAPI) MyTrades(context.Context, string, int64, int64) ([]Trade, error) {
	return nil, errors.New("unused")
}

func (f *sessFake) build(_ SessionConfig, _ Sink, onConnect func()) (parts, error) {
	f.onConnect = onConnect
	return parts{API: fAPI{f}, Clock: fClock{f}, Market: fMarket{f}, UserStream: fUser{f}, Sender: fSend{f},
		VenueHealth: fVenueHealth("venue"), Reconciler: fRecon{f}}, nil
}

func sessConfig() SessionConfig {
	return SessionConfig{Config: Config{Endpoints: EmulatorEndpoints("http://127.0.0.1:1"),
		Keys: Keys{APIKey: NewSecret("k"), Secret: NewSecret("s")}}, SessionID: "s1", Symbols: []string{vBTC, "ETH-USD"}}
}

func openFake(t *testing.T, f *sessFake, mut func(*SessionConfig)) (*Session, error) {
	t.Helper()
	cfg := sessConfig()
	if mut != nil {
		mut(&cfg)
	}
	s, err := open(context.Background(), cfg, f.build)
	if err == nil {
		t.Cleanup(func() { _ = s.Close() })
	}
	return s, err
}

// nextView turns the loop (heartbeats) until the reconciler gets a view.
func nextView(t *testing.T, s *Session, f *sessFake) View {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second) // a guard against a hang, not a timing assertion
	for time.Now().Before(deadline) {
		ev := market.Event{Kind: market.EventHeartbeat, Time: vT0}
		s.Venue().OnEvent(&ev, nil)
		select {
		case v := <-f.views:
			return v
		case <-time.After(time.Millisecond):
		}
	}
	t.Fatal("no reconciliation")
	return View{}
}

func TestSessionOpenSyncsFirstAndReconcilesResumedOrders(t *testing.T) {
	f := newSessFake()
	spec := vLimit(vBTC, venue.Buy, "1", "100")
	s, err := openFake(t, f, func(c *SessionConfig) {
		c.Recovered = []Recovered{
			{Order: venue.OpenOrder{ClientID: "n1", Spec: spec, Remaining: spec.Quantity, State: venue.StateNew}},
			{Order: venue.OpenOrder{ClientID: "a1", Spec: spec, Filled: vdec("0.2"), Remaining: vdec("0.8"),
				State: venue.StatePartiallyFilled, Active: true}, TradeIDs: []int64{3}},
		}
		c.Net = map[string]money.Decimal{"BTC": vdec("0.2")}
	})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.called()
	if len(calls) < 5 || calls[0] != "sync" || calls[1] != "exchangeInfo" || calls[2] != "account" {
		t.Fatalf("calls %v: the clock must sync before any signed request", calls)
	}
	if !hasCall(calls, "reconcile") {
		t.Fatalf("Open returned before the first reconciliation: %v", calls)
	}
	if f.resolved[0] != "n1" || len(f.resolved) != 1 {
		t.Fatalf("resolved %v, want the NEW order n1 only", f.resolved)
	}
	v := <-f.views
	if len(v.Open) != 2 || v.Open[1].TradeIDs[0] != 3 || v.Expected["USDT"] != vdec("1005") || v.Expected["BTC"] != vdec("0.7") {
		t.Fatalf("first view %+v", v)
	}
	if m, tk := s.Venue().FeeBps(); m != 7 || tk != 9 || !strings.Contains(s.Account(), "42") {
		t.Fatalf("fees %d/%d, account %q", m, tk, s.Account())
	}
	if s.StartBalances()["USDT"] != vdec("1005") {
		t.Fatalf("start balances %v", s.StartBalances())
	}
	for deadline := time.Now().Add(10 * time.Second); f.running.Load() != 4; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d parts running, want 4", f.running.Load())
		}
	}
	if err := s.Close(); err != nil || s.Close() != nil {
		t.Fatal("Close is not idempotent")
	}
	if n := f.running.Load(); n != 0 {
		t.Fatalf("Close returned with %d parts still running", n)
	}
}

func hasCall(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

func TestSessionOpenFailures(t *testing.T) {
	cases := []struct {
		name, want string
		set        func(f *sessFake, c *SessionConfig)
	}{
		{"clock", "clock", func(f *sessFake, _ *SessionConfig) { f.syncErr = errors.New("no answer") }},
		{"unlisted symbol", "does not list DOGE-USD", func(_ *sessFake, c *SessionConfig) {
			c.Symbols = append(c.Symbols, "DOGE-USD")
		}},
		{"first reconciliation", "first reconciliation", func(f *sessFake, _ *SessionConfig) {
			f.reconErr = errors.New("venue unreachable")
		}},
		{"account may not trade", "may not trade", func(f *sessFake, _ *SessionConfig) { f.cantTrade = true }},
		{"no symbols", "at least one symbol", func(_ *sessFake, c *SessionConfig) { c.Symbols = nil }},
		{"no keys", "key", func(_ *sessFake, c *SessionConfig) { c.Keys = Keys{} }},
		{"negative interval", "must not be negative", func(_ *sessFake, c *SessionConfig) { c.ReconcileEvery = -1 }},
		{"resumed order off the symbols", "resumed order r1 is on SOL-USD", func(_ *sessFake, c *SessionConfig) {
			c.Recovered = []Recovered{{Order: venue.OpenOrder{ClientID: "r1", Spec: vLimit("SOL-USD", venue.Buy, "1", "1"),
				State: venue.StateAccepted}}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newSessFake()
			_, err := openFake(t, f, func(cfg *SessionConfig) { c.set(f, cfg) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Open: %v, want an error about %q", err, c.want)
			}
			if c.name == "clock" && len(f.called()) != 1 {
				t.Fatalf("calls after a failed clock sync: %v", f.called())
			}
		})
	}
}

func TestSessionReconcilesOnReconnectAndPeriodically(t *testing.T) {
	f := newSessFake()
	s, err := openFake(t, f, func(c *SessionConfig) { c.StartBalances = map[string]money.Decimal{"USDT": vdec("10")} })
	if err != nil {
		t.Fatal(err)
	}
	<-f.views         // the first reconciliation, in Open
	nextView(t, s, f) // the stream's first connect asked for one
	f.connect <- struct{}{}
	if v := nextView(t, s, f); v.Expected["USDT"] != vdec("10") {
		t.Fatalf("given start balances replaced: %v", v.Expected)
	}
	_ = s.Close()

	f = newSessFake()
	s, err = openFake(t, f, func(c *SessionConfig) { c.ReconcileEvery = time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		nextView(t, s, f)
	}
}

func TestSessionHealthShowsStoppedPartsAndHalts(t *testing.T) {
	f := newSessFake()
	f.marketErr = errors.New("socket factory broke")
	s, err := openFake(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		hs := s.Health(vT0)
		if hs[1].Name == "market_data" && hs[1].Level == Unhealthy && strings.Contains(hs[1].Reason, "socket factory broke") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health %+v", hs)
		}
		time.Sleep(time.Millisecond)
	}
	s.Venue().Halt("ban", "IP banned until 12:00")
	hs := s.Health(vT0)
	if last := hs[len(hs)-1]; last.Name != "order_entry" || !strings.Contains(last.Reason, "IP banned") {
		t.Fatalf("health %+v", hs)
	}
}

func TestSessionRefreshesRules(t *testing.T) {
	f := newSessFake()
	s, err := openFake(t, f, func(c *SessionConfig) { c.RulesEvery = time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	rs := vRules()
	e := rs["ETH-USD"]
	e.Trading = false
	rs["ETH-USD"] = e
	f.mu.Lock()
	f.rules = rs
	f.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ev := market.Event{Kind: market.EventHeartbeat, Time: vT0}
		s.Venue().OnEvent(&ev, nil)
		out := s.Venue().Submit(vLimit("ETH-USD", venue.Buy, "1", "100"), "x"+time.Now().String(), vQuote("ETH-USD"), vT0, nil)
		if len(out) == 1 && strings.Contains(out[0].Reason, "not trading") {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the refreshed rules never reached the venue")
}
