package assemble

import (
	"context"
	"errors"

	"github.com/tradectl/tradectl/internal/binance"
)

// Binance is the daemon's live venue on Binance Spot (or a rehearsal venue
// speaking its API), reached as cfg says.
func Binance(cfg binance.Config) LiveVenue { return binanceVenue{cfg: cfg} }

type binanceVenue struct{ cfg binance.Config }

func (v binanceVenue) Info() VenueInfo {
	quote := v.cfg.Quote
	if quote == "" {
		quote = binance.DefaultQuote
	}
	return VenueInfo{Venue: "binance", Environment: v.cfg.Env, Production: v.cfg.Env == binance.EnvProduction, Quote: quote}
}

// errNotLinked: package binance's Session (binance.Open) is built beside
// this branch and joined at merge; until then a live session fails to
// connect, as a venue that cannot be reached does, and says why.
var errNotLinked = errors.New("the Binance session (binance.Open) is not linked into this build")

func (v binanceVenue) Open(context.Context, LiveSpec) (LiveSession, error) { return nil, errNotLinked }
