package assemble

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/remote"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Spec is what a session's parts are built from: its id (its book and its
// client order ids are named by it) and its settings, defaults applied.
type Spec struct {
	ID string
	settings.Settings
}

// Parts are what a session trades with.
type Parts struct {
	Source market.Source
	// Venue is any venue.Venue: the loop and the session ask nothing more
	// of it, so a live venue is one more assembler, not an edit to them.
	// (The journal stores the venue's state only when it has one.)
	Venue     venue.Venue
	Strategy  strategy.Strategy
	Portfolio *portfolio.Portfolio
	Risk      *risk.Guard
	// Orders is the session's book of orders, for queries.
	Orders *orders.Book
	// Remote is Strategy when it is a remote one (strategy remote:NAME):
	// the session makes it findable by its client while it runs, and
	// closes it at its end. Nil for a built-in strategy.
	Remote *remote.Strategy
	// Checks are the parts' own health checks (a live venue's connection:
	// market_data, user_stream, venue, clock, reconcile). One named like a
	// built-in check replaces it: a live feed judges its own freshness.
	Checks []sessionhealth.Check
	// Close releases what the parts hold outside the process (a live
	// venue's connections); the session calls it once, at its end,
	// whichever way it ends, after the loop stopped. Nil for none.
	Close func() error
	// LiveStart is a new live session's venue and its account's balances
	// as the venue reported them at its start; the session stores it,
	// once, for a resume to reconcile against and to check it resumes on
	// the same venue. Nil for paper, and for a resume that found it.
	LiveStart *store.LiveStart
}

// MaxFinishedOrders bounds the finished orders a session's book remembers
// for queries; open orders are always kept.
const MaxFinishedOrders = 10_000

// finishedIDs bounds the finished client ids the venue remembers: enough to
// refuse any recent reuse, small enough to persist with every tick that
// changes the venue.
const finishedIDs = 4096

// Paper assembles sessions on the embedded paper venue: a seeded simulated
// market with a book and trades, starting now, the matching engine with
// the session's fees and latency, the session's strategy, an exact
// account and the risk guard.
type Paper struct {
	// Replace, if set, may swap what Paper built (a test's strategy or
	// feed, say) before it is restored or used.
	Replace func(*Parts)
}

func venueConfig(s Spec) matching.Config {
	c := s.PaperVenue()
	c.FinishedIDs = finishedIDs
	return c
}

// Preflight refuses what Paper cannot build, before anything is: a live
// session, since Paper has no venue.
func (Paper) Preflight(s settings.Settings) error {
	if s.Mode == settings.ModeLive {
		return settings.ErrLiveUnavailable
	}
	return nil
}

// Build builds a new session's parts.
func (a Paper) Build(_ context.Context, s Spec) (Parts, error) {
	if err := a.Preflight(s.Settings); err != nil {
		return Parts{}, err
	}
	src, err := paper.NewSim(paper.SimConfig{Seed: s.Seed, Symbols: s.Symbols, Start: time.Now()})
	if err != nil {
		return Parts{}, err
	}
	engine, err := matching.New(venueConfig(s))
	if err != nil {
		return Parts{}, err
	}
	strat, rem, err := buildStrategy(s)
	if err != nil {
		return Parts{}, err
	}
	p := Parts{
		Source: src, Venue: engine, Strategy: strat, Remote: rem,
		Portfolio: portfolio.New("USD", s.StartingCash),
		Risk:      risk.New(*s.Risk, s.StartingCash),
		Orders:    orders.NewBook(s.ID, MaxFinishedOrders),
	}
	if a.Replace != nil {
		a.Replace(&p)
	}
	return p, nil
}

// buildStrategy builds the session's strategy: a built-in one by name, or,
// for remote:NAME, the loop's side of a strategy that a client drives over
// StrategyService (returned twice: as the strategy and as the remote).
func buildStrategy(s Spec) (strategy.Strategy, *remote.Strategy, error) {
	name, ok := settings.RemoteName(s.Strategy)
	if !ok {
		strat, err := strategy.New(s.Strategy, s.Params)
		return strat, nil, err
	}
	onDetach := remote.CancelOnDetach
	if s.OnDetach == settings.DetachKeep {
		onDetach = remote.KeepOnDetach
	}
	rem, err := remote.New(remote.Config{Name: name, SessionID: s.ID, Mode: remote.Live, Symbols: s.Symbols, OnDetach: onDetach})
	if err != nil {
		return nil, nil, err
	}
	return rem, rem, nil
}
