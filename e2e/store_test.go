package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// A backup taken while a session trades is a consistent store that opens
// and holds the session; an existing file is never overwritten. It is
// checked as a user would: tradingd started on a data directory holding
// the backup serves its session and orders.
func TestBackupWhileTrading(t *testing.T) {
	d := startDaemon(t)
	if _, errOut, code := d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "10ms"); code != 0 {
		t.Fatalf("start: %s", errOut)
	}
	time.Sleep(500 * time.Millisecond)
	dir := filepath.Join(d.DataDir, "backups") // the default --backup-dir
	file := filepath.Join(dir, "tradectl.db")
	out, errOut, code := d.Ctl(t, "backup", "tradectl.db")
	if code != 0 || !strings.Contains(out, file) {
		t.Fatalf("backup: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := d.Ctl(t, "backup", "tradectl.db"); code == 0 || !strings.Contains(errOut, "exist") {
		t.Fatalf("backup over an existing file: exit %d: %s", code, errOut)
	}
	d.Terminate(t)

	// tradingd refuses a store that does not open (TestCorruptStoreIsRefused):
	// serving at all is the backup opening.
	restored := harness.StartDaemon(t, bins, harness.Options{DataDir: dir})
	defer restored.Terminate(t)
	out, errOut, code = restored.Ctl(t, "sessions", "-o", "json")
	var sessions tradingv1.ListSessionsResponse
	if code != 0 || protojson.Unmarshal([]byte(out), &sessions) != nil || len(sessions.GetSessions()) != 1 {
		t.Fatalf("sessions in the backup: exit %d: %s%s", code, out, errOut)
	}
	id := sessions.GetSessions()[0].GetId()
	out, errOut, code = restored.Ctl(t, "orders", "--session", id, "--limit", "10000", "-o", "json")
	var orders tradingv1.ListOrdersResponse
	if code != 0 || protojson.Unmarshal([]byte(out), &orders) != nil || len(orders.GetOrders()) == 0 {
		t.Fatalf("orders in the backup: exit %d: %.500s%s", code, out, errOut)
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
