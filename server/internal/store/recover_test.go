package store

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// A second daemon on the same data directory is refused.
func TestSecondDaemonOnTheDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenRecovered(context.Background(), dir, Options{Durability: DurabilityProcess}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = OpenRecovered(context.Background(), dir, Options{Durability: DurabilityProcess}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "another tradingd") {
		t.Fatalf("second open: %v", err)
	}
}

// A session a crash left active is marked interrupted before anything
// else opens the store, and the log says how to carry on or cancel it.
func TestOpenRecoveredMarksTheInterruptedSession(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{Durability: DurabilityProcess})
	if err != nil {
		t.Fatal(err)
	}
	createSession(t, s, "crashed", "RUNNING")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	st, err := OpenRecovered(context.Background(), dir, Options{Durability: DurabilityProcess}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec, err := st.ListSessions(context.Background(), 0)
	if err != nil || len(rec) != 1 || rec[0].State != "INTERRUPTED" {
		t.Fatalf("sessions after recovery: %+v, %v; want the one INTERRUPTED", rec, err)
	}
	if l := logs.String(); !strings.Contains(l, "found an interrupted session") || !strings.Contains(l, "session=crashed") ||
		!strings.Contains(l, "interrupted_sessions=1") {
		t.Fatalf("log does not name the interrupted session:\n%s", l)
	}
}
