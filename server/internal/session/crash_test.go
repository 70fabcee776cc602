package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/store"
)

// crashCopies numbers the copies, whose names must not repeat.
var crashCopies atomic.Int64

// crashCopy is what a daemon killed with kill -9 at this moment would find
// on its next start: a consistent copy of what st has committed, opened,
// with the sessions it left active marked INTERRUPTED.
func crashCopy(t *testing.T, st store.Store) *store.SQLite {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path, err := st.Backup(ctx, fmt.Sprintf("crash-%d.db", crashCopies.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, filepath.Join(dir, store.DBFile)); err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Close() })
	if _, err := cp.MarkInterrupted(ctx, "killed by the test"); err != nil {
		t.Fatal(err)
	}
	return cp
}

func openTestStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// gridSettings place and fill orders at every tick, so counters move.
func gridSettings() settings.Settings {
	s := paperSettings(10 * time.Millisecond)
	s.Symbols = []string{"BTC-USD", "ETH-USD"}
	s.Strategy, s.Params = "grid", map[string]string{"spacing_bps": "1", "levels": "3"}
	return s
}

// withStore runs the real paper parts (strategy included) on st.
// startGrid starts a grid session on a fresh store, the start of every
// crash-and-resume test.
func startGrid(t *testing.T) (store.Store, *Manager, Snapshot) {
	t.Helper()
	st := openTestStore(t)
	m, _ := newTestManager(t, withStore(st))
	snap, _, err := m.Start(gridSettings())
	if err != nil {
		t.Fatal(err)
	}
	return st, m, snap
}

func withStore(st store.Store) func(*Options) {
	return func(o *Options) { o.Store, o.Assembler = st, assemble.Paper{} }
}

func storedCounters(t *testing.T, st store.Store, id string) store.Counters {
	t.Helper()
	rec, err := st.GetSession(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Counters
}

// storedSessions are the sessions in st as queries show them.
func storedSessions(ctx context.Context, st store.Store) ([]Snapshot, error) {
	page, err := st.PageSessions(ctx, store.Page{})
	if err != nil {
		return nil, err
	}
	var list []Snapshot
	for _, rec := range page.Sessions {
		snap, err := StoredSnapshot(ctx, st, rec)
		if err != nil {
			return nil, err
		}
		list = append(list, snap)
	}
	return list, nil
}

// storedCounts are the orders and fills rows the store holds for id.
func storedCounts(t *testing.T, st store.Store, id string) (orders, fills uint64) {
	t.Helper()
	ctx := context.Background()
	o, _, err := st.ListOrders(ctx, id, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.ListFills(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(len(o)), uint64(len(f))
}

// After several crashes and resumes, the session's counters are the
// store's: they carry on from the last commit instead of starting over,
// and a restarted daemon shows the interrupted session's last summary
// instead of zeros.
func TestResumedSessionCountsFromTheStore(t *testing.T) {
	ctx := context.Background()
	st, m, snap := startGrid(t)
	id := snap.ID
	var fills uint64
	for cycle := range 3 {
		eventually(t, "more fills committed", func() bool { return storedCounters(t, st, id).Fills > fills })
		crashed := crashCopy(t, st)
		if _, _, _, err := m.Stop(ctx, StopOptions{KeepOpenOrders: true}); err != nil {
			t.Fatal(err)
		}
		st = crashed
		orders, f := storedCounts(t, st, id)
		fills = f
		m, _ = newTestManager(t, withStore(st))

		last, ok, r := m.Status()
		if !ok || last.ID != id || last.State != StateInterrupted {
			t.Fatalf("cycle %d: status after the restart: %v %v %v", cycle, ok, last.ID, last.State)
		}
		if last.Summary.Orders != orders || last.Summary.Fills != fills || last.Summary.Ticks == 0 ||
			!last.Summary.Equity.IsPositive() || r.Ticks != last.Summary.Ticks || r.Equity.Cmp(last.Summary.Equity) != 0 {
			t.Fatalf("cycle %d: status of the interrupted session: %+v, report ticks %d equity %s; the store holds %d orders, %d fills",
				cycle, last.Summary, r.Ticks, r.Equity, orders, fills)
		}
		list, err := storedSessions(ctx, st)
		if err != nil || len(list) != 1 || list[0].Summary.Orders != orders || list[0].Summary.Fills != fills {
			t.Fatalf("cycle %d: sessions: %+v %v; the store holds %d orders, %d fills", cycle, list, err, orders, fills)
		}
		// The peak and largest drawdown are the last commit's, everywhere.
		peak, err := st.LoadEquityPeak(ctx, id)
		if err != nil || !peak.Peak.IsPositive() || last.Summary.PeakEquity != peak.Peak || last.Summary.MaxDrawdown != peak.MaxDrawdown ||
			r.PeakEquity != peak.Peak || r.MaxDrawdown != peak.MaxDrawdown || list[0].Summary.MaxDrawdown != peak.MaxDrawdown {
			t.Fatalf("cycle %d: stored peak %+v (%v); status %s/%s, report %s/%s", cycle, peak, err,
				last.Summary.PeakEquity, last.Summary.MaxDrawdown, r.PeakEquity, r.MaxDrawdown)
		}

		resumed, err := m.Resume(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if resumed.Summary.PeakEquity.Cmp(peak.Peak) < 0 || resumed.Summary.MaxDrawdown.Cmp(peak.MaxDrawdown) < 0 {
			t.Fatalf("cycle %d: resumed at peak %s max drawdown %s; the store held %+v", cycle,
				resumed.Summary.PeakEquity, resumed.Summary.MaxDrawdown, peak)
		}
		if resumed.Summary.Orders < orders || resumed.Summary.Fills < fills {
			t.Fatalf("cycle %d: resumed with %d orders, %d fills; the store held %d, %d",
				cycle, resumed.Summary.Orders, resumed.Summary.Fills, orders, fills)
		}
	}
	eventually(t, "more fills committed", func() bool { return storedCounters(t, st, id).Fills > fills })
	final, _, _, err := m.Stop(ctx, StopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orders, fills := storedCounts(t, st, id)
	if final.Summary.Orders != orders || final.Summary.Fills != fills {
		t.Fatalf("stop says %d orders, %d fills; the store holds %d, %d",
			final.Summary.Orders, final.Summary.Fills, orders, fills)
	}
	if c := storedCounters(t, st, id); c.Orders != orders || c.Fills != fills || c.Refused != final.Summary.Risk.Rejects {
		t.Fatalf("stored counters %+v; rows: %d orders, %d fills; refused %d", c, orders, fills, final.Summary.Risk.Rejects)
	}
	if p, err := st.LoadEquityPeak(ctx, id); err != nil || p.Peak != final.Summary.PeakEquity || p.MaxDrawdown != final.Summary.MaxDrawdown {
		t.Fatalf("stop says peak %s max drawdown %s; the store holds %+v (%v)", final.Summary.PeakEquity, final.Summary.MaxDrawdown, p, err)
	}
}

// --duration is the session's total trading time: a session interrupted
// part-way trades only what is left after a resume.
func TestResumedSessionTradesOnlyTheRestOfItsDuration(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	m, _ := newTestManager(t, func(o *Options) { o.Store = st })
	s := paperSettings(10 * time.Millisecond)
	s.Duration = 3 * time.Second
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "2s of trading committed", func() bool { return storedCounters(t, st, snap.ID).Traded >= 2*time.Second })
	crashed := crashCopy(t, st)
	m.Stop(ctx, StopOptions{})
	before := storedCounters(t, crashed, snap.ID).Traded

	m2, _ := newTestManager(t, func(o *Options) { o.Store = crashed })
	if _, err := m2.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	<-m2.last().Done()
	final := m2.last().Snapshot()
	if final.State != StateStopped || final.Reason != "duration elapsed" {
		t.Fatalf("resumed session ended %v: %s", final.State, final.Reason)
	}
	// The rest is at most 1s; a resumed run given the whole duration
	// again would trade 3s.
	if after := storedCounters(t, crashed, snap.ID).Traded; after-before >= 2*time.Second {
		t.Fatalf("the resumed run traded %s after %s of a %s session", after-before, before, s.Duration)
	}
}

// The orders-per-second window survives a crash: a resumed session does
// not get a fresh budget.
func TestResumeKeepsTheOrderRateWindow(t *testing.T) {
	ctx := context.Background()
	st, m, snap := startGrid(t)
	eventually(t, "orders committed", func() bool { return storedCounters(t, st, snap.ID).Orders > 0 })
	crashed := crashCopy(t, st)
	m.Stop(ctx, StopOptions{})
	rr, err := crashed.LoadRisk(ctx, snap.ID)
	if err != nil || len(rr.SentTimes) == 0 {
		t.Fatalf("stored rate window: %v %v; want the orders' times", rr.SentTimes, err)
	}
	m2, _ := newTestManager(t, func(o *Options) { o.Store = crashed; o.Assembler = assemble.Paper{} })
	if _, err := m2.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	m2.Stop(ctx, StopOptions{})
	got := m2.last().risk.GuardState().SentTimes
	if len(got) == 0 || got[0] > rr.SentTimes[len(rr.SentTimes)-1] {
		t.Fatalf("the resumed guard's window %v does not carry on from the stored %v", got, rr.SentTimes)
	}
}

// A start while a session is INTERRUPTED is refused, naming it; with
// abandon it cancels the session's open orders at the venue, commits them
// CANCELLED, marks it ABANDONED, and starts.
func TestStartWhileInterrupted(t *testing.T) {
	ctx := context.Background()
	st, m, snap := startGrid(t)
	eventually(t, "resting orders committed", func() bool {
		open, _, err := st.ListOrders(ctx, snap.ID, true, 0)
		return err == nil && len(open) > 0
	})
	crashed := crashCopy(t, st)
	m.Stop(ctx, StopOptions{})
	open, _, err := crashed.ListOrders(ctx, snap.ID, true, 0)
	if err != nil || len(open) == 0 {
		t.Fatalf("open orders after the crash: %d %v", len(open), err)
	}

	m2, _ := newTestManager(t, withStore(crashed))
	_, _, err = m2.Start(gridSettings())
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, ErrInterrupted) || ie.Newest() != snap.ID {
		t.Fatalf("start while %s is interrupted = %v; want an InterruptedError naming it", snap.ID, err)
	}
	if rec, _ := crashed.GetSession(ctx, snap.ID); rec.State != store.StateInterrupted {
		t.Fatalf("a refused start changed the interrupted session to %s", rec.State)
	}

	fresh, _, err := m2.StartWith(ctx, gridSettings(), StartOptions{AbandonInterrupted: true})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.ID == snap.ID {
		t.Fatal("abandon resumed the interrupted session instead of starting a new one")
	}
	rec, err := crashed.GetSession(ctx, snap.ID)
	if err != nil || rec.State != store.StateAbandoned || rec.Ended.IsZero() {
		t.Fatalf("abandoned session: %+v %v", rec, err)
	}
	if still, _, err := crashed.ListOrders(ctx, snap.ID, true, 0); err != nil || len(still) != 0 {
		t.Fatalf("%d orders still open after abandon (%v)", len(still), err)
	}
	all, _, _ := crashed.ListOrders(ctx, snap.ID, false, 0)
	byID := map[string]venue.OrderState{}
	for _, o := range all {
		byID[o.ClientID] = o.State
	}
	for _, o := range open {
		if byID[o.ClientID] != venue.StateCancelled {
			t.Errorf("order %s was open and is now %v; want CANCELLED", o.ClientID, byID[o.ClientID])
		}
		hist, err := crashed.OrderHistory(ctx, snap.ID, o.ClientID)
		if err != nil || hist[len(hist)-1].Reason == "" {
			t.Errorf("order %s: cancellation without a reason: %+v %v", o.ClientID, hist, err)
		}
	}
	if v, err := crashed.LoadVenue(ctx, snap.ID, 0); err != nil || len(v.Orders) != 0 {
		t.Errorf("the venue still holds %d orders of the abandoned session (%v)", len(v.Orders), err)
	}

	if _, err := m2.ResumeSession(ctx, snap.ID); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("resume while a session runs = %v; want ErrAlreadyRunning", err)
	}
	m2.Stop(ctx, StopOptions{})
	if _, err := m2.ResumeSession(ctx, snap.ID); !errors.Is(err, ErrNotInterrupted) {
		t.Errorf("resume of an abandoned session = %v; want ErrNotInterrupted", err)
	}
	if _, err := m2.ResumeSession(ctx, "nope"); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("resume of an unknown session = %v; want ErrUnknownSession", err)
	}
}

// --resume --session ID carries on the one named, not the newest.
func TestResumeAChosenSession(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	settings := []byte(`{"Mode":1,"Symbols":["BTC-USD"],"TickInterval":10000000}`)
	for i, id := range []string{"older0123", "newer0123"} {
		if err := st.CreateSession(ctx, store.SessionRecord{ID: id, State: store.StateRunning, SettingsJSON: settings,
			Started: time.Now().Add(time.Duration(i-2) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.MarkInterrupted(ctx, "crash"); err != nil {
		t.Fatal(err)
	}
	m, _ := newTestManager(t, func(o *Options) { o.Store = st })
	snap, err := m.ResumeSession(ctx, "older0123")
	if err != nil || snap.ID != "older0123" {
		t.Fatalf("resume older = %v %v", snap.ID, err)
	}
	m.Stop(ctx, StopOptions{})
	if snap, err := m.Resume(ctx); err != nil || snap.ID != "newer0123" {
		t.Fatalf("resume without an id = %v %v; want the newest interrupted", snap.ID, err)
	}
}
