//go:build binanceparts

// This file wires the concrete parts into a Session. It is written
// against the parts' planned APIs (issue 13 design) and builds only with
// -tags binanceparts until those parts are merged; then the tag goes.

package binance

import (
	"context"
	"time"
)

func init() { buildParts = build }

// build constructs every part, none of them running yet. Nothing here
// talks to the venue: Open syncs the clock first.
func build(cfg SessionConfig, sink Sink, onConnect func()) (parts, error) {
	// The clock measures the offset through the REST client, and the
	// REST client signs with the clock's offset: the clock is made on a
	// late-bound API. (Adjust to how clock.go and rest.go resolve it.)
	api := &lateAPI{}
	clock := NewClock(api, ClockConfig{})
	rest, err := NewREST(cfg.Config, clock)
	if err != nil {
		return parts{}, err
	}
	api.API = rest
	md, err := NewMarketData(rest, MarketDataConfig{Config: cfg.Config, Symbols: cfg.Symbols, Heartbeat: cfg.Heartbeat})
	if err != nil {
		return parts{}, err
	}
	us := NewUserStream(UserStreamConfig{Config: cfg.Config, Clock: clock, Sink: sink, OnConnect: onConnect})
	snd := NewSender(rest, sink, SenderConfig{Config: cfg.Config, Clock: clock})
	rec := NewReconciler(rest, sink, ReconcileConfig{Config: cfg.Config, Symbols: cfg.Symbols,
		Tolerance: cfg.BalanceTolerance})
	return parts{API: rest, Clock: clockRunner{clock}, Market: md, UserStream: us, Sender: snd, VenueHealth: rest,
		Reconciler: reconcilerOf{rec, prefix(cfg.SessionID)}, Check: Rules.Check}, nil
}

// lateAPI is an API set after it is handed out (see build).
type lateAPI struct{ API }

// clockRunner gives the clock's Run the error result the session's
// runners have.
type clockRunner struct{ *Clock }

func (c clockRunner) Run(ctx context.Context) error { c.Clock.Run(ctx); return nil }

// reconcilerOf adapts *Reconciler to the session's view of it.
type reconcilerOf struct {
	r      *Reconciler
	prefix string
}

func (a reconcilerOf) Reconcile(ctx context.Context, v View) error {
	_, err := a.r.Reconcile(ctx, Snapshot{Open: v.Open, Expected: v.Expected, Prefix: a.prefix})
	return err
}

func (a reconcilerOf) Health(now time.Time) Health { return a.r.Health(now) }

// prefix is the start of every client order id of the session: the
// loop's OrderPrefix (server/internal/assemble: the session id's first 8
// characters) and the dash before the sequence number.
func prefix(sessionID string) string { return sessionID[:min(8, len(sessionID))] + "-" }
