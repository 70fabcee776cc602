package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/venue"
)

// t0 is in UTC without a monotonic reading, as times come back from the
// store, so that they compare with ==.
var t0 = time.Unix(1_780_000_000, 123_456_789).UTC()

func at(d time.Duration) time.Time { return t0.Add(d) }

func openStore(tb testing.TB, dir string, opts Options) *SQLite {
	tb.Helper()
	s, err := Open(context.Background(), dir, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func createSession(tb testing.TB, s Store, id, state string) {
	tb.Helper()
	err := s.CreateSession(context.Background(), SessionRecord{ID: id, State: state, SettingsJSON: []byte(`{"symbols":["BTC-USD"]}`),
		Started: t0})
	if err != nil {
		tb.Fatalf("CreateSession: %v", err)
	}
}

func dec(s string) money.Decimal { return money.MustParse(s) }

func limitBuy(symbol, qty, price string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: symbol, Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: dec(qty), Price: dec(price)}
}

func marketSell(symbol, qty string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: symbol, Side: venue.Sell, Type: venue.Market, TIF: venue.IOC, Quantity: dec(qty)}
}

// threePositions is a portfolio state of the shape a tick writes.
func threePositions(cash string) *PortfolioRow {
	return &PortfolioRow{QuoteCurrency: "USD", StartingCash: dec("100000"), Cash: dec(cash), RealizedPnL: dec("12.5"),
		FeesPaid: dec("3.25"), Positions: []portfolio.PositionState{
			{Symbol: "BTC-USD", Quantity: dec("0.5"), CostBasis: dec("30000"), Mark: dec("60010.5"), Marked: true, RealizedPnL: dec("10"), FeesPaid: dec("2")},
			{Symbol: "ETH-USD", Quantity: dec("-2"), CostBasis: dec("-6000"), Mark: dec("2999.99"), Marked: true, RealizedPnL: dec("2.5"), FeesPaid: dec("1.25")},
			{Symbol: "SOL-USD", Mark: dec("150"), Marked: true},
		}, Reservations: []portfolio.Reservation{
			{ClientID: "s1-1", Symbol: "BTC-USD", Side: venue.Buy, Remaining: dec("0.5"), Amount: dec("29505.9")},
			{ClientID: "s1-7", Symbol: "BTC-USD", Side: venue.Sell, Remaining: dec("0.25")},
		}}
}

// count is the number of rows in table.
func count(tb testing.TB, s *SQLite, table string) int {
	tb.Helper()
	var n int
	if err := s.r.QueryRow(fmt.Sprintf("SELECT count(*) FROM %s", table)).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

// tables are those CommitTick writes, for proving what a batch left.
var tables = []string{"orders", "order_history", "fills", "portfolios", "positions", "risk", "venues", "venue_orders", "venue_finished", "reservations", "order_events"}

func counts(tb testing.TB, s *SQLite) map[string]int {
	tb.Helper()
	m := make(map[string]int, len(tables))
	for _, t := range tables {
		m[t] = count(tb, s, t)
	}
	return m
}
