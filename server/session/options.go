package session

import (
	"log/slog"
	"time"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/health"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
	"github.com/tradectl/tradectl/server/paper"
	"github.com/tradectl/tradectl/server/portfolio"
	"github.com/tradectl/tradectl/server/strategy"
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
	Staleness func(tick time.Duration) health.Staleness
	// CheckTimeout bounds each health check.
	CheckTimeout time.Duration
	// Build assembles what a session trades with. Default: the paper venue.
	Build func(Settings) (Parts, error)
	// ExtraChecks run beside the built-in ones (a venue ping, say).
	ExtraChecks []health.Check
	// OnReport sees every published report, on the publisher's goroutine;
	// it must not block. The daemon feeds grpc.health.v1 and metrics from it.
	OnReport func(*Report)
	Logger   *slog.Logger
}

// Parts are what a session trades with.
type Parts struct {
	Feed      market.Feed
	Broker    broker.Broker
	Strategy  strategy.Strategy
	Portfolio *portfolio.Portfolio
}

// RestartPolicy bounds restarts of a failing child, as OTP's restart
// intensity does: more than Intensity failures within Period is not bad luck
// but a broken loop, and the session fails rather than thrash.
type RestartPolicy struct {
	Intensity  int
	Period     time.Duration
	BackoffMin time.Duration
	BackoffMax time.Duration
}

// StartingCash of a paper account, in USD.
var StartingCash = money.FromInt(100_000)

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
// does not flap a fast loop's health.
func DefaultStaleness(tick time.Duration) health.Staleness {
	return health.Staleness{
		DegradedAfter:  max(3*tick, 2*time.Second),
		UnhealthyAfter: max(10*tick, 5*time.Second),
	}
}

// BuildPaper assembles the embedded paper venue: a seeded random-walk market,
// a broker filling at the quote with a fee, and the SMA crossover strategy.
func BuildPaper(s Settings) (Parts, error) {
	feed, err := paper.NewMarket(s.Seed, s.Symbols)
	if err != nil {
		return Parts{}, err
	}
	br, err := paper.NewBroker(paper.DefaultFeeBps)
	if err != nil {
		return Parts{}, err
	}
	strat, err := strategy.NewSMA(strategy.DefaultSMAConfig())
	if err != nil {
		return Parts{}, err
	}
	return Parts{Feed: feed, Broker: br, Strategy: strat, Portfolio: portfolio.New("USD", StartingCash)}, nil
}
