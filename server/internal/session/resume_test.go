package session

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// bigBuyer places one resting limit buy, far below the market, that
// promises most of the account's cash.
type bigBuyer struct{ placed atomic.Bool }

func (b *bigBuyer) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if ev.Symbol != "BTC-USD" || !ev.Bid.IsPositive() || b.placed.Swap(true) {
		return dst
	}
	return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: venue.OrderSpec{Symbol: "BTC-USD",
		Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC, Quantity: money.MustParse("2.5"), Price: money.FromInt(32_000)}})
}

// A stop that keeps orders open says so on each of them, and the session
// can be resumed to trade them. A resumed session remembers what its
// resting buys promised: the same buy again (80,040 of 100,000, fees
// included) is refused, because the first one still holds its cash; and it
// owns the kept order, which its own stop cancels.
func TestResumeKeepsReservations(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	build := func(o *Options) {
		o.Store = st
		o.Assembler = assemble.Paper{Replace: func(p *assemble.Parts) { p.Strategy = &bigBuyer{} }}
	}
	m, _ := newTestManager(t, build)
	s := paperSettings(10 * time.Millisecond)
	limits := risk.DefaultLimits()
	limits.MaxOrderNotional, limits.MaxPosition = money.FromInt(90_000), money.FromInt(10)
	s.Risk = &limits
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the buy resting at the venue, committed", func() bool {
		open, _, err := st.ListOrders(ctx, snap.ID, false, 0)
		return err == nil && len(open) == 1 && open[0].State == venue.StateAccepted
	})
	if _, _, _, err := m.Stop(ctx, StopOptions{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	// Kept open, and saying why, in the list and in the history.
	open, _, err := st.ListOrders(ctx, snap.ID, true, 0)
	if err != nil || len(open) != 1 || open[0].State != venue.StateAccepted || open[0].Reason != KeptOpenReason {
		t.Fatalf("open orders after a stop keeping them: %+v %v", open, err)
	}
	hist, err := st.OrderHistory(ctx, snap.ID, open[0].ClientID)
	if err != nil || len(hist) != 3 || hist[2].State != venue.StateAccepted || hist[2].Reason != KeptOpenReason {
		t.Fatalf("history of the kept order: %+v %v", hist, err)
	}
	// A daemon restarted later resumes the stopped session: the kept order
	// rests at its venue, and it is the only way to trade or cancel it.
	m2, _ := newTestManager(t, build)
	resumed, err := m2.Resume(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The resume's answer counts the kept order from the start, not
	// from the first report after it.
	if resumed.Summary.OpenOrders != 1 {
		t.Fatalf("the resume says %d orders open; the kept buy rests", resumed.Summary.OpenOrders)
	}
	// The second buy is refused: not an order, a refusal counted in the
	// store (issue 9 §9).
	eventually(t, "the resumed session's buy refused", func() bool {
		rs, err := st.ListRefusals(ctx, snap.ID)
		return err == nil && len(rs) > 0
	})
	rs, _ := st.ListRefusals(ctx, snap.ID)
	if rs[0].Rule != coordinator.RuleAccount || !strings.Contains(rs[0].Reason, "insufficient cash") {
		t.Fatalf("a second buy promising 80,040 after resume: refused %+v; the first still holds 80,040 of 100,000", rs[0])
	}
	all, _, _ := st.ListOrders(ctx, snap.ID, false, 0)
	if len(all) != 1 || all[0].State != venue.StateAccepted {
		t.Fatalf("orders after resume: %+v, want the first buy alone, ACCEPTED", all)
	}
	// The resumed session owns the kept order: its stop cancels it, and
	// the cancellation commits after the note in its history.
	if _, _, _, err := m2.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	all, _, _ = st.ListOrders(ctx, snap.ID, false, 0)
	if all[0].State != venue.StateCancelled {
		t.Fatalf("the kept order after the resumed session stopped: %s %q", all[0].State, all[0].Reason)
	}
}

// A resumed grid keeps one order per level, as before the crash: the
// orders it finds resting are its own, not strangers to quote beside. A
// grid that forgot them placed a second full grid on every resume, each
// new one filling beside the old (the position cap passed by a grid per
// resume), and the old ones rested until the session ended.
func TestResumedGridDoesNotQuoteTwice(t *testing.T) {
	ctx := context.Background()
	st := store.Store(openTestStore(t))
	m, _ := newTestManager(t, withStore(st))
	s := gridSettings()
	// Far levels, so that orders rest rather than fill at once.
	s.Params = map[string]string{"spacing_bps": "50", "levels": "3"}
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	id := snap.ID
	most := 2 * 3 * len(s.Symbols) // levels on each side, per symbol
	openNow := func() int {
		open, _, err := st.ListOrders(ctx, id, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(open)
	}
	for cycle := range 3 {
		eventually(t, "orders resting, committed", func() bool { return openNow() > 0 })
		crashed := crashCopy(t, st)
		if _, _, _, err := m.Stop(ctx, StopOptions{KeepOpenOrders: true}); err != nil {
			t.Fatal(err)
		}
		st = crashed
		m, _ = newTestManager(t, withStore(st))
		if _, err := m.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		ticks := storedCounters(t, st, id).Ticks
		for storedCounters(t, st, id).Ticks < ticks+60 {
			if n := openNow(); n > most {
				t.Fatalf("cycle %d: %d orders open after the resume; a grid of 3 levels a side on %d symbols keeps at most %d",
					cycle, n, len(s.Symbols), most)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if _, _, _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
}

// A resumed session reports its health like any other: its reports reach
// watchers, and once it stopped, status shows its end, not the restart's
// "interrupted" report. Every report of the resumed run was dropped as
// stale, because INTERRUPTED (what the restarted daemon first reported of
// that session) sorts after RUNNING and STOPPED.
func TestResumedSessionReportsItsHealth(t *testing.T) {
	ctx := context.Background()
	st, m, snap := startGrid(t)
	eventually(t, "a tick committed", func() bool { return storedCounters(t, st, snap.ID).Ticks > 0 })
	crashed := crashCopy(t, st)
	if _, _, _, err := m.Stop(ctx, StopOptions{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	m, _ = newTestManager(t, withStore(crashed))
	sub, err := m.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	<-sub.C() // the restart's report of the interrupted session
	if _, err := m.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-sub.C():
		if r.SessionID != snap.ID || !r.State.Active() {
			t.Fatalf("first report after the resume: session %s %s", r.SessionID, r.State)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no health report of the resumed session reached a watcher")
	}
	final, _, _, err := m.Stop(ctx, StopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, r := m.Status()
	if r.SessionID != snap.ID || r.State != StateStopped || r.Ticks != final.Summary.Ticks {
		t.Fatalf("status after the resumed session stopped: %s %s, %d ticks; the stop said %s, %d ticks",
			r.SessionID, r.State, r.Ticks, final.State, final.Summary.Ticks)
	}
}

// slowResume holds ResumeSession until released: a resume that the
// daemon's shutdown overtakes.
type slowResume struct {
	store.Store
	entered, release chan struct{}
}

func (s *slowResume) ResumeSession(ctx context.Context, id, reason string) error {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.ResumeSession(ctx, id, reason)
}

// A resume that the daemon's shutdown overtakes leaves the session as it
// found it, INTERRUPTED, to resume after the restart. It was recorded
// FAILED ("shut down before the session started"), which no resume or
// abandon accepts: its resting orders were ACCEPTED forever.
func TestResumeOvertakenByShutdownStaysInterrupted(t *testing.T) {
	ctx := context.Background()
	st, m, snap := startGrid(t)
	eventually(t, "a tick committed", func() bool { return storedCounters(t, st, snap.ID).Ticks > 0 })
	crashed := crashCopy(t, st)
	if _, _, _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	slow := &slowResume{Store: crashed, entered: make(chan struct{}), release: make(chan struct{})}
	m2, _ := newTestManager(t, withStore(slow))
	done := make(chan error)
	go func() { _, err := m2.Resume(ctx); done <- err }()
	<-slow.entered
	// Shutdown has begun (no session may start) and not yet closed the
	// store to the session's writes: the window publish meets it in.
	m2.mu.Lock()
	m2.closed = true
	m2.mu.Unlock()
	close(slow.release)
	if err := <-done; !errors.Is(err, ErrShuttingDown) {
		t.Fatalf("resume overtaken by shutdown: %v", err)
	}
	m2.Shutdown(ctx)
	// The next start of the daemon marks what it finds still running.
	if _, err := crashed.MarkInterrupted(ctx, "tradingd stopped while the session ran"); err != nil {
		t.Fatal(err)
	}
	rec, err := crashed.GetSession(ctx, snap.ID)
	if err != nil || rec.State != store.StateInterrupted {
		t.Fatalf("the session after a resume the shutdown overtook: %s %q (%v); want INTERRUPTED", rec.State, rec.Reason, err)
	}
}

// A resumed session's health counts from the resume, not from the first
// run's start: before its first tick, a session resumed after an outage
// read DEGRADED ("no tick completed in the 1h0m0s since start") though it
// had just begun.
func TestResumedSessionJudgesItsFirstTickFromTheResume(t *testing.T) {
	ctx := context.Background()
	st, m, snap := startGrid(t)
	eventually(t, "a tick committed", func() bool { return storedCounters(t, st, snap.ID).Ticks > 0 })
	crashed := crashCopy(t, st)
	if _, _, _, err := m.Stop(ctx, StopOptions{KeepOpenOrders: true}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the outage: a gap between the two runs to tell them apart
	var stale atomic.Pointer[sessionhealth.Staleness]
	stale.Store(&sessionhealth.Staleness{DegradedAfter: time.Hour, UnhealthyAfter: 2 * time.Hour})
	m, r := newTestManager(t, func(o *Options) {
		o.Store = crashed
		o.Staleness = func(time.Duration) sessionhealth.Staleness { return *stale.Load() }
	})
	hold := make(chan struct{}) // the first resumed tick never completes; the manager's cleanup releases it
	r.strat.block.Store(&hold)
	if _, err := m.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	s := m.cur
	m.mu.Unlock()
	// The outage is the gap between the first run's start and the
	// resume's; a check a quarter of it into the resumed run, with the
	// loop allowed half of it, must find the loop in time.
	gap := s.runStart.Sub(s.started)
	stale.Store(&sessionhealth.Staleness{DegradedAfter: gap / 2, UnhealthyAfter: 10 * gap})
	if c := s.checkCoordinator(ctx, s.runStart.Add(gap/4)); c.Status != sessionhealth.StatusHealthy {
		t.Fatalf("%s into the resumed run (%s after the first run began), before its first tick: %s %q; want HEALTHY",
			gap/4, gap+gap/4, c.Status, c.Reason)
	}
}
