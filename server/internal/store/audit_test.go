package store

import (
	"context"
	"strconv"
	"testing"
)

// Refused calls are kept up to MaxRefusedAudit rows, the newest; a call
// that was let through is never dropped, however many refusals follow it.
func TestAuditRetentionKeepsEveryAcceptedCall(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{MaxRefusedAudit: 3})
	write := func(a AuditRow) {
		t.Helper()
		a.Time = at(0)
		if err := s.Audit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	write(AuditRow{Method: "Start", Code: "OK"})
	for i := range 10 {
		write(AuditRow{Method: "Stop", Code: "Unauthenticated", Refused: true, Count: i + 1, Error: strconv.Itoa(i)})
	}
	write(AuditRow{Method: "Backup", Code: "AlreadyExists"})
	rows, err := s.ListAudit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Method+":"+r.Error+":"+strconv.Itoa(r.Count))
	}
	want := []string{"Start::1", "Stop:7:8", "Stop:8:9", "Stop:9:10", "Backup::1"}
	if len(got) != len(want) {
		t.Fatalf("audit rows %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit rows %v, want %v", got, want)
		}
	}
}
