package assemble

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// ErrVenueUnavailable: a live session could not connect to its venue
// (unreachable, or the keys were refused). Nothing was sent.
var ErrVenueUnavailable = errors.New("the venue is unavailable")

// otherVenueError refuses a resume on a daemon whose venue is not the
// session's. It is settings.ErrLiveUnavailable to errors.Is (the same
// FAILED_PRECONDITION), without that error's words: the daemon has a
// venue, and --paper is no way to resume.
type otherVenueError string

func (e otherVenueError) Error() string        { return string(e) }
func (e otherVenueError) Is(target error) bool { return target == settings.ErrLiveUnavailable }

// VenueInfo is where a live session would trade, as GetVenue shows it. It
// never holds a key.
type VenueInfo struct {
	Venue       string // "binance"
	Environment string // "testnet", "production", "emulator"
	Production  bool   // real money: every risk limit must be set
	Account     string // the venue's name for the account; may be empty
	Quote       string // the venue asset our USD stands for (USDT)
}

// RecoveredOrder is an open order of a resumed live session and the venue
// trade ids its stored fills applied: the venue's reports of those are
// not applied again.
type RecoveredOrder struct {
	Order    venue.OpenOrder
	TradeIDs []int64
}

// LiveSpec is what a live session's connection is opened with.
type LiveSpec struct {
	Spec
	// Recovered, StartBalances and Net are set for a resumed session:
	// its open orders, its account's balances at its first start (nil if
	// none were stored: the venue's current ones are taken), and what its
	// stored fills changed of each asset, the expectation balances are
	// reconciled against.
	Recovered     []RecoveredOrder
	StartBalances map[string]money.Decimal
	Net           map[string]money.Decimal
}

// LiveSession is one live session's open connection to its venue
// (package binance's Session, behind this interface so that assemble
// depends on no venue).
type LiveSession interface {
	Venue() venue.Venue
	Source() market.Source
	// Health is the connection's components (market_data, user_stream,
	// venue, clock, reconcile) as of now, judged by themselves.
	Health(now time.Time) []sessionhealth.Component
	// StartBalances are the balances the session started from.
	StartBalances() map[string]money.Decimal
	Close() error
}

// LiveVenue opens live sessions on the daemon's one venue.
type LiveVenue interface {
	Info() VenueInfo
	// Open connects a session: ctx (the start or resume request's)
	// bounds the connecting only, and is cancelled when that request
	// returns; the connection's goroutines run under a context of their
	// own until Close.
	Open(ctx context.Context, s LiveSpec) (LiveSession, error)
}

// Live assembles paper sessions as Paper does and live ones on Venue.
type Live struct {
	Paper Paper
	Venue LiveVenue // nil: no venue, live sessions are refused
}

// Preflight refuses a live session this daemon cannot run, before anything
// is built: none without a venue, none on a production venue whose risk
// limits are not all set.
func (a Live) Preflight(s settings.Settings) error {
	if s.Mode != settings.ModeLive {
		return a.Paper.Preflight(s)
	}
	if a.Venue == nil {
		return settings.ErrLiveUnavailable
	}
	if a.Venue.Info().Production {
		return s.RequireAllLimits()
	}
	return nil
}

// Build builds a new session's parts; a live one connects to the venue,
// bounded by ctx (the request's).
func (a Live) Build(ctx context.Context, s Spec) (Parts, error) {
	if s.Mode != settings.ModeLive || a.Venue == nil {
		return a.Paper.Build(ctx, s)
	}
	ls, err := a.open(ctx, LiveSpec{Spec: s})
	if err != nil {
		return Parts{}, err
	}
	cash := ls.StartBalances()[a.Venue.Info().Quote]
	p, err := liveParts(s, ls, portfolio.New("USD", cash), risk.New(*s.Risk, cash))
	if err != nil {
		return Parts{}, errors.Join(err, ls.Close())
	}
	p.LiveStart = a.liveStart(ls)
	return p, nil
}

// liveStart is what the store keeps of a session's start on the venue.
func (a Live) liveStart(ls LiveSession) *store.LiveStart {
	info := a.Venue.Info()
	return &store.LiveStart{Venue: info.Venue, Environment: info.Environment, Quote: info.Quote, Balances: ls.StartBalances()}
}

func (a Live) open(ctx context.Context, ls LiveSpec) (LiveSession, error) {
	sess, err := a.Venue.Open(ctx, ls)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connecting to the venue: %w", ctx.Err())
		}
		if errors.Is(err, settings.ErrInvalid) {
			return nil, err // the venue answered and refused the settings: it is there
		}
		return nil, fmt.Errorf("%w: %s %s: %w", ErrVenueUnavailable, a.Venue.Info().Venue, a.Venue.Info().Environment, err)
	}
	return sess, nil
}

// liveParts are the parts of a live session on its open connection.
func liveParts(s Spec, ls LiveSession, pf *portfolio.Portfolio, g *risk.Guard) (Parts, error) {
	strat, rem, err := buildStrategy(s)
	if err != nil {
		return Parts{}, err
	}
	return Parts{Source: ls.Source(), Venue: ls.Venue(), Strategy: strat, Remote: rem, Portfolio: pf, Risk: g,
		Orders: orders.NewBook(s.ID, MaxFinishedOrders), Checks: healthChecks(ls), Close: ls.Close}, nil
}

// healthChecks are one check per component of the connection; each reads
// the session's own judgement, which costs no network call.
func healthChecks(ls LiveSession) []sessionhealth.Check {
	var checks []sessionhealth.Check
	for _, c := range ls.Health(time.Now()) {
		name := c.Name
		checks = append(checks, sessionhealth.Check{Name: name, Run: func(_ context.Context, now time.Time) sessionhealth.Component {
			for _, c := range ls.Health(now) {
				if c.Name == name {
					return c
				}
			}
			return sessionhealth.Component{Name: name, Status: sessionhealth.StatusUnhealthy, Reason: "the venue no longer reports it"}
		}})
	}
	return checks
}

// Restore rebuilds a resumed session: a paper one as Paper does; a live
// one reconnects with its open orders and the trade ids their fills
// applied, its stored start balances and what its fills changed of each
// asset, then takes its account, risk state and book from the store as
// Paper does. It only reads st.
func (a Live) Restore(ctx context.Context, st store.Store, rec store.SessionRecord, s Spec) (Parts, *Restored, error) {
	if s.Mode != settings.ModeLive || a.Venue == nil {
		return a.Paper.Restore(ctx, st, rec, s)
	}
	id := rec.ID
	open, _, err := st.ListOrders(ctx, id, true, 0)
	if err != nil {
		return Parts{}, nil, err
	}
	fills, err := st.ListFills(ctx, id, 0)
	if err != nil {
		return Parts{}, nil, err
	}
	info := a.Venue.Info()
	stored, err := st.LoadLiveStart(ctx, id)
	found := err == nil
	switch {
	case errors.Is(err, store.ErrNotFound): // a crash before it was stored: the venue's current balances
	case err != nil:
		return Parts{}, nil, err
	case stored.Venue != info.Venue || stored.Environment != info.Environment || stored.Quote != info.Quote:
		return Parts{}, nil, otherVenueError(fmt.Sprintf("session %s traded on %s %s (quote %s) and this daemon's venue is %s %s (quote %s): "+
			"restart tradingd with the session's venue to resume it", id,
			stored.Venue, stored.Environment, stored.Quote, info.Venue, info.Environment, info.Quote))
	}
	spec := LiveSpec{Spec: s, StartBalances: stored.Balances, Net: NetOfFills(fills, info.Quote)}
	for _, o := range open {
		spec.Recovered = append(spec.Recovered, recovered(o))
	}
	ls, err := a.open(ctx, spec)
	if err != nil {
		return Parts{}, nil, err
	}
	cash := ls.StartBalances()[info.Quote]
	parts, err := liveParts(s, ls, portfolio.New("USD", cash), risk.New(*s.Risk, cash))
	if err == nil {
		err = restoreAccount(ctx, st, id, s, &parts)
	}
	var r *Restored
	if err == nil {
		r, err = adoptOpen(ctx, st, rec, parts.Orders, open)
	}
	if err != nil {
		return Parts{}, nil, errors.Join(err, ls.Close())
	}
	if !found {
		parts.LiveStart = a.liveStart(ls) // never stored: the resume stores it
	}
	return parts, r, nil
}

func recovered(o orders.Order) RecoveredOrder {
	r := RecoveredOrder{Order: venue.OpenOrder{ClientID: o.ClientID, Spec: o.Spec, Filled: o.Filled, Remaining: o.Remaining,
		State: o.State, Submitted: o.Created, Active: o.State != venue.StateNew}}
	for _, f := range o.Fills {
		if f.TradeID > 0 {
			r.TradeIDs = append(r.TradeIDs, f.TradeID)
		}
	}
	return r
}

// NetOfFills is what fills changed of each asset of the account: a buy
// adds its quantity to the base asset and takes quantity × price from the
// quote, a sell the reverse; a fee is taken from the asset it was charged
// in (the quote when FeeAsset is empty).
func NetOfFills(fills []store.FillRow, quote string) map[string]money.Decimal {
	net := map[string]money.Decimal{}
	for _, f := range fills {
		// The store keeps a quote fee as Fee (FeeAsset empty) and any
		// other as FeeNative in FeeAsset.
		fee := f.Fee
		if f.FeeAsset != "" {
			fee = f.FeeNative
		}
		for _, d := range binance.FillEffect(f.Symbol, f.Side, f.Quantity, f.Price, fee, f.FeeAsset, quote) {
			if d.Asset != "" {
				net[d.Asset] = net[d.Asset].Add(d.Delta)
			}
		}
	}
	return net
}
