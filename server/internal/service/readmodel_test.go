package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

func openTestStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

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

// newTestManager returns a manager of paper sessions on st, shut down when
// the test ends.
func newTestManager(t *testing.T, st store.Store) *session.Manager {
	t.Helper()
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, HealthInterval: 300 * time.Second, StopTimeout: 5 * time.Second, Store: st})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	return m
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
	}
}

func storedCounters(t *testing.T, st store.Store, id string) store.Counters {
	t.Helper()
	rec, err := st.GetSession(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Counters
}

// After a restart, portfolio and status give one count of refused orders
// for the interrupted session: portfolio read it from a summary that an
// interrupted session never wrote, and said 0 while status said 45.
func TestInterruptedSessionRefusalsAgree(t *testing.T) {
	ctx := context.Background()
	st := store.Store(openTestStore(t))
	m := newTestManager(t, st)
	s := settings.Settings{Mode: settings.ModePaper, Symbols: []string{"BTC-USD", "ETH-USD"}, TickInterval: 10 * time.Millisecond,
		Strategy: "grid", Params: map[string]string{"spacing_bps": "1", "levels": "3"}}
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 2
	s.Risk = &limits
	snap, _, err := m.Start(s)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "refusals committed", func() bool { return storedCounters(t, st, snap.ID).Refused > 0 })
	crashed := crashCopy(t, st)
	if _, _, _, err := m.Stop(ctx, session.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	m = newTestManager(t, crashed)
	last, ok, _ := m.Status()
	if !ok || last.State != session.StateInterrupted || last.Summary.Risk.Rejects == 0 {
		t.Fatalf("status after the restart: %v %s, %d refused", ok, last.State, last.Summary.Risk.Rejects)
	}
	q := readModel{m: m, st: crashed}
	_, _, rs, _, ok, err := q.portfolio(ctx, snap.ID)
	if err != nil || !ok || rs.Rejects != last.Summary.Risk.Rejects {
		t.Fatalf("portfolio says %d refused (%v %v); status says %d", rs.Rejects, ok, err, last.Summary.Risk.Rejects)
	}
	list, _, err := q.sessions(ctx, store.Page{})
	if err != nil || len(list) != 1 || list[0].Summary.Risk.Rejects != last.Summary.Risk.Rejects ||
		list[0].Summary.Orders != last.Summary.Orders {
		t.Fatalf("sessions: %+v %v; status says %+v", list, err, last.Summary)
	}
}

// pageOf cuts a list held in memory into pages whose cursors count the
// items already listed.
func TestPageOf(t *testing.T) {
	list := []int{1, 2, 3, 4, 5}
	var got []int
	p := store.Page{Size: 2}
	for pages := 0; ; pages++ {
		page, next := pageOf(list, p)
		got = append(got, page...)
		if next == nil {
			break
		}
		if pages > 5 {
			t.Fatal("pages never end")
		}
		p.Cursor = *next
	}
	if fmt.Sprint(got) != fmt.Sprint(list) {
		t.Fatalf("pages make %v, want %v", got, list)
	}
	if page, next := pageOf(list, store.Page{}); len(page) != 5 || next != nil {
		t.Fatalf("no size: %v %v, want the whole list", page, next)
	}
}
