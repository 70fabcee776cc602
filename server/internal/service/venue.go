package service

import (
	"context"

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
func (t *Trading) GetVenue(context.Context, *tradingv1.GetVenueRequest) (*tradingv1.GetVenueResponse, error) {
	v := t.venue
	if v == nil {
		return &tradingv1.GetVenueResponse{}, nil
	}
	return &tradingv1.GetVenueResponse{Configured: true, Venue: v.Venue, Environment: v.Environment,
		Production: v.Production, Account: v.Account, QuoteAsset: v.Quote}, nil
}
