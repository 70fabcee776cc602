package binance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/internal/venueemu"
)

// The whole adapter against the rehearsal venue, in process: the session
// connects, its book syncs, an order goes out, its fill comes back once,
// and the venue's ledger agrees with what the loop's side saw.
func TestSessionTradesOnTheRehearsalVenue(t *testing.T) {
	emu, err := venueemu.New(venueemu.Config{Symbols: []string{"BTC-USD"}, Seed: 7, APIKey: "k", Secret: "s3cret",
		Balances: map[string]money.Decimal{"USDT": money.FromInt(100_000)}, Step: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, SessionConfig{Config: Config{Endpoints: EmulatorEndpoints(emu.URL()), Env: "emulator",
		Keys: Keys{APIKey: NewSecret("k"), Secret: NewSecret("s3cret")}}, SessionID: "0123456789abcdef",
		Symbols: []string{"BTC-USD"}, BalanceTolerance: money.MustParse("0.0001")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, src := s.Venue(), s.Source()
	var last market.Event
	var reports []venue.ExecutionReport
	pump := func(until func() bool) {
		t.Helper()
		for !until() {
			if ctx.Err() != nil {
				t.Fatalf("timed out; reports %+v; health %+v", reports, s.Health(time.Now()))
			}
			ev, ok, err := src.Next(ctx, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			if ev.Kind == market.EventBook {
				last = ev
			}
			reports = v.OnEvent(&ev, reports)
		}
	}
	pump(func() bool { return last.Kind == market.EventBook })
	spec := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Market, Quantity: money.MustParse("0.01")}
	if rs := v.Submit(spec, "01234567-1", last, time.Now(), nil); len(rs) != 0 {
		t.Fatalf("submit answered at once: %+v", rs)
	}
	pump(func() bool { return len(reports) > 0 && reports[len(reports)-1].State == venue.StateFilled })
	var filled money.Decimal
	for _, r := range reports {
		filled = filled.Add(r.FillQuantity)
		if r.FillQuantity.IsPositive() && r.TradeID == 0 {
			t.Fatalf("a fill without the venue's trade id: %+v", r)
		}
	}
	if filled != spec.Quantity {
		t.Fatalf("filled %s, want %s; reports %+v", filled, spec.Quantity, reports)
	}
	l := emu.Ledger()
	if len(l.Resubmitted()) != 0 || len(l.Trades) == 0 {
		t.Fatalf("ledger: resubmitted %v, %d trades", l.Resubmitted(), len(l.Trades))
	}
	var venueQty money.Decimal
	for _, tr := range l.Trades {
		venueQty = venueQty.Add(tr.Quantity)
	}
	if venueQty != filled {
		t.Fatalf("the venue traded %s, the loop's side saw %s", venueQty, filled)
	}
	// A pass that took its view before the fill and read the balances
	// after it sees a drift "to be confirmed"; the next pass agrees.
	v.WantReconcile()
	healthy := func() bool {
		for _, h := range s.Health(time.Now()) {
			if h.Level != Healthy {
				return false
			}
		}
		return true
	}
	pump(healthy)
}

// A symbol the venue does not list is refused as such (ErrNotListed, a
// setting to fix), not reported as a venue that cannot be reached: the
// rehearsal venue answers an exchangeInfo naming it with -1121, as
// Binance does, and tradectl said "the venue is unavailable ... retry
// when the venue is reachable" (exit 13).
func TestSessionRefusesASymbolTheVenueDoesNotList(t *testing.T) {
	emu, err := venueemu.New(venueemu.Config{Symbols: []string{"BTC-USD"}, Seed: 7, APIKey: "k", Secret: "s3cret",
		Balances: map[string]money.Decimal{"USDT": money.FromInt(100_000)}, Step: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, SessionConfig{Config: Config{Endpoints: EmulatorEndpoints(emu.URL()), Env: "emulator",
		Keys: Keys{APIKey: NewSecret("k"), Secret: NewSecret("s3cret")}}, SessionID: "0123456789abcdef",
		Symbols: []string{"BTC-USD", "DOGE-USD"}, BalanceTolerance: money.MustParse("0.0001")})
	if err == nil {
		s.Close()
		t.Fatal("a session on a symbol the venue does not list opened")
	}
	if !errors.Is(err, ErrNotListed) || !strings.Contains(err.Error(), "DOGEUSDT") {
		t.Fatalf("open: %v, want ErrNotListed naming DOGEUSDT", err)
	}
}
