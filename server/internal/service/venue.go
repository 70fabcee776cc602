package service

import (
	"context"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
)

// WithVenue tells the adapter where the daemon's live sessions trade, for
// GetVenue; without it the daemon has no venue. Call it before serving.
func (t *Trading) WithVenue(v assemble.VenueInfo) *Trading {
	t.venue = &v
	return t
}

// GetVenue says where a live session would trade. It reads only what the
// daemon was started with: never a key, which VenueInfo does not hold.
func (t *Trading) GetVenue(ctx context.Context, _ *tradingv1.GetVenueRequest) (*tradingv1.GetVenueResponse, error) {
	v := t.venue
	if v == nil {
		return &tradingv1.GetVenueResponse{}, nil
	}
	account := v.Account
	if d, ok := t.live.(accountDescriber); ok && account == "" {
		// The venue names the account its keys open; if it cannot be
		// asked now, the answer says nothing of the account rather than
		// fail: the operator still sees venue and environment.
		actx, cancel := context.WithTimeout(ctx, accountTimeout)
		account, _ = d.Account(actx)
		cancel()
	}
	return &tradingv1.GetVenueResponse{Configured: true, Venue: v.Venue, Environment: v.Environment,
		Production: v.Production, Account: account, QuoteAsset: v.Quote}, nil
}

// accountDescriber is a live venue that can ask its venue which account
// the daemon's keys open (assemble.Binance).
type accountDescriber interface {
	Account(ctx context.Context) (string, error)
}

// accountTimeout bounds GetVenue's question to the venue.
const accountTimeout = 5 * time.Second

// WithLiveVenue is WithVenue for a venue that can also name its account.
func (t *Trading) WithLiveVenue(lv assemble.LiveVenue) *Trading {
	t.live = lv
	return t.WithVenue(lv.Info())
}
