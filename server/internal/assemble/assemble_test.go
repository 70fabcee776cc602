package assemble

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/server/internal/store"
)

func spec() Spec {
	limits := risk.DefaultLimits()
	maker, taker := int64(3), int64(5)
	return Spec{ID: "0123456789abcdef", Settings: settings.Settings{Seed: 7, Symbols: []string{"BTC-USD"}, Strategy: "sma",
		StartingCash: money.FromInt(1000), Risk: &limits, MakerFeeBps: &maker, TakerFeeBps: &taker,
		Latency: time.Millisecond, TickInterval: 10 * time.Millisecond}}
}

// Build wires the session's own settings into the parts, and Replace sees
// them before they are used.
func TestPaperBuildsFromTheSpec(t *testing.T) {
	var replaced strategy.Strategy
	p, err := Paper{Replace: func(p *Parts) { replaced = p.Strategy }}.Build(context.Background(), spec())
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.Venue.(*matching.Engine).Config()
	if cfg.MakerFeeBps != 3 || cfg.TakerFeeBps != 5 || cfg.Latency != time.Millisecond || cfg.FinishedIDs != finishedIDs {
		t.Fatalf("venue config %+v: want the spec's fees and latency", cfg)
	}
	if p.Orders.SessionID() != spec().ID || p.Portfolio.Snapshot().StartingCash.Cmp(money.FromInt(1000)) != 0 {
		t.Fatalf("book of %q, starting cash %s", p.Orders.SessionID(), p.Portfolio.Snapshot().StartingCash)
	}
	if p.Source == nil || p.Risk == nil || replaced == nil || replaced != p.Strategy {
		t.Fatalf("parts %+v; Replace saw strategy %v", p, replaced)
	}
	if _, err := (Paper{}).Build(context.Background(), Spec{ID: "x", Settings: settings.Settings{Strategy: "no-such-strategy"}}); err == nil {
		t.Fatal("an unknown strategy was built")
	}
}

// A session interrupted before its first commit is restored as new, its
// counters zero; Replace applies to a restore as to a build.
func TestPaperRestoresWhatWasNeverCommittedAsNew(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := spec()
	rec := store.SessionRecord{ID: s.ID, State: store.StateRunning, Started: time.Now(), SettingsJSON: []byte(`{}`)}
	if err := st.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	replaced := 0
	p, r, err := Paper{Replace: func(*Parts) { replaced++ }}.Restore(ctx, st, rec, s)
	if err != nil {
		t.Fatal(err)
	}
	if replaced != 1 || r.OrderSeq != 0 || r.Counts != (coordinator.Counts{}) || len(r.Open) != 0 || p.Venue.OpenTotal() != 0 {
		t.Fatalf("restored %+v (replaced %d times)", r, replaced)
	}
	if open, _ := p.Orders.List(true, 0); len(open) != 0 {
		t.Fatalf("open orders %v", open)
	}
	c, err := Coordinator(s, p, Wiring{Publish: func(orders.Event) {}}, r)
	if err != nil || c == nil {
		t.Fatalf("coordinator: %v", err)
	}
}
