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

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/money"
	"github.com/tradectl/tradectl/server/orders"
	"github.com/tradectl/tradectl/server/portfolio"
)

// tickN buys 1 at 100 with order n and leaves cash at 100000 − 100n: every
// tick changes orders, fills and cash together, so a copy that is not one
// snapshot shows it.
func tickN(n int) *Batch {
	id := fmt.Sprintf("s1-%d", n)
	when := at(time.Duration(n) * time.Millisecond)
	return &Batch{SessionID: "s1", Time: when,
		NewOrders:   []OrderRow{{ClientID: id, Seq: uint64(n), Spec: limitBuy("BTC-USD", "1", "100"), Created: when}},
		Transitions: []TransitionRow{{ClientID: id, Seq: 1, State: broker.StateFilled, Filled: dec("1"), Remaining: dec("0"), Time: when}},
		Fills: []FillRow{{ClientID: id, Seq: 1, Fill: orders.Fill{Quantity: dec("1"), Price: dec("100"),
			Liquidity: broker.Taker, Time: when}}},
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
	backupDir := t.TempDir()
	start := written.Load()
	err := s.Backup(ctx, filepath.Join(backupDir, DBFile))
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
	s := openStore(t, t.TempDir(), Options{})
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(context.Background(), path); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Backup over a file = %v; want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Fatal("Backup overwrote the file")
	}
}

// The copy holds all the store does: 0600 like the store, whatever the
// umask, and never readable by others while it is written.
func TestBackupIsPrivate(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Fatalf("backup mode %v, want 0600", mode)
	}
}

// A path no file can be written at is the caller's mistake, named as such.
func TestBackupToAnUnusablePath(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, say string }{
		{filepath.Join(dir, "missing", "copy.db"), "directory " + filepath.Join(dir, "missing") + ": does not exist"},
		{filepath.Join(file, "copy.db"), "directory " + file + ": is not a directory"},
	} {
		err := s.Backup(context.Background(), tc.path)
		if !errors.Is(err, ErrBackupPath) || !strings.Contains(err.Error(), tc.say) {
			t.Errorf("backup to %s: %v, want ErrBackupPath saying %q", tc.path, err, tc.say)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
