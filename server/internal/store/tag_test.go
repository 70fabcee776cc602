package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
)

// A remote strategy's tag comes back from every read of the order: the
// list (which resume adopts from), the open orders, the order events
// WatchOrders replays, and the paper venue's copy.
func TestTagRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	b := firstTick()
	b.Events = []EventRow{{ClientID: "s1-1"}, {ClientID: "s1-1", History: 1}, {ClientID: "s1-2"}}
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	open, _, err := s.ListOrders(ctx, "s1", true, 0)
	if err != nil || len(open) != 1 || open[0].Spec.Tag != "grid.lvl-3:a" {
		t.Fatalf("open orders: %+v %v; want the buy with its tag", open, err)
	}
	all, _, err := s.ListOrders(ctx, "s1", false, 0)
	if err != nil || len(all) != 2 || all[1].Spec.Tag != "" {
		t.Fatalf("an order without a tag: %+v %v", all, err)
	}
	events, err := s.OrderEventsAfter(ctx, 0, 0)
	if err != nil || len(events) != 3 {
		t.Fatalf("order events: %v %v", events, err)
	}
	for _, e := range events {
		if want := map[string]string{"s1-1": "grid.lvl-3:a", "s1-2": ""}[e.Order.ClientID]; e.Order.Spec.Tag != want {
			t.Errorf("event %d of %s: tag %q, want %q", e.Seq, e.Order.ClientID, e.Order.Spec.Tag, want)
		}
	}
	v, err := s.LoadVenue(ctx, "s1", 0)
	if err != nil || len(v.Orders) != 1 || v.Orders[0].Spec.Tag != "grid.lvl-3:a" {
		t.Fatalf("venue orders: %+v %v", v.Orders, err)
	}
}

// A database written before tags existed (schema 6) opens, its orders
// read back without a tag, and new orders keep theirs.
func TestMigrationAddsTagToExistingOrders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, "old", migrations[:6]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO sessions (id, state, reason, settings, started) VALUES ('old', 'INTERRUPTED', '', '{}', 1)`,
		`INSERT INTO orders (session_id, client_id, seq, symbol, side, type, tif, post_only, quantity, price,
			decision_price, created, state, reason, filled, remaining, last_seq, updated)
			VALUES ('old', 'old-1', 1, 'BTC-USD', 1, 1, 1, 0, 50000000, 5900000000000, 5900000000000, 1, 'ACCEPTED', '', 0, 50000000, 1, 2)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// As the store leaves its file: readable by its owner alone.
	if err := os.Chmod(filepath.Join(dir, DBFile), 0o600); err != nil {
		t.Fatal(err)
	}

	s := openStore(t, dir, Options{})
	var version int
	if err := s.r.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema version %d, %v; want %d", version, err, len(migrations))
	}
	list, _, err := s.ListOrders(ctx, "old", true, 0)
	if err != nil || len(list) != 1 || list[0].ClientID != "old-1" || list[0].Spec.Tag != "" || list[0].Spec.Side != venue.Buy {
		t.Fatalf("an order from before tags: %+v %v", list, err)
	}
	createSession(t, s, "s1", StateRunning)
	if err := s.CommitTick(ctx, firstTick()); err != nil {
		t.Fatal(err)
	}
	if open, _, err := s.ListOrders(ctx, "s1", true, 0); err != nil || len(open) != 1 || open[0].Spec.Tag != "grid.lvl-3:a" {
		t.Fatalf("a tagged order in a migrated database: %+v %v", open, err)
	}
}
