package binance

import (
	"context"
	"sync/atomic"
	"time"
)

func init() { buildParts = build }

// build constructs every part, none of them running yet. Nothing here
// talks to the venue: Open syncs the clock first.
func build(cfg SessionConfig, sink Sink, onConnect func()) (parts, error) {
	rest, err := NewREST(cfg.Config)
	if err != nil {
		return parts{}, err
	}
	// The REST client signs with the clock's offset, and the clock asks
	// the venue's time through the REST client.
	clock := NewClock(rest, cfg.Config)
	rest.UseClock(clock)
	symbols := SymbolMap{Quote: cfg.Quote}
	md, err := NewMarketData(rest, MarketDataConfig{Stream: cfg.Endpoints.Stream, Symbols: cfg.Symbols, Map: symbols,
		Heartbeat: cfg.Heartbeat, Logger: cfg.Logger, Now: cfg.Now})
	if err != nil {
		return parts{}, err
	}
	us, err := NewUserStream(UserStreamConfig{WSAPI: cfg.Endpoints.WSAPI, Keys: cfg.Keys, Map: symbols,
		RecvWindow: rest.RecvWindow(), Offset: clock.Offset, Sink: sink, OnConnect: onConnect,
		Logger: cfg.Logger, Now: cfg.Now})
	if err != nil {
		return parts{}, err
	}
	snd := NewSender(rest, sink, SenderConfig{RecvWindow: rest.RecvWindow(), Clock: clock, Logger: cfg.Logger})
	rec := NewReconciler(rest, sink, ReconcileConfig{Symbols: cfg.Symbols, Quote: cfg.Quote,
		Tolerance: cfg.BalanceTolerance, External: us.External, Logger: cfg.Logger, Now: cfg.Now})
	return parts{API: rest, Clock: clockRunner{clock}, Market: md, UserStream: us, Sender: snd, VenueHealth: rest,
		Reconciler: &reconcilerOf{r: rec, prefix: prefix(cfg.SessionID), now: cfg.Now, resolve: snd.Resolve},
		Check:      Rules.Check}, nil
}

// clockRunner gives the clock's Run the error result the session's
// runners have.
type clockRunner struct{ *Clock }

func (c clockRunner) Run(ctx context.Context) error { c.Clock.Run(ctx); return nil }

// reconcilerOf adapts *Reconciler to the session's view of it.
type reconcilerOf struct {
	r      *Reconciler
	prefix string
	now    func() time.Time
	// resolve asks the sender about an order the venue has not heard of
	// and that was never acknowledged: only the sender, which knows when
	// it sent it, may call it never sent.
	resolve func(symbol, clientID string)
	passes  atomic.Int64
}

func (a *reconcilerOf) Reconcile(ctx context.Context, v View) error {
	// The first pass runs in Open, before the loop trades: no fill can be
	// on its way to the loop, so a drift is real at once.
	settled := a.passes.Add(1) == 1
	rep, err := a.r.Reconcile(ctx, Snapshot{Open: v.Open, Expected: v.Expected, Prefix: a.prefix,
		Taken: a.now(), Settled: settled})
	for _, id := range rep.Unacknowledged {
		for _, o := range v.Open {
			if o.Order.ClientID == id {
				a.resolve(o.Order.Spec.Symbol, id)
			}
		}
	}
	return err
}

func (a *reconcilerOf) Health(now time.Time) Health { return a.r.Health(now) }

// Suspect: the last pass saw a drift it has not confirmed.
func (a *reconcilerOf) Suspect() bool { return a.r.Suspect() }

// prefix is the start of every client order id of the session: the
// loop's OrderPrefix (server/internal/assemble: the session id's first 8
// characters) and the dash before the sequence number.
func prefix(sessionID string) string { return sessionID[:min(8, len(sessionID))] + "-" }
