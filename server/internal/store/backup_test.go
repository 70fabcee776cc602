package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/venue"
)

// tickN buys 1 at 100 with order n and leaves cash at 100000 − 100n: every
// tick changes orders, fills and cash together, so a copy that is not one
// snapshot shows it.
func tickN(n int) *Batch {
	id := fmt.Sprintf("s1-%d", n)
	when := at(time.Duration(n) * time.Millisecond)
	return &Batch{SessionID: "s1", Time: when,
		NewOrders:   []OrderRow{{ClientID: id, Seq: uint64(n), Spec: limitBuy("BTC-USD", "1", "100"), Created: when}},
		Transitions: []TransitionRow{{ClientID: id, Seq: 1, State: venue.StateFilled, Filled: dec("1"), Remaining: dec("0"), Time: when}},
		Fills: []FillRow{{ClientID: id, Seq: 1, Fill: orders.Fill{Quantity: dec("1"), Price: dec("100"),
			Liquidity: venue.Taker, Time: when}}},
		Portfolio: &PortfolioRow{QuoteCurrency: "USD", StartingCash: dec("100000"),
			Cash: dec("100000").Sub(money.FromInt(100 * int64(n))), Positions: []portfolio.PositionState{{Symbol: "BTC-USD",
				Quantity: money.FromInt(int64(n)), CostBasis: money.FromInt(100 * int64(n)), Mark: dec("100"), Marked: true}}},
	}
}

// ticksUpTo is ticks 1 to n in one batch, to fill a database quickly.
func ticksUpTo(n int) *Batch {
	all := tickN(n)
	for i := 1; i < n; i++ {
		t := tickN(i)
		all.NewOrders = append(all.NewOrders, t.NewOrders...)
		all.Transitions = append(all.Transitions, t.Transitions...)
		all.Fills = append(all.Fills, t.Fills...)
	}
	return all
}

func TestBackupWhileCommitting(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	const prefill = 2000 // enough that the copy takes a while
	if err := s.CommitTick(ctx, ticksUpTo(prefill)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	written.Store(prefill)
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := prefill + 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if werr = s.CommitTick(ctx, tickN(n)); werr != nil {
				return
			}
			written.Store(int64(n))
		}
	}()
	for written.Load() < prefill+10 { // the writer is going
		time.Sleep(time.Millisecond)
	}
	start := written.Load()
	path, err := s.Backup(ctx, DBFile)
	backupDir := filepath.Dir(path)
	during := written.Load() - start
	for written.Load() < start+during+10 { // and goes on after
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err != nil || werr != nil {
		t.Fatalf("Backup: %v; writer: %v", err, werr)
	}

	b := openStore(t, backupDir, Options{})
	n := count(t, b, "orders")
	if n < int(start) || n >= int(written.Load()) {
		t.Fatalf("backup holds %d ticks; want at least the %d written before it and fewer than the %d by the end",
			n, start, written.Load())
	}
	p, err := b.LoadPortfolio(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if fills := count(t, b, "fills"); fills != n || p.Cash != dec("100000").Sub(money.FromInt(100*int64(n))) {
		t.Fatalf("backup is not one snapshot: %d orders, %d fills, cash %s", n, fills, p.Cash)
	}
	if sess, _ := b.GetSession(ctx, "s1"); sess.LastTick != at(time.Duration(n)*time.Millisecond) {
		t.Fatalf("backup's last tick %v is not its tick %d's", sess.LastTick, n)
	}
	t.Logf("backup holds %d of %d ticks; %d were committed while it ran", n, written.Load(), during)
	if left, _ := filepath.Glob(filepath.Join(backupDir, "*.tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{BackupDir: t.TempDir()})
	path := filepath.Join(s.opts.BackupDir, "backup.db")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(context.Background(), "backup.db"); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Backup over a file = %v; want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Fatal("Backup overwrote the file")
	}
}

// The copy holds all the store does: 0600 like the store, whatever the
// umask, and never readable by others while it is written. It goes into
// the backup directory, created 0700 in the data directory by default.
func TestBackupIsPrivate(t *testing.T) {
	data := t.TempDir()
	s := openStore(t, data, Options{})
	createSession(t, s, "s1", StateRunning)
	path, err := s.Backup(context.Background(), "copy.db")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, BackupsDir, "copy.db"); path != want {
		t.Fatalf("backup at %s, want %s", path, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Fatalf("backup mode %v, want 0600", mode)
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("backup directory: %v %v, want mode 0700", di.Mode(), err)
	}
}

// A backup names a file, never a path: nothing lands outside the backup
// directory, whatever the name.
func TestBackupRefusesPaths(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{BackupDir: t.TempDir()})
	outside := t.TempDir()
	for _, name := range []string{"", ".", "..", "../x.db", filepath.Join(outside, "x.db"), "a/b.db", ".hidden",
		"x\nssh-ed25519 AAAA", `..\x.db`} {
		if _, err := s.Backup(context.Background(), name); !errors.Is(err, ErrBackupPath) {
			t.Errorf("Backup(%q) = %v; want ErrBackupPath", name, err)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside the backup directory: %v", entries)
	}
	if entries, _ := os.ReadDir(s.opts.BackupDir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// A link, at the name or as the directory, is never followed: a backup
// cannot be steered into another file or directory.
func TestBackupFollowsNoLink(t *testing.T) {
	target := filepath.Join(t.TempDir(), "authorized_keys")
	s := openStore(t, t.TempDir(), Options{BackupDir: t.TempDir()})
	if err := os.Symlink(target, filepath.Join(s.opts.BackupDir, "copy.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(context.Background(), "copy.db"); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Backup onto a link = %v; want ErrExist", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the link was followed: %v", err)
	}

	// The backup directory swapped for a link after Open.
	elsewhere := t.TempDir()
	if err := os.RemoveAll(s.opts.BackupDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, s.opts.BackupDir); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(context.Background(), "other.db"); !errors.Is(err, ErrBackupPath) ||
		!strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Backup into a linked directory = %v; want ErrBackupPath naming the link", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
	// And Open refuses it outright.
	if _, err := Open(context.Background(), t.TempDir(), Options{BackupDir: s.opts.BackupDir}); err == nil ||
		!strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Open with a linked backup directory = %v; want a refusal", err)
	}
}

// A backup directory others may write is refused: they could plant a link.
func TestBackupDirMustBeOwn(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), t.TempDir(), Options{BackupDir: dir}); err == nil ||
		!strings.Contains(err.Error(), "writable by") {
		t.Fatalf("Open with a 0777 backup directory = %v; want a refusal", err)
	}
}

// The backup directory is never the data directory: there, a client could
// name a backup after a file SQLite reads beside the database (its
// -journal), even through another path to the same directory.
func TestBackupDirIsNotTheDataDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, backups := range []string{filepath.Join(dir, "data"), filepath.Join(dir, "data", "..", "data") + "/"} {
		s, err := Open(context.Background(), filepath.Join(dir, "data"), Options{BackupDir: backups})
		if err == nil {
			s.Close()
			t.Fatalf("--backup-dir %s, the data directory: opened, want it refused", backups)
		}
		if !strings.Contains(err.Error(), "is the data directory") {
			t.Errorf("--backup-dir %s: %v, want it to say it is the data directory", backups, err)
		}
	}
}
