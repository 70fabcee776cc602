package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Backups cannot fill the disk: the directory holds at most MaxBackups,
// one is written at a time, and none starts without room for it and the
// reserve. Each refusal leaves no file behind.
func TestBackupsAreBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, t.TempDir(), Options{BackupDir: dir, MaxBackups: 3})
	createSession(t, s, "s1", StateRunning)
	for i := range 3 {
		if _, err := s.Backup(ctx, fmt.Sprintf("b%d.db", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Backup(ctx, "b3.db"); !errors.Is(err, ErrBackupLimit) {
		t.Fatalf("fourth backup with MaxBackups 3: %v, want ErrBackupLimit", err)
	}
	if err := os.Remove(filepath.Join(dir, "b0.db")); err != nil {
		t.Fatal(err)
	}

	s.backupMu.Lock() // a backup in progress
	_, err := s.Backup(ctx, "b3.db")
	s.backupMu.Unlock()
	if !errors.Is(err, ErrBackupBusy) {
		t.Fatalf("backup beside another: %v, want ErrBackupBusy", err)
	}

	saved := backupReserve
	backupReserve = 1 << 62
	_, err = s.Backup(ctx, "b3.db")
	backupReserve = saved
	if !errors.Is(err, ErrBackupNoSpace) {
		t.Fatalf("backup without room: %v, want ErrBackupNoSpace", err)
	}

	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("backup directory holds %d entries after the refusals, want the 2 backups", len(entries))
	}
	if _, err := s.Backup(ctx, "b3.db"); err != nil {
		t.Fatalf("backup with room again: %v", err)
	}
}
