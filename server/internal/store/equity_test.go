package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A point rides along with a tick's commit, in its transaction: the commit
// tells the loop the curve's period, and a failed commit leaves no point.
func TestCommitTickAppendsEquity(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	b := firstTick()
	b.Equity = &EquityRow{Time: b.Time, Equity: dec("100000.12345678")}
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	if b.EquityEvery != EquityEvery {
		t.Fatalf("EquityEvery = %s, want %s", b.EquityEvery, EquityEvery)
	}
	// A tick without a point leaves the curve as it was.
	if err := s.CommitTick(ctx, &Batch{SessionID: "s1", Time: at(2 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	// A retried tick whose first commit went through fails whole: its
	// point is not stored twice, nor is the count bumped.
	again := firstTick()
	again.Equity = &EquityRow{Time: at(3 * time.Second), Equity: dec("1")}
	if err := s.CommitTick(ctx, again); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("retried tick: %v, want ErrDuplicate", err)
	}
	// The end's point, at the same nanosecond as the last, is no second
	// point.
	if err := s.AppendEquity(ctx, "s1", EquityRow{Time: b.Time, Equity: dec("5")}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEquity(ctx, "s1", EquityRow{Time: at(time.Hour), Equity: dec("99999")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListEquity(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	want := []EquityRow{{Time: at(time.Second), Equity: dec("100000.12345678")}, {Time: at(time.Hour), Equity: dec("99999")}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("curve = %v, want %v", got, want)
	}
	var points int
	if err := s.r.QueryRow(`SELECT points FROM equity_curves WHERE session_id = 's1'`).Scan(&points); err != nil || points != 2 {
		t.Fatalf("counted points = %d, %v; want 2", points, err)
	}
	if list, err := s.ListEquity(ctx, "nobody"); err != nil || len(list) != 0 {
		t.Fatalf("unknown session: %v, %v", list, err)
	}
}

// The session's peak and largest drawdown from every tick ride along with
// a tick's commit when they changed, whether or not it adds a point, and
// read back as committed; each point keeps the peak of its time; the
// end's point raises them if the last tick's commit was lost.
func TestEquityPeakRidesAlongWithTicks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	createSession(t, s, "s1", StateRunning)
	if _, err := s.LoadEquityPeak(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before any tick: %v, want ErrNotFound", err)
	}
	b := firstTick()
	b.Equity = &EquityRow{Time: b.Time, Equity: dec("100"), Peak: dec("100")}
	b.Peak = &EquityPeak{Peak: dec("100")}
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	// A dip and a recovery between points: only the figures record it.
	if err := s.CommitTick(ctx, &Batch{SessionID: "s1", Time: at(2 * time.Second),
		Peak: &EquityPeak{Peak: dec("104"), MaxDrawdown: dec("6.5")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitTick(ctx, &Batch{SessionID: "s1", Time: at(3 * time.Second),
		Equity: &EquityRow{Time: at(3 * time.Second), Equity: dec("103"), Peak: dec("104")}}); err != nil {
		t.Fatal(err)
	}
	want := EquityPeak{Peak: dec("104"), MaxDrawdown: dec("6.5")}
	if got, err := s.LoadEquityPeak(ctx, "s1"); err != nil || got != want {
		t.Fatalf("peak = %v, %v; want %v", got, err, want)
	}
	// A failed commit leaves them as they were.
	bad := firstTick() // its order is stored: ErrDuplicate
	bad.Peak = &EquityPeak{Peak: dec("999")}
	if err := s.CommitTick(ctx, bad); err == nil {
		t.Fatal("a duplicate tick committed")
	}
	// The end's point, below the peak by more than any tick showed.
	if err := s.AppendEquity(ctx, "s1", EquityRow{Time: at(time.Hour), Equity: dec("90"), Peak: dec("104")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{})
	want = EquityPeak{Peak: dec("104"), MaxDrawdown: dec("14")}
	if got, err := s.LoadEquityPeak(ctx, "s1"); err != nil || got != want {
		t.Fatalf("reopened: peak = %v, %v; want %v", got, err, want)
	}
	pts, err := s.ListEquity(ctx, "s1")
	if err != nil || len(pts) != 3 || pts[0].Peak != dec("100") || pts[1].Peak != dec("104") || pts[2].Peak != dec("104") {
		t.Fatalf("points = %v, %v; want each with the peak of its time", pts, err)
	}
}

// A curve past its bound is halved, keeping its first and newest point and
// an even spacing, and its period doubles: however long a session runs,
// its curve stays within MaxEquityPoints.
func TestEquityCurveIsBounded(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	appendMany := func(from, n int) time.Duration {
		t.Helper()
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		ts := &txStmts{ctx: ctx, tx: tx, all: s.stmts}
		var every time.Duration
		for i := from; i < from+n; i++ {
			if every, err = writeEquity(ts, "s1", EquityRow{Time: at(time.Duration(i) * time.Second), Equity: dec("100")}, EquityEvery); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return every
	}
	if every := appendMany(0, MaxEquityPoints); every != EquityEvery {
		t.Fatalf("at the bound: every %s, want %s", every, EquityEvery)
	}
	if every := appendMany(MaxEquityPoints, 1); every != 2*EquityEvery {
		t.Fatalf("past the bound: every %s, want %s", every, 2*EquityEvery)
	}
	got, err := s.ListEquity(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxEquityPoints/2+1 {
		t.Fatalf("%d points after halving, want %d", len(got), MaxEquityPoints/2+1)
	}
	if got[0].Time != at(0) || got[len(got)-1].Time != at(MaxEquityPoints*time.Second) {
		t.Fatalf("first %s, newest %s: the ends were not kept", got[0].Time, got[len(got)-1].Time)
	}
	for i := 1; i < len(got); i++ {
		if d := got[i].Time.Sub(got[i-1].Time); d != 2*time.Second {
			t.Fatalf("points %d and %d are %s apart, want an even 2s", i-1, i, d)
		}
	}
	var points int
	if err := s.r.QueryRow(`SELECT points FROM equity_curves WHERE session_id = 's1'`).Scan(&points); err != nil || points != len(got) {
		t.Fatalf("counted points = %d, %v; want %d", points, err, len(got))
	}
	// A month of points at most ever holds the bound.
	for i := 0; i < 3; i++ {
		appendMany(MaxEquityPoints+1+i*MaxEquityPoints, MaxEquityPoints)
	}
	if n := count(t, s, "equity_points"); n > MaxEquityPoints {
		t.Fatalf("%d points stored, over the bound %d", n, MaxEquityPoints)
	}
}

// A database of schema 8, before curves, opens and records them.
func TestMigrationAddsEquityCurves(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, "old", migrations[:8]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (id, state, reason, settings, started) VALUES ('old', 'INTERRUPTED', '', '{}', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, DBFile), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir, Options{})
	if list, err := s.ListEquity(ctx, "old"); err != nil || len(list) != 0 {
		t.Fatalf("a session from before curves: %v, %v", list, err)
	}
	if err := s.AppendEquity(ctx, "old", EquityRow{Time: at(0), Equity: dec("1")}); err != nil {
		t.Fatal(err)
	}
	if list, err := s.ListEquity(ctx, "old"); err != nil || len(list) != 1 {
		t.Fatalf("after a point: %v, %v", list, err)
	}
}

// BenchmarkListEquity reads a curve at its bound, as GetEquityCurve does
// on every call.
func BenchmarkListEquity(b *testing.B) {
	ctx := context.Background()
	s := openStore(b, b.TempDir(), Options{})
	createSession(b, s, "s1", StateRunning)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ts := &txStmts{ctx: ctx, tx: tx, all: s.stmts}
	for i := range MaxEquityPoints {
		if _, err := writeEquity(ts, "s1", EquityRow{Time: at(time.Duration(i) * time.Second), Equity: dec("100000.12345678")}, EquityEvery); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if list, err := s.ListEquity(ctx, "s1"); err != nil || len(list) != MaxEquityPoints {
			b.Fatal(len(list), err)
		}
	}
}
