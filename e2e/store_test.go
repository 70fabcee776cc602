package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/store"
)

// A backup taken while a session trades is a consistent store that opens
// and holds the session; an existing file is never overwritten.
func TestBackupWhileTrading(t *testing.T) {
	d := startDaemon(t)
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "10ms"); code != 0 {
		t.Fatalf("start: %s", errOut)
	}
	time.Sleep(500 * time.Millisecond)
	dir := filepath.Join(d.DataDir, store.BackupsDir)
	file := filepath.Join(dir, "tradectl.db")
	out, errOut, code := d.Ctl(t, "backup", "tradectl.db")
	if code != 0 || !strings.Contains(out, file) {
		t.Fatalf("backup: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := d.Ctl(t, "backup", "tradectl.db"); code == 0 || !strings.Contains(errOut, "exist") {
		t.Fatalf("backup over an existing file: exit %d: %s", code, errOut)
	}
	d.Terminate(t)

	st, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer st.Close()
	sessions, err := st.ListSessions(context.Background(), 0)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions in the backup: %v %v", sessions, err)
	}
	list, _, err := st.ListOrders(context.Background(), sessions[0].ID, false, 0)
	if err != nil || len(list) == 0 {
		t.Fatalf("orders in the backup: %d %v", len(list), err)
	}
	if _, err := os.Stat(file + "-wal"); err == nil {
		t.Log("the backup has a WAL beside it now: opened in WAL mode, as expected")
	}
}

// A corrupt store refuses to trade: the daemon exits with a clear message.
func TestCorruptStoreIsRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tradectl.db"), []byte(strings.Repeat("not a database ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runDaemonOnce(t, dir)
	if err == nil || !strings.Contains(out, "refusing to trade") || !strings.Contains(out, "tradectl.db") {
		t.Fatalf("tradingd on a corrupt store: %v\n%s", err, out)
	}
}
