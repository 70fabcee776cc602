package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestOpenMigratesOnce(t *testing.T) {
	dir := t.TempDir()
	for range 3 {
		s := openStore(t, dir, Options{})
		var versions, max int
		if err := s.r.QueryRow(`SELECT count(*), MAX(version) FROM schema_migrations`).Scan(&versions, &max); err != nil {
			t.Fatal(err)
		}
		if versions != len(migrations) || max != len(migrations) {
			t.Fatalf("schema_migrations: %d rows up to %d, want %d", versions, max, len(migrations))
		}
		var mode string
		if err := s.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
		}
		var fk int
		if err := s.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("writer foreign_keys = %d, %v", fk, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	pid, err := os.ReadFile(filepath.Join(dir, LockFile))
	if err != nil || strings.TrimSpace(string(pid)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("lock file holds %q, %v; want our pid", pid, err)
	}
}

func TestOpenSetsSynchronousPerDurability(t *testing.T) {
	for d, want := range map[Durability]int{DurabilityProcess: 1, DurabilityMachine: 2} {
		s := openStore(t, t.TempDir(), Options{Durability: d})
		var got int
		if err := s.w.QueryRow(`PRAGMA synchronous`).Scan(&got); err != nil || got != want {
			t.Errorf("%s: synchronous = %d, %v; want %d", d, got, err, want)
		}
	}
}

// A step added to the code later is applied once, on the next open.
func TestMigrateAppliesNewStepOnce(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	steps := append(append([]string(nil), migrations...), `CREATE TABLE extra (x INTEGER) STRICT`)
	for range 2 {
		if err := migrate(context.Background(), s.w, s.path, steps); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.w.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = ?`, len(steps)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("version %d recorded %d times, %v", len(steps), n, err)
	}
	if _, err := s.w.Exec(`INSERT INTO extra VALUES (1)`); err != nil {
		t.Fatalf("new step not applied: %v", err)
	}
	// This code now sees a newer database than it knows.
	if err := migrate(context.Background(), s.w, s.path, migrations); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("migrate to fewer steps: %v, want ErrSchemaTooNew", err)
	}
}

// A failing step leaves the database at the last whole version.
func TestMigrateFailedStepLeavesNothing(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	steps := append(append([]string(nil), migrations...), `CREATE TABLE half (x INTEGER); SELECT no_such_function()`)
	if err := migrate(context.Background(), s.w, s.path, steps); err == nil {
		t.Fatal("a failing step succeeded")
	}
	var half int
	if err := s.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&half); err != nil || half != 0 {
		t.Fatalf("the failed step left table half (%d, %v)", half, err)
	}
	if err := migrate(context.Background(), s.w, s.path, migrations); err != nil {
		t.Fatalf("after a failed step: %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	if _, err := s.w.Exec(`INSERT INTO schema_migrations VALUES (?, 0)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), filepath.Join(dir, DBFile)) {
		t.Fatalf("Open = %v; want ErrSchemaTooNew naming the file", err)
	}
	t.Log(err)
}

func TestSecondOpenRefused(t *testing.T) {
	dir := t.TempDir()
	first := openStore(t, dir, Options{})
	_, err := Open(context.Background(), dir, Options{})
	want := fmt.Sprintf("another tradingd (pid %d) holds the data directory", os.Getpid())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Fatalf("second Open = %v; want ErrLocked saying %q", err, want)
	}
	t.Log(err)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openStore(t, dir, Options{})
}

func TestOpenRefusesGarbageFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DBFile)
	garbage := bytes.Repeat([]byte("not a database, just garbage. "), 1000)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v; want ErrCorrupt naming %s", err, path)
	}
	t.Log(err)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, garbage) {
		t.Fatal("Open wrote into the file it refused")
	}
}

// A real database with damaged pages is caught by quick_check at open.
func TestOpenRefusesDamagedPages(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	for i := range 200 {
		if err := s.Audit(context.Background(), AuditRow{Time: t0, Method: "Start", Args: strings.Repeat("x", 500), Code: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DBFile)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	// Trash the back half of the file: the audit table's pages.
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, int(info.Size()/2)), info.Size()/2); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	_, err = Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v; want ErrCorrupt naming %s", err, path)
	}
	t.Log(err)
}

func TestOpenRefusesForeignDatabase(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE photos (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	// sqlite made it 0644, which Open refuses first; this test is about
	// what the file holds.
	if err := os.Chmod(filepath.Join(dir, DBFile), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, DBFile))
	_, err = Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "another program's database") {
		t.Fatalf("Open = %v; want ErrCorrupt for a foreign database", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, DBFile)); !bytes.Equal(after, before) {
		t.Fatal("Open changed the database it refused")
	}
}

func TestOpenRefusesReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which ignores file permissions; TestClassify covers the mapping of EACCES and EROFS")
	}
	dir := t.TempDir()
	openStore(t, dir, Options{}).Close()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open = %v; want ErrReadOnly naming %s", err, dir)
	}
	t.Log(err)
}

func TestClassify(t *testing.T) {
	for errno, want := range map[syscall.Errno]error{
		syscall.ENOSPC: ErrDiskFull, syscall.EDQUOT: ErrDiskFull, syscall.EROFS: ErrReadOnly, syscall.EACCES: ErrReadOnly,
	} {
		err := classify(&fs.PathError{Op: "write", Path: "/data/x", Err: errno})
		if !errors.Is(err, want) || !errors.Is(err, errno) {
			t.Errorf("classify(%v) = %v; want it to wrap %v and keep the cause", errno, err, want)
		}
	}
	if err := classify(errors.New("other")); err.Error() != "other" {
		t.Errorf("classify changed an unrelated error: %v", err)
	}
}

// SQLITE_FULL (here from the page limit standing in for a full disk) is
// ErrDiskFull, and the tick that hit it leaves nothing behind.
func TestDiskFullLeavesNothing(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	var pages int
	if err := s.w.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	before := counts(t, s)
	b := &Batch{SessionID: "s1", Time: t0}
	for i := range 2000 {
		b.NewOrders = append(b.NewOrders, OrderRow{ClientID: fmt.Sprintf("o-%d", i+1), Seq: uint64(i + 1),
			Spec: limitBuy("BTC-USD", "1", "100"), Created: t0})
	}
	err := s.CommitTick(context.Background(), b)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("CommitTick = %v; want ErrDiskFull", err)
	}
	t.Log(err)
	if after := counts(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a failed tick left rows: %v, before %v", after, before)
	}
}
