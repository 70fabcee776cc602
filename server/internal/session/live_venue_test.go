package session

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// fakeLive is a live venue whose connection is the paper simulator and
// matching engine, and whose health and Close the test sees.
type fakeLive struct {
	opened, closed atomic.Int32
	start          map[string]money.Decimal
}

func (f *fakeLive) Info() assemble.VenueInfo {
	return assemble.VenueInfo{Venue: "fake", Environment: "testnet", Quote: "USDT"}
}

func (f *fakeLive) Open(_ context.Context, s assemble.LiveSpec) (assemble.LiveSession, error) {
	src, err := paper.NewSim(paper.SimConfig{Seed: 1, Symbols: s.Symbols, Start: time.Now()})
	if err != nil {
		return nil, err
	}
	eng, err := matching.New(s.PaperVenue())
	if err != nil {
		return nil, err
	}
	f.opened.Add(1)
	return &fakeConn{f: f, src: src, v: eng}, nil
}

type fakeConn struct {
	f     *fakeLive
	src   market.Source
	v     venue.Venue
	close sync.Once
}

func (c *fakeConn) Venue() venue.Venue                      { return c.v }
func (c *fakeConn) Source() market.Source                   { return c.src }
func (c *fakeConn) StartBalances() map[string]money.Decimal { return c.f.start }
func (c *fakeConn) Close() error                            { c.close.Do(func() { c.f.closed.Add(1) }); return nil }
func (c *fakeConn) Health(time.Time) []sessionhealth.Component {
	return []sessionhealth.Component{
		{Name: "market_data", Status: sessionhealth.StatusDegraded, Reason: "fake: BTC-USD book resyncing after a gap"},
		{Name: "user_stream", Status: sessionhealth.StatusHealthy},
	}
}

// syncBuffer is a log sink safe for the session's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func liveManager(t *testing.T, fake *fakeLive, st store.Store, log *syncBuffer) *Manager {
	t.Helper()
	m, _ := newTestManager(t, func(o *Options) {
		o.Assembler = assemble.Live{Venue: fake}
		o.Store = st
		o.Logger = slog.New(slog.NewTextHandler(log, nil))
	})
	return m
}

func openStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func liveSettings() settings.Settings {
	return settings.Settings{Mode: settings.ModeLive, Symbols: []string{"BTC-USD"}, TickInterval: 20 * time.Millisecond}
}

// A live session trades on its venue's connection, reports the
// connection's own health (its market_data replacing the loop's), keeps
// the start balances the venue reported, says it is live, and closes the
// connection when it stops.
func TestLiveSessionRunsOnItsConnection(t *testing.T) {
	fake := &fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(5000), "BTC": money.MustParse("0.1")}}
	st := openStore(t)
	var log syncBuffer
	m := liveManager(t, fake, st, &log)
	w := startWatch(t, m)
	snap, _, err := m.Start(liveSettings())
	if err != nil {
		t.Fatal(err)
	}
	var seen *Report
	eventually(t, "a report with the connection's health", func() bool {
		seen = w.find(func(r *Report) bool { return component(r, "user_stream").Status == sessionhealth.StatusHealthy })
		return seen != nil
	})
	if md := component(seen, "market_data"); md.Status != sessionhealth.StatusDegraded || !strings.Contains(md.Reason, "resyncing") {
		t.Errorf("market_data = %+v, want the venue's own judgement", md)
	}
	n := 0
	for _, c := range seen.Components {
		if c.Name == "market_data" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d market_data components, want the built-in one replaced", n)
	}
	got, err := st.LoadLiveStart(context.Background(), snap.ID)
	if err != nil || got.Venue != "fake" || got.Environment != "testnet" || got.Quote != "USDT" ||
		len(got.Balances) != 2 || got.Balances["USDT"] != money.FromInt(5000) {
		t.Errorf("stored live start = %+v, %v", got, err)
	}
	if fake.closed.Load() != 0 {
		t.Fatal("the connection closed while the session runs")
	}
	if _, _, _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the connection closed", func() bool { return fake.closed.Load() == 1 })
	if !strings.Contains(log.String(), "mode=live") {
		t.Errorf("the log does not say the session is live:\n%s", log.String())
	}
}

// The daemon shutting down ends a live session's connection too.
func TestLiveConnectionClosedAtShutdown(t *testing.T) {
	fake := &fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(1)}}
	var log syncBuffer
	m := liveManager(t, fake, nil, &log)
	if _, _, err := m.Start(liveSettings()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m.Shutdown(ctx)
	if fake.opened.Load() != 1 || fake.closed.Load() != 1 {
		t.Fatalf("opened %d, closed %d connections", fake.opened.Load(), fake.closed.Load())
	}
}

// A session that fails before it runs (here: its settings need a remote
// strategy service the daemon lacks) releases the connection it opened.
func TestLiveConnectionClosedWhenTheStartFails(t *testing.T) {
	fake := &fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(1)}}
	var log syncBuffer
	m, _ := newTestManager(t, func(o *Options) {
		o.Assembler = assemble.Live{Venue: fake}
		o.Logger = slog.New(slog.NewTextHandler(&log, nil))
		o.Remote = nil
	})
	s := liveSettings()
	s.Strategy = "remote:mine"
	if _, _, err := m.Start(s); !errors.Is(err, settings.ErrInvalid) {
		t.Fatalf("start: %v, want refused", err)
	}
	if fake.opened.Load() != 1 || fake.closed.Load() != 1 {
		t.Fatalf("opened %d, closed %d connections", fake.opened.Load(), fake.closed.Load())
	}
}

// laggingVenue is a live venue whose answers to cancellations come later,
// on its connection, as a real one's do: CancelAll appends nothing, and the
// cancellations are reported by a later OnEvent, unless hold keeps them.
type laggingVenue struct {
	venue.Venue
	mu      sync.Mutex
	pending []venue.ExecutionReport
	hold    bool
}

func (l *laggingVenue) WriteAhead() bool { return true }

func (l *laggingVenue) CancelAll(now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = l.Venue.CancelAll(now, l.pending)
	return dst
}

func (l *laggingVenue) OnEvent(ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	dst = l.Venue.OnEvent(ev, dst)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.hold {
		dst = append(dst, l.pending...)
		l.pending = nil
	}
	return dst
}

type laggingLive struct {
	fakeLive
	v *laggingVenue
}

func (f *laggingLive) Open(ctx context.Context, s assemble.LiveSpec) (assemble.LiveSession, error) {
	ls, err := f.fakeLive.Open(ctx, s)
	if err != nil {
		return nil, err
	}
	c := ls.(*fakeConn)
	f.v = &laggingVenue{Venue: c.v, hold: f.v != nil && f.v.hold}
	c.v = f.v
	return c, nil
}

// A stop waits, within its deadline, for a live venue to confirm the
// cancellation of every open order; one it does not hear from in time is
// named, and the session ends FAILED, resumable, its orders open in the
// store as they may be at the venue.
func TestLiveStopAwaitsTheVenuesCancellations(t *testing.T) {
	for _, hold := range []bool{false, true} {
		fake := &laggingLive{fakeLive: fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(100_000)}}}
		if hold {
			fake.v = &laggingVenue{hold: true}
		}
		st := openStore(t)
		var log syncBuffer
		m := liveManager(t, &fake.fakeLive, st, &log)
		m.opts.Assembler = assemble.Live{Venue: fake}
		s := liveSettings()
		s.Strategy = "grid"
		snap, _, err := m.Start(s)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "the grid resting, committed", func() bool {
			open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
			return err == nil && len(open) > 0
		})
		if _, _, _, err := m.Stop(context.Background(), StopOptions{Timeout: time.Second}); err != nil {
			t.Fatal(err)
		}
		var end Snapshot
		eventually(t, "the session's end", func() bool {
			end, _, _ = m.Status()
			return end.State == StateStopped || end.State == StateFailed
		})
		open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rec, err := st.GetSession(context.Background(), snap.ID); err != nil || rec.State != end.State.String() {
			t.Errorf("the store recorded %q (%v), the session ended %s (%s)", rec.State, err, end.State, end.Reason)
		}
		if !hold && (end.State != StateStopped || len(open) != 0 || len(end.Unsettled) != 0) {
			t.Errorf("venue answering: %s (%s), %d open in the store, unsettled %v", end.State, end.Reason, len(open), end.Unsettled)
		}
		if hold && (end.State != StateFailed || len(open) == 0 || len(end.Unsettled) != len(open) ||
			!strings.Contains(end.Reason, "did not confirm the cancellation")) {
			t.Errorf("venue silent: %s (%s), %d open in the store, unsettled %v", end.State, end.Reason, len(open), end.Unsettled)
		}
	}
}

// fillingVenue is a live venue on which, as the stop's cancellations
// travel, the first open buy fills: its fill and the others'
// cancellations arrive later, on the connection, as a real venue's do.
type fillingVenue struct{ laggingVenue }

func (f *fillingVenue) CancelAll(now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	f.mu.Lock()
	defer f.mu.Unlock()
	var filled string
	for _, o := range f.Venue.Open(nil) {
		if o.Spec.Side == venue.Buy && o.Spec.Type == venue.Limit && o.Filled.IsZero() {
			filled = o.ClientID
			f.pending = append(f.pending, venue.ExecutionReport{ClientID: o.ClientID, Symbol: o.Spec.Symbol, Side: venue.Buy,
				State: venue.StateFilled, Filled: o.Spec.Quantity, FillQuantity: o.Spec.Quantity, FillPrice: o.Spec.Price,
				Fee: money.MustParse("0.01"), Liquidity: venue.Maker, TradeID: 1, Time: now})
			break
		}
	}
	for _, r := range f.Venue.CancelAll(now, nil) {
		if r.ClientID != filled {
			f.pending = append(f.pending, r)
		}
	}
	return dst
}

type fillingLive struct {
	fakeLive
	v *fillingVenue
}

func (f *fillingLive) Open(ctx context.Context, s assemble.LiveSpec) (assemble.LiveSession, error) {
	ls, err := f.fakeLive.Open(ctx, s)
	if err != nil {
		return nil, err
	}
	c := ls.(*fakeConn)
	f.v = &fillingVenue{laggingVenue{Venue: c.v}}
	c.v = f.v
	return c, nil
}

// A fill that arrives while a stop waits for the venue's answers is in the
// account the session shows afterwards (GetPortfolio, status, the stop's
// summary), as it is in the store: not an account from before it, which
// only a restart of the daemon would correct.
func TestLiveStopShowsTheFillsItWaitedFor(t *testing.T) {
	fake := &fillingLive{fakeLive: fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(100_000)}}}
	st := openStore(t)
	var log syncBuffer
	m := liveManager(t, &fake.fakeLive, st, &log)
	m.opts.Assembler = assemble.Live{Venue: fake}
	s := liveSettings()
	s.Strategy = "grid"
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the grid resting, committed", func() bool {
		open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
		return err == nil && len(open) > 0
	})
	if _, _, _, err := m.Stop(context.Background(), StopOptions{Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	var end Snapshot
	eventually(t, "the session's end", func() bool {
		end, _, _ = m.Status()
		return end.State == StateStopped || end.State == StateFailed
	})
	stored, err := st.LoadPortfolio(context.Background(), snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	fills, err := st.ListFills(context.Background(), snap.ID, 0)
	if err != nil || len(fills) == 0 {
		t.Fatalf("the fill during the stop was not stored: %d fills, %v", len(fills), err)
	}
	_, shown, _, _, ok := m.Portfolio()
	if !ok || shown.Cash != stored.Cash || shown.FeesPaid != stored.FeesPaid || end.Summary.Cash != stored.Cash {
		t.Fatalf("after the stop: GetPortfolio shows cash %s fees %s, the summary cash %s; the store holds cash %s fees %s",
			shown.Cash, shown.FeesPaid, end.Summary.Cash, stored.Cash, stored.FeesPaid)
	}
}

// A live stop keeping its orders open says where they rest: at the venue,
// which goes on matching them, not at a paper venue that stopped with the
// session (what 'tradectl orders --open' showed after such a stop).
func TestLiveStopKeepingOrdersSaysTheyRestAtTheVenue(t *testing.T) {
	fake := &laggingLive{fakeLive: fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(100_000)}}}
	st := openStore(t)
	var log syncBuffer
	m := liveManager(t, &fake.fakeLive, st, &log)
	m.opts.Assembler = assemble.Live{Venue: fake}
	s := liveSettings()
	s.Strategy = "grid"
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the grid resting, committed", func() bool {
		open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
		return err == nil && len(open) > 0
	})
	if _, _, _, err := m.Stop(context.Background(), StopOptions{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
	if err != nil || len(open) == 0 {
		t.Fatalf("open orders after a stop keeping them: %d %v", len(open), err)
	}
	for _, o := range open {
		if o.Reason != KeptOpenLiveReason {
			t.Errorf("order %s kept open says %q", o.ClientID, o.Reason)
		}
	}
}

// downLive is a venue that cannot be reached.
type downLive struct{ fakeLive }

func (d *downLive) Open(context.Context, assemble.LiveSpec) (assemble.LiveSession, error) {
	return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
}

// A resume that cannot reach the venue says so, not that the store
// failed: tradectl printed "the store failed: cannot resume session ...:
// the venue is unavailable" (the exit code was the venue's, 13).
func TestLiveResumeOnAnUnreachableVenueIsNotAStoreFailure(t *testing.T) {
	fake := &fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(100_000)}}
	st := openStore(t)
	var log syncBuffer
	m := liveManager(t, fake, st, &log)
	s := liveSettings()
	s.Strategy = "grid"
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the grid resting, committed", func() bool {
		open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
		return err == nil && len(open) > 0
	})
	if _, _, _, err := m.Stop(context.Background(), StopOptions{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	m2 := liveManager(t, fake, st, &log)
	m2.opts.Assembler = assemble.Live{Venue: &downLive{}}
	_, err = m2.ResumeSession(context.Background(), snap.ID)
	if !errors.Is(err, assemble.ErrVenueUnavailable) || errors.Is(err, ErrStore) || strings.Contains(err.Error(), "store") {
		t.Fatalf("resume on an unreachable venue: %v", err)
	}
}

// stallingVenue holds its cancellations' answers; once the stop has asked
// for them, it stalls one heartbeat past the stop's deadline and then
// answers one: the stop's commit of that answer runs out of time.
type stallingVenue struct {
	laggingVenue
	asked, stalled atomic.Bool
}

func (s *stallingVenue) CancelAll(now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	dst = s.laggingVenue.CancelAll(now, dst)
	s.asked.Store(true)
	return dst
}

func (s *stallingVenue) OnEvent(ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	dst = s.laggingVenue.OnEvent(ev, dst)
	if s.asked.Load() && s.stalled.CompareAndSwap(false, true) {
		// Past the wait for answers (the stop's 1 s less its 0.5 s reserve for
		// what follows), within the stop's own deadline.
		time.Sleep(700 * time.Millisecond)
		s.mu.Lock()
		dst = append(dst, s.pending[0])
		s.pending = s.pending[1:]
		s.mu.Unlock()
	}
	return dst
}

type stallingLive struct {
	fakeLive
	v *stallingVenue
}

func (f *stallingLive) Open(ctx context.Context, s assemble.LiveSpec) (assemble.LiveSession, error) {
	ls, err := f.fakeLive.Open(ctx, s)
	if err != nil {
		return nil, err
	}
	c := ls.(*fakeConn)
	f.v = &stallingVenue{laggingVenue: laggingVenue{Venue: c.v, hold: true}}
	c.v = f.v
	return c, nil
}

// A live stop whose deadline runs out while it commits the venue's
// answers ends FAILED with its orders named as unsettled, as one that runs
// out while waiting for them does: it ended STOPPED, orders left resting
// at the venue (TestLiveStopAwaitsTheVenuesCancellations failed now and
// then on a loaded machine for it).
func TestLiveStopDeadlineInsideSettleFails(t *testing.T) {
	fake := &stallingLive{fakeLive: fakeLive{start: map[string]money.Decimal{"USDT": money.FromInt(100_000)}}}
	st := openStore(t)
	var log syncBuffer
	m := liveManager(t, &fake.fakeLive, st, &log)
	m.opts.Assembler = assemble.Live{Venue: fake}
	s := liveSettings()
	s.Strategy = "grid"
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the grid resting, committed", func() bool {
		open, _, err := st.ListOrders(context.Background(), snap.ID, true, 0)
		return err == nil && len(open) > 1
	})
	if _, _, _, err := m.Stop(context.Background(), StopOptions{Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	var end Snapshot
	eventually(t, "the session's end", func() bool {
		end, _, _ = m.Status()
		return end.State == StateStopped || end.State == StateFailed
	})
	if !fake.v.stalled.Load() {
		t.Fatal("the venue never stalled: the test tested nothing")
	}
	if end.State != StateFailed || len(end.Unsettled) == 0 {
		t.Fatalf("deadline inside the stop's commit: %s (%s), unsettled %v\n%s", end.State, end.Reason, end.Unsettled, log.String())
	}
}
