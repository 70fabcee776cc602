package venuepb

import (
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Every state the venue knows has a wire name of its own: a new state
// would otherwise reach clients as UNSPECIFIED.
func TestEveryStateHasItsOwnWireName(t *testing.T) {
	seen := map[tradingv1.OrderState]venue.OrderState{}
	for _, s := range []venue.OrderState{venue.StateNew, venue.StateAccepted, venue.StatePartiallyFilled,
		venue.StateFilled, venue.StateCancelled, venue.StateRejected} {
		w := State(s)
		if w == tradingv1.OrderState_ORDER_STATE_UNSPECIFIED {
			t.Errorf("%v has no wire name", s)
		}
		if other, dup := seen[w]; dup {
			t.Errorf("%v and %v are both %v", s, other, w)
		}
		seen[w] = s
	}
}

// A market order is IOC whatever its spec says; a limit order GTC unless IOC.
func TestTimeInForce(t *testing.T) {
	for _, c := range []struct {
		spec venue.OrderSpec
		want tradingv1.TimeInForce
	}{
		{venue.OrderSpec{Type: venue.Market}, tradingv1.TimeInForce_TIME_IN_FORCE_IOC},
		{venue.OrderSpec{Type: venue.Limit, TIF: venue.GTC}, tradingv1.TimeInForce_TIME_IN_FORCE_GTC},
		{venue.OrderSpec{Type: venue.Limit, TIF: venue.IOC}, tradingv1.TimeInForce_TIME_IN_FORCE_IOC},
	} {
		if got := TimeInForce(c.spec); got != c.want {
			t.Errorf("%+v: %v, want %v", c.spec, got, c.want)
		}
	}
}
