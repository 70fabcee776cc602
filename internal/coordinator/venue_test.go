package coordinator

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// lastTick keeps what the latest commit said of the venue.
type lastTick struct {
	commits int
	venue   *matching.State
}

func (j *lastTick) Commit(_ context.Context, t *Tick) error {
	j.commits++
	j.venue = t.Venue
	return nil
}

// The loop trades with any venue.Venue. The journal keeps the venue's
// state only from a venue that has one to keep (the paper engine); a venue
// without State, as a live one will be, trades the same and journals
// none.
func TestJournalKeepsTheStateOfAVenueThatHasOne(t *testing.T) {
	for _, c := range []struct {
		name      string
		wrap      func(*matching.Engine) venue.Venue
		wantState bool
	}{
		{"paper engine", func(e *matching.Engine) venue.Venue { return e }, true},
		{"venue without state", func(e *matching.Engine) venue.Venue { return struct{ venue.Venue }{e} }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			engine, err := matching.New(matching.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			j := &lastTick{}
			pf := portfolio.New("USD", money.FromInt(10_000))
			co, err := New(Config{OrderPrefix: "s", TickInterval: time.Second,
				Source: &script{evs: []market.Event{book(0, 100), book(1, 100)}}, Venue: c.wrap(engine),
				Strategy: &planned{at: map[int]venue.OrderSpec{1: buy("2")}}, Portfolio: pf,
				Risk: risk.New(risk.DefaultLimits(), money.FromInt(10_000)), Orders: orders.NewBook("s", 100), Journal: j})
			if err != nil {
				t.Fatal(err)
			}
			if err := co.Backtest(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := co.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := pf.Position("BTC-USD"); got != money.FromInt(2) {
				t.Fatalf("position = %s, want 2", got)
			}
			if j.commits != 1 || (j.venue != nil) != c.wantState {
				t.Fatalf("%d commits, venue state %+v; want it kept: %v", j.commits, j.venue, c.wantState)
			}
			if c.wantState && j.venue.Seq != 1 {
				t.Fatalf("venue state %+v, want the one order's sequence", j.venue)
			}
		})
	}
}
