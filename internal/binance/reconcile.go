package binance

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Snapshot is what the loop's side believes, taken before a pass.
type Snapshot struct {
	Open []Recovered
	// Expected is each asset's balance that the start balances and our
	// applied fills (fees included) explain. Assets not named are not
	// compared.
	Expected map[string]money.Decimal
	// Prefix starts every client id of ours; an open order on the venue
	// with it that we do not know is a stray of ours. Empty: none is.
	Prefix string
	// Taken is when the snapshot was taken: an order the venue shows as
	// created after it (less strangerMargin) may be one the loop placed
	// since, so it is not judged a stray. Zero judges every order.
	Taken time.Time
	// Settled: no fill can be on its way from the venue to the loop's
	// side (at start, before the loop trades), so a drift beyond the
	// tolerance halts at once. Otherwise one pass may see on the venue a
	// fill the loop has not applied yet, and a drift halts only when two
	// passes in a row find one.
	Settled bool
}

// strangerMargin covers the clock offset between the venue's order times
// and our snapshot time.
const strangerMargin = 5 * time.Second

// ReconcileConfig configures a Reconciler.
type ReconcileConfig struct {
	// Symbols are ours whose open orders are listed every pass, besides
	// the symbols of the snapshot's orders.
	Symbols []string
	// Quote is the venue's quote asset of our symbols (default USDT): a
	// missed fill of BTC-USD moves BTC and Quote.
	Quote string
	// Tolerance is how far an asset's balance may differ from the
	// expectation before order entry halts (per asset, in its units).
	Tolerance money.Decimal
	// External sums the deposits, withdrawals and transfers seen
	// (UserStream.External); nil is none.
	External func() map[string]money.Decimal
	Logger   *slog.Logger
	Now      func() time.Time
}

// Drift is an asset whose balance on the venue is not what we expect.
type Drift struct {
	Asset            string
	Expected, Actual money.Decimal
	// Beyond: the difference exceeds the tolerance.
	Beyond bool
}

func (d Drift) String() string {
	return fmt.Sprintf("%s: venue %s, expected %s (diff %s)", d.Asset, d.Actual, d.Expected, d.Actual.Sub(d.Expected))
}

// Report is what one pass found and did.
type Report struct {
	Orders  int // our open orders compared
	Queried int // of which absent from the venue's open orders, asked one by one
	// Missed are the trades the pass handed over: fills the stream missed.
	Missed  []Trade
	Updates int
	// Unacknowledged: orders never acknowledged that the venue does not
	// know (-2013). The sender's Resolve decides (never sent, or late).
	Unacknowledged []string
	// Vanished: acknowledged orders the venue no longer knows (its history
	// was reset, as the testnet's is). Neither filled nor cancelled by us.
	Vanished []string
	// Strays: open on the venue with our prefix, unknown to us; cancelled.
	Strays []OrderUpdate
	Drift  []Drift
	Halted bool
	// Errors are per-order failures that did not stop the pass.
	Errors []string
}

// Reconciler compares the loop's side's view with the venue's and hands
// over what the user stream missed.
type Reconciler struct {
	api  API
	sink Sink
	cfg  ReconcileConfig
	pass sync.Mutex // one pass at a time

	mu     sync.Mutex
	halted bool
	// suspects counts the passes in a row that found a drift beyond
	// tolerance without halting; suspectDrift is the last one's.
	suspects     int
	suspectDrift []Drift
	lastRun      time.Time
	lastOK       time.Time
	last         Report
	lastErr      string
}

// NewReconciler returns a Reconciler; cfg's unset fields take defaults.
func NewReconciler(api API, sink Sink, cfg ReconcileConfig) *Reconciler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Quote == "" {
		cfg.Quote = DefaultQuote
	}
	if cfg.External == nil {
		cfg.External = func() map[string]money.Decimal { return nil }
	}
	return &Reconciler{api: api, sink: sink, cfg: cfg}
}

// Reconcile runs one pass: the venue's open orders per symbol; each of our
// orders that is not among them, queried by client id; the trades of every
// order whose executed quantity exceeds what we applied; the balances. It
// hands the differences to the Sink, cancels strays, and halts order entry
// ("reconcile") on a balance drift beyond the tolerance, resuming when a
// later pass agrees. An error means the pass could not see the venue.
func (rc *Reconciler) Reconcile(ctx context.Context, snap Snapshot) (Report, error) {
	rc.pass.Lock()
	defer rc.pass.Unlock()
	rep, err := rc.run(ctx, snap)
	now := rc.cfg.Now()
	rc.mu.Lock()
	rc.lastRun = now
	if err != nil {
		rc.lastErr = err.Error()
	} else {
		rc.lastErr, rc.lastOK, rc.last = "", now, rep
	}
	rc.mu.Unlock()
	if err != nil {
		rc.cfg.Logger.Warn("reconcile: pass failed", "err", err)
	}
	return rep, err
}

func (rc *Reconciler) run(ctx context.Context, snap Snapshot) (Report, error) {
	var v venueView
	// Open orders first: one call per symbol tells the state of every
	// order still open, so only the others are asked one by one (1,000
	// queries would cost 4,000 of the venue's 6,000 weight a minute).
	for _, sym := range reconcileSymbols(rc.cfg.Symbols, snap.Open) {
		open, err := rc.api.OpenOrders(ctx, sym)
		if err != nil {
			return Report{}, fmt.Errorf("open orders of %s: %w", sym, err)
		}
		v.Open = append(v.Open, open...)
	}
	var errs []string
	v.Queried, v.NotFound = map[string]OrderUpdate{}, map[string]bool{}
	missing := missingFromOpen(snap, v.Open)
	for _, r := range missing {
		id := r.Order.ClientID
		q, err := rc.api.Query(ctx, r.Order.Spec.Symbol, id)
		switch Classify(err) {
		case ClassNone:
			v.Queried[id] = q
		case ClassNotFound:
			v.NotFound[id] = true
		case ClassRateLimited, ClassBanned, ClassAuth, ClassClock:
			// Every other query would fail alike (and a 429 storm earns a ban).
			return Report{}, fmt.Errorf("query %s: %w", id, err)
		default:
			if ctx.Err() != nil {
				return Report{}, ctx.Err()
			}
			errs = append(errs, fmt.Sprintf("query %s: %v", id, err))
		}
	}
	v.Trades = map[string][]Trade{}
	byID := indexOpen(v.Open)
	for _, r := range needTrades(snap, v) {
		u, ok := byID[r.Order.ClientID]
		if !ok {
			u = v.Queried[r.Order.ClientID]
		}
		ts, err := rc.api.MyTrades(ctx, r.Order.Spec.Symbol, u.OrderID, 0)
		if err != nil {
			if ctx.Err() != nil {
				return Report{}, ctx.Err()
			}
			errs = append(errs, fmt.Sprintf("trades of %s: %v", r.Order.ClientID, err))
			continue
		}
		v.Trades[r.Order.ClientID] = ts
	}
	acct, err := rc.api.Account(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("account: %w", err)
	}
	v.Balances, v.External = acct.Balances, rc.cfg.External()

	p, err := reconcileCompare(snap, v, rc.cfg.Quote, rc.cfg.Tolerance)
	if err != nil {
		return Report{}, fmt.Errorf("compare: %w", err)
	}
	rep := Report{Orders: len(snap.Open), Queried: len(missing), Missed: p.Missed, Updates: len(p.Updates),
		Unacknowledged: p.Unacknowledged, Vanished: p.Vanished, Strays: p.Strays, Drift: p.Drift, Errors: errs}
	for _, u := range p.Updates {
		rc.sink.Update(u)
	}
	rc.sink.Balances(acct.Balances)
	for _, s := range p.Strays {
		if _, err := rc.api.Cancel(ctx, s.Symbol, s.ClientID); err != nil && Classify(err) != ClassNotFound {
			rep.Errors = append(rep.Errors, fmt.Sprintf("cancel stray %s: %v", s.ClientID, err))
		}
		rc.cfg.Logger.Warn("reconcile: cancelled an order of ours we did not know", "client_id", s.ClientID, "symbol", s.Symbol)
	}
	rc.judge(&rep, p, snap.Settled)
	return rep, nil
}

// judge halts or resumes order entry on the balance comparison.
func (rc *Reconciler) judge(rep *Report, p reconcilePlan, settled bool) {
	rc.mu.Lock()
	wasHalted := rc.halted
	// A pass that took its view while a fill was on its way to the loop
	// sees that fill as a drift; the next pass, a moment later, does not.
	// So an unsettled drift halts only when it is real: the same drift
	// again, or one beyond tolerance in confirmPasses passes in a row
	// (while orders keep flowing each pass may catch another in flight).
	halt := p.Beyond && (settled || wasHalted || sameDrift(rc.suspectDrift, p.Drift) || rc.suspects+1 >= confirmPasses)
	rc.halted = halt
	if p.Beyond && !halt {
		rc.suspects, rc.suspectDrift = rc.suspects+1, p.Drift
	} else {
		rc.suspects, rc.suspectDrift = 0, nil
	}
	rc.mu.Unlock()
	rep.Halted = halt
	if len(p.Drift) > 0 {
		rc.cfg.Logger.Warn("reconcile: balances differ from what our fills explain", "drift", driftText(p.Drift),
			"beyond_tolerance", p.Beyond, "halt", halt)
	}
	switch {
	case halt:
		rc.sink.Halt("reconcile", "balance drift beyond tolerance "+rc.cfg.Tolerance.String()+": "+driftText(p.Drift))
	case wasHalted:
		rc.sink.Resume("reconcile")
	}
	if len(rep.Missed) > 0 || len(rep.Vanished) > 0 || len(rep.Strays) > 0 {
		rc.cfg.Logger.Warn("reconcile: the venue differed", "missed_trades", len(rep.Missed),
			"vanished", rep.Vanished, "strays", len(rep.Strays), "never_acknowledged", rep.Unacknowledged)
	}
}

// reconcileSymbols is every symbol to list: configured or with an order.
func reconcileSymbols(cfg []string, open []Recovered) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range cfg {
		add(s)
	}
	for _, r := range open {
		add(r.Order.Spec.Symbol)
	}
	sort.Strings(out)
	return out
}
