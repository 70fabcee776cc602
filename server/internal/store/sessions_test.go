package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/risk"
)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	first := SessionRecord{ID: "s1", State: StateRunning, SettingsJSON: []byte(`{"a":1}`), Started: t0}
	if err := s.CreateSession(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, first); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second CreateSession = %v; want ErrDuplicate", err)
	}
	second := SessionRecord{ID: "s2", ResumedFrom: "s1", State: StateStarting, SettingsJSON: []byte(`{}`), Started: at(time.Hour)}
	if err := s.CreateSession(ctx, second); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, SessionRecord{ID: "s3", ResumedFrom: "nope", State: StateStarting, SettingsJSON: []byte(`{}`),
		Started: t0}); !errors.Is(err, ErrInvalid) {
		t.Errorf("resuming an unknown session = %v; want ErrInvalid", err)
	}
	if got, err := s.GetSession(ctx, "s1"); err != nil || !reflect.DeepEqual(got, first) {
		t.Errorf("GetSession = %+v, %v; want %+v", got, err, first)
	}
	summary := []byte(`{"orders":3}`)
	if err := s.UpdateSession(ctx, "s1", "STOPPED", "stopped by user", at(time.Minute), summary); err != nil {
		t.Fatal(err)
	}
	want := first
	want.State, want.Reason, want.Ended, want.SummaryJSON = "STOPPED", "stopped by user", at(time.Minute), summary
	if got, err := s.GetSession(ctx, "s1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after UpdateSession = %+v, %v; want %+v", got, err, want)
	}
	if err := s.UpdateSession(ctx, "nope", "STOPPED", "", time.Time{}, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateSession of an unknown session = %v; want ErrNotFound", err)
	}
	if _, err := s.GetSession(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetSession of an unknown session = %v; want ErrNotFound", err)
	}
	if list, err := s.ListSessions(ctx, 0); err != nil || len(list) != 2 || list[0].ID != "s1" || list[1].ResumedFrom != "s1" {
		t.Errorf("ListSessions = %+v, %v", list, err)
	}
	if list, err := s.ListSessions(ctx, 1); err != nil || len(list) != 1 || list[0].ID != "s2" {
		t.Errorf("ListSessions(1) = %+v, %v; want the newest", list, err)
	}
}

// Sessions a crash left active are found and ended on the next start.
func TestMarkInterrupted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	createSession(t, s, "ticked", StateRunning)
	createSession(t, s, "starting", StateStarting)
	createSession(t, s, "done", "STOPPED")
	if err := s.CommitTick(ctx, &Batch{SessionID: "ticked", Time: at(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // the crash
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{})
	got, err := s.MarkInterrupted(ctx, "tradingd stopped while the session was active")
	if err != nil || len(got) != 2 {
		t.Fatalf("MarkInterrupted = %+v, %v; want 2 sessions", got, err)
	}
	for _, r := range got {
		if r.State != StateInterrupted || r.Reason != "tradingd stopped while the session was active" {
			t.Errorf("%s: %s %q", r.ID, r.State, r.Reason)
		}
	}
	if r, _ := s.GetSession(ctx, "ticked"); r.Ended != at(time.Minute) {
		t.Errorf("ticked session ended %v; want its last tick %v", r.Ended, at(time.Minute))
	}
	if r, _ := s.GetSession(ctx, "starting"); r.Ended != t0 {
		t.Errorf("session that never ticked ended %v; want its start", r.Ended)
	}
	if r, _ := s.GetSession(ctx, "done"); r.State != "STOPPED" || !r.Ended.IsZero() {
		t.Errorf("a finished session was touched: %+v", r)
	}
	if again, err := s.MarkInterrupted(ctx, "again"); err != nil || len(again) != 0 {
		t.Errorf("second MarkInterrupted = %+v, %v; want none", again, err)
	}
	if err := s.ResumeSession(ctx, "ticked", "resumed"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.GetSession(ctx, "ticked"); r.State != StateRunning || !r.Ended.IsZero() || r.Reason != "resumed" {
		t.Errorf("resumed session: %+v", r)
	}
	for _, id := range []string{"ticked", "done", "nope"} {
		if err := s.ResumeSession(ctx, id, "again"); !errors.Is(err, ErrInvalid) {
			t.Errorf("ResumeSession(%s) = %v; want ErrInvalid: it is not INTERRUPTED", id, err)
		}
	}
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	rows := []AuditRow{
		{Time: t0, Peer: "127.0.0.1:5000", Identity: "token", Method: "/trading.v1.TradingService/StartTrading", Args: `{"paper":true}`, Code: "OK", Count: 1},
		{Time: at(time.Second), Peer: "127.0.0.1:5001", Identity: "", Method: "/trading.v1.TradingService/StopTrading", Code: "UNAUTHENTICATED", Error: "no token", Refused: true, Count: 1},
		{Time: at(2 * time.Second), Peer: "127.0.0.1:5002", Identity: "token", Method: "/trading.v1.TradingService/ResetKillSwitch", Args: `{"reason":"ok"}`, Code: "OK", Count: 1},
	}
	for _, r := range rows {
		if err := s.Audit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.ListAudit(ctx, 0); err != nil || !reflect.DeepEqual(got, rows) {
		t.Errorf("ListAudit = %+v, %v", got, err)
	}
	if got, err := s.ListAudit(ctx, 2); err != nil || !reflect.DeepEqual(got, rows[1:]) {
		t.Errorf("ListAudit(2) = %+v, %v; want the newest two", got, err)
	}
}

// A tick's counters and the guard's rate window are committed with it and
// read back with the session, so that a resumed session carries on from
// them; a batch without counters keeps the stored ones.
func TestCommitKeepsCountersAndRateWindow(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	want := Counters{Ticks: 7, Events: 40, Orders: 5, Fills: 3, Refused: 2, Traded: 1500 * time.Millisecond}
	rr := &RiskRow{State: risk.Active, StartEquity: dec("100"), PeakEquity: dec("100"), Equity: dec("100"),
		SentTimes: []int64{t0.UnixNano(), at(time.Millisecond).UnixNano()}}
	if err := s.CommitTick(ctx, &Batch{SessionID: "s1", Time: at(time.Second), Counters: &want, Risk: rr}); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitTick(ctx, &Batch{SessionID: "s1", Time: at(2 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetSession(ctx, "s1"); err != nil || got.Counters != want {
		t.Errorf("counters = %+v, %v; want %+v", got.Counters, err, want)
	}
	if got, err := s.LoadRisk(ctx, "s1"); err != nil || !reflect.DeepEqual(got.SentTimes, rr.SentTimes) {
		t.Errorf("sent times = %v, %v; want %v", got.SentTimes, err, rr.SentTimes)
	}
}

// Only an INTERRUPTED session can be abandoned, and it is no longer listed
// as interrupted once it is.
func TestAbandonSession(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "crashed", StateRunning)
	if _, err := s.MarkInterrupted(ctx, "crash"); err != nil {
		t.Fatal(err)
	}
	createSession(t, s, "running", StateRunning)
	if list, err := s.InterruptedSessions(ctx); err != nil || len(list) != 1 || list[0].ID != "crashed" {
		t.Fatalf("InterruptedSessions = %+v, %v; want crashed", list, err)
	}
	if err := s.AbandonSession(ctx, "running", "no", at(time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Errorf("abandoning a running session = %v; want ErrInvalid", err)
	}
	if err := s.AbandonSession(ctx, "crashed", "abandoned by alice", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSession(ctx, "crashed")
	if err != nil || got.State != StateAbandoned || got.Reason != "abandoned by alice" || !got.Ended.Equal(at(time.Hour)) {
		t.Errorf("abandoned session = %+v, %v", got, err)
	}
	if list, err := s.InterruptedSessions(ctx); err != nil || len(list) != 0 {
		t.Errorf("InterruptedSessions after abandon = %+v, %v; want none", list, err)
	}
}
