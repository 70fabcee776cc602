package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

// liveTick is one order of a live session with a fill the venue
// identified by trade id 9001, its fee charged in the base asset.
func liveTick() *Batch {
	return &Batch{SessionID: "s1", Time: at(time.Second),
		NewOrders: []OrderRow{{ClientID: "s1-1", Seq: 1, Spec: limitBuy("BTC-USD", "1", "100"), Created: at(0)}},
		Transitions: []TransitionRow{
			{ClientID: "s1-1", Seq: 1, State: venue.StateAccepted, Filled: dec("0"), Remaining: dec("1"), Time: at(1)},
			{ClientID: "s1-1", Seq: 2, State: venue.StatePartiallyFilled, Filled: dec("0.4"), Remaining: dec("0.6"), Time: at(2)},
		},
		Fills: []FillRow{{ClientID: "s1-1", Seq: 1, Fill: orders.Fill{Quantity: dec("0.4"), Price: dec("100"),
			Fee: dec("0.04"), Liquidity: venue.Maker, Time: at(2), TradeID: 9001, FeeAsset: "BTC", FeeNative: dec("0.0004")}}},
	}
}

func TestFillKeepsVenueTradeAndNativeFee(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	b := liveTick()
	if err := s.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	want := b.Fills[0]
	want.Symbol, want.Side = "BTC-USD", venue.Buy
	fills, err := s.ListFills(ctx, "s1", 0)
	if err != nil || len(fills) != 1 || !reflect.DeepEqual(fills[0], want) {
		t.Fatalf("ListFills = %+v, %v\nwant %+v", fills, err, want)
	}
	list, _, err := s.ListOrders(ctx, "s1", false, 0)
	if err != nil || len(list) != 1 || len(list[0].Fills) != 1 || !reflect.DeepEqual(list[0].Fills[0], want.Fill) {
		t.Fatalf("ListOrders fills = %+v, %v", list, err)
	}
	events, err := s.OrderEventsAfter(ctx, 0, 0)
	if err != nil || len(events) != 0 {
		// liveTick has no events; what matters is that the query reads
		// the new columns without error.
		t.Fatalf("OrderEventsAfter = %+v, %v", events, err)
	}
}

// The same venue trade reported twice for one order (by the user stream
// and by reconciliation, say) is stored once: the second write is refused
// whatever fill number the loop gave it.
func TestDuplicateTradeIDRefused(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	if err := s.CommitTick(ctx, liveTick()); err != nil {
		t.Fatal(err)
	}
	again := &Batch{SessionID: "s1", Time: at(2 * time.Second),
		Transitions: []TransitionRow{{ClientID: "s1-1", Seq: 3, State: venue.StatePartiallyFilled, Filled: dec("0.8"),
			Remaining: dec("0.2"), Time: at(3)}},
		Fills: []FillRow{{ClientID: "s1-1", Seq: 2, Fill: orders.Fill{Quantity: dec("0.4"), Price: dec("100"),
			Time: at(3), TradeID: 9001}}}}
	before := counts(t, s)
	if err := s.CommitTick(ctx, again); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("a second fill with trade id 9001: %v, want ErrDuplicate", err)
	}
	if after := counts(t, s); !reflect.DeepEqual(after, before) {
		t.Fatalf("the refused tick left rows: %v, before %v", after, before)
	}
	// Another trade of the same order, and paper fills (trade id 0), are
	// not held to it.
	again.Fills[0].TradeID = 9002
	if err := s.CommitTick(ctx, again); err != nil {
		t.Fatalf("trade 9002: %v", err)
	}
}

func TestLiveStartSavedOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	if _, err := s.LoadLiveStart(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before any save: %v, want ErrNotFound", err)
	}
	want := LiveStart{Venue: "binance", Environment: "testnet", Quote: "USDT",
		Balances: map[string]money.Decimal{"USDT": dec("10000.5"), "BTC": dec("0.12345678"), "ETH": dec("0")}}
	if err := s.SaveLiveStart(ctx, "s1", want); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadLiveStart(ctx, "s1")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("LoadLiveStart = %+v, %v; want %+v", got, err, want)
	}
	again := LiveStart{Venue: "binance", Environment: "production", Quote: "USDT", Balances: map[string]money.Decimal{"USDT": dec("1")}}
	if err := s.SaveLiveStart(ctx, "s1", again); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("a second save: %v, want ErrDuplicate", err)
	}
	if got, _ := s.LoadLiveStart(ctx, "s1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after a refused save: %+v, want %+v", got, want)
	}
	if err := s.SaveLiveStart(ctx, "nope", want); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an unknown session: %v, want ErrInvalid", err)
	}
	if _, err := s.LoadLiveStart(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused save left %v", err)
	}
}

// A database written before live trading (schema 7) opens, and its fills
// read back as paper fills: no trade id, fees in the quote.
func TestSchema7DatabaseMigrates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, DBFile)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, Options{}, writer))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, path, migrations[:7]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO sessions (id, state, reason, settings, started) VALUES ('s1', 'STOPPED', '', '{}', 1)`,
		`INSERT INTO orders (session_id, client_id, seq, symbol, side, type, tif, post_only, quantity, price,
			decision_price, created, state, reason, filled, remaining, last_seq, updated)
			VALUES ('s1', 's1-1', 1, 'BTC-USD', 1, 1, 1, 0, 100000000, 10000000000, 0, 1, 'FILLED', '', 100000000, 0, 1, 2)`,
		`INSERT INTO fills (session_id, client_id, seq, quantity, price, fee, liquidity, slippage, time)
			VALUES ('s1', 's1-1', 1, 100000000, 10000000000, 5000000, 1, 0, 2)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir, Options{})
	var version int
	if err := s.r.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema version %d, %v; want %d", version, err, len(migrations))
	}
	fills, err := s.ListFills(ctx, "s1", 0)
	if err != nil || len(fills) != 1 {
		t.Fatalf("ListFills = %+v, %v", fills, err)
	}
	if f := fills[0]; f.TradeID != 0 || f.FeeAsset != "" || !f.FeeNative.IsZero() || f.Fee != dec("0.05") || f.Quantity != dec("1") {
		t.Fatalf("an old fill reads %+v", f)
	}
	if _, err := s.LoadLiveStart(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an old session's live start: %v, want ErrNotFound", err)
	}
}
