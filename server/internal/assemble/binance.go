package assemble

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// Binance is the daemon's live venue on Binance Spot (or a rehearsal venue
// speaking its API), reached as cfg says.
func Binance(cfg binance.Config) LiveVenue { return &binanceVenue{cfg: cfg} }

type binanceVenue struct {
	cfg binance.Config
	// account names the account once the venue has told us (GetVenue).
	mu      sync.Mutex
	account string
}

func (v *binanceVenue) Info() VenueInfo {
	quote := v.cfg.Quote
	if quote == "" {
		quote = binance.DefaultQuote
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return VenueInfo{Venue: "binance", Environment: v.cfg.Env, Production: v.cfg.Env == binance.EnvProduction,
		Quote: quote, Account: v.account}
}

// Account asks the venue which account the keys open, once it has
// answered: the operator sees it before a live session starts.
func (v *binanceVenue) Account(ctx context.Context) (string, error) {
	v.mu.Lock()
	known := v.account
	v.mu.Unlock()
	if known != "" {
		return known, nil
	}
	cfg, err := v.cfg.WithDefaults()
	if err != nil {
		return "", err
	}
	rest, err := binance.NewREST(cfg)
	if err != nil {
		return "", err
	}
	clock := binance.NewClock(rest, cfg)
	rest.UseClock(clock)
	if err := clock.Sync(ctx); err != nil {
		return "", err
	}
	a, err := rest.Account(ctx)
	if err != nil {
		return "", err
	}
	name := a.Name()
	v.mu.Lock()
	v.account = name
	v.mu.Unlock()
	return name, nil
}

func (v *binanceVenue) Open(ctx context.Context, s LiveSpec) (LiveSession, error) {
	rec := make([]binance.Recovered, len(s.Recovered))
	for i, r := range s.Recovered {
		rec[i] = binance.Recovered{Order: r.Order, TradeIDs: r.TradeIDs}
	}
	sess, err := binance.Open(ctx, binance.SessionConfig{Config: v.cfg, SessionID: s.ID, Symbols: s.Symbols,
		Recovered: rec, StartBalances: s.StartBalances, Net: s.Net, BalanceTolerance: balanceTolerance})
	if errors.Is(err, binance.ErrNotListed) {
		return nil, fmt.Errorf("%w: settings.symbols: %w", settings.ErrInvalid, err)
	}
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	v.account = sess.Account()
	v.mu.Unlock()
	return binanceSession{sess}, nil
}

// balanceTolerance is how far a balance may drift from what the session's
// fills explain before order entry halts, in each asset's units. Our
// expectation is exact (the venue's own amounts, fees in the asset it
// charged them in), so only a real difference exceeds it: a thousand
// units of the venue's last decimal place.
var balanceTolerance = money.MustParse("0.00001")

type binanceSession struct{ *binance.Session }

func (b binanceSession) Venue() venue.Venue { return b.Session.Venue() }

// Health maps the connection's parts onto the session's components.
func (b binanceSession) Health(now time.Time) []sessionhealth.Component {
	hs := b.Session.Health(now)
	out := make([]sessionhealth.Component, 0, len(hs))
	for _, h := range hs {
		st := sessionhealth.StatusHealthy
		switch h.Level {
		case binance.Degraded:
			st = sessionhealth.StatusDegraded
		case binance.Unhealthy:
			st = sessionhealth.StatusUnhealthy
		}
		out = append(out, sessionhealth.Component{Name: h.Name, Status: st, Reason: h.Reason, LastProgress: h.LastProgress})
	}
	return out
}
