package session

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/remote"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
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
	// Assembler builds what each session trades with; required (the
	// daemon passes assemble.Paper).
	Assembler Assembler
	// Remote holds the remote strategies (strategy remote:NAME) waiting
	// for their clients: a running session's is registered there, so that
	// StrategyService finds it. Nil refuses remote strategies.
	Remote *remote.Registry
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

func (o Options) withDefaults() Options {
	if o.HealthInterval <= 0 {
		o.HealthInterval = settings.DefaultHealth
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

// Assembler builds what a session trades with from its settings. The
// session only runs what it is given: a new venue or strategy is a new
// Assembler (see package assemble), not a change here.
type Assembler interface {
	// Preflight refuses settings the assembler cannot build (a live
	// session without a venue, say), before any store I/O or connection.
	Preflight(settings.Settings) error
	// Build builds a new session's parts; a connection it opens is
	// bounded by ctx (the start request's).
	Build(context.Context, assemble.Spec) (assemble.Parts, error)
	// Restore rebuilds an interrupted session's parts from the store, as
	// of its last committed tick, reading only.
	Restore(ctx context.Context, st store.Store, rec store.SessionRecord, s assemble.Spec) (assemble.Parts, *assemble.Restored, error)
}

// specOf is what the assembler builds session id from: s with its
// defaults applied.
func specOf(id string, s settings.Settings) assemble.Spec { return assemble.Spec{ID: id, Settings: s} }
