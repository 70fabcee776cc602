package session

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/store"
)

// Options configure a Manager. The zero value of each field means its
// default.
type Options struct {
	// HealthInterval is the default heartbeat period (HEALTH_CHECK_INTERVAL).
	HealthInterval time.Duration
	// StopTimeout bounds a stop that nobody gave a deadline to (duration
	// elapsed, failure, daemon shutdown).
	StopTimeout time.Duration
	Restart     RestartPolicy
	// Staleness turns a tick interval into the thresholds at which a late
	// loop is DEGRADED and then UNHEALTHY.
	Staleness func(tick time.Duration) sessionhealth.Staleness
	// CheckTimeout bounds each health check.
	CheckTimeout time.Duration
	// Build assembles what a session trades with. Default: the paper venue.
	Build func(Settings) (Parts, error)
	// ExtraChecks run beside the built-in ones (a venue ping, say).
	ExtraChecks []sessionhealth.Check
	// OnReport sees every published report, on the publisher's goroutine;
	// it must not block. The daemon feeds grpc.health.v1 and metrics from it.
	OnReport func(*Report)
	// Store keeps sessions, orders, fills, the account, the venue and the
	// risk state durable, tick by tick. Nil keeps them in memory only.
	Store  store.Store
	Logger *slog.Logger

	// stopFailures counts, across sessions, children that failed while
	// being stopped; the Manager sets it.
	stopFailures *atomic.Uint64
}

// Parts are what a session trades with.
type Parts struct {
	Source    market.Source
	Venue     *matching.Engine
	Strategy  strategy.Strategy
	Portfolio *portfolio.Portfolio
	Risk      *risk.Guard
}

func (o Options) withDefaults() Options {
	if o.HealthInterval <= 0 {
		o.HealthInterval = DefaultHealth
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.Restart.Intensity <= 0 {
		o.Restart.Intensity = 5
	}
	if o.Restart.Period <= 0 {
		o.Restart.Period = time.Minute
	}
	if o.Restart.BackoffMin <= 0 {
		o.Restart.BackoffMin = 100 * time.Millisecond
	}
	if o.Restart.BackoffMax <= 0 {
		o.Restart.BackoffMax = 10 * time.Second
	}
	if o.Staleness == nil {
		o.Staleness = DefaultStaleness
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = time.Second
	}
	if o.Build == nil {
		o.Build = BuildPaper
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// DefaultStaleness calls a loop DEGRADED when it is three ticks late and
// UNHEALTHY at ten, with a floor so that scheduling noise on a busy machine
// does not flap a fast loop's sessionhealth.
func DefaultStaleness(tick time.Duration) sessionhealth.Staleness {
	return sessionhealth.Staleness{
		DegradedAfter:  max(3*tick, 2*time.Second),
		UnhealthyAfter: max(10*tick, 5*time.Second),
	}
}

// finishedIDs bounds the finished client ids the venue remembers: enough to
// refuse any recent reuse, small enough to persist with every tick that
// changes the venue.
const finishedIDs = 4096

func venueConfig(s Settings) matching.Config {
	return matching.Config{MakerFeeBps: *s.MakerFeeBps, TakerFeeBps: *s.TakerFeeBps, Latency: s.Latency, FinishedIDs: finishedIDs,
		Filters: paper.Filters}
}

// BuildPaper assembles the embedded paper venue: a seeded simulated market
// with a book and trades, starting now, the matching engine with the
// session's fees and latency, the session's strategy, an exact account and
// the risk guard. s must have its defaults applied.
func BuildPaper(s Settings) (Parts, error) {
	src, err := paper.NewSim(paper.SimConfig{Seed: s.Seed, Symbols: s.Symbols, Start: time.Now()})
	if err != nil {
		return Parts{}, err
	}
	venue, err := matching.New(venueConfig(s))
	if err != nil {
		return Parts{}, err
	}
	strat, err := strategy.New(s.Strategy, s.Params)
	if err != nil {
		return Parts{}, err
	}
	return Parts{
		Source: src, Venue: venue, Strategy: strat,
		Portfolio: portfolio.New("USD", s.StartingCash),
		Risk:      risk.New(*s.Risk, s.StartingCash),
	}, nil
}
