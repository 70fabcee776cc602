package orders

import "github.com/tradectl/tradectl/internal/venue"

// legal[from] has bit 1<<to set for each state a report may move an order
// to from state from. An order never goes back, and a final state has no
// way out, so a duplicated or reordered report is refused rather than
// applied twice.
var legal = [...]uint8{
	venue.StateNew:             1<<venue.StateAccepted | 1<<venue.StateRejected,
	venue.StateAccepted:        1<<venue.StatePartiallyFilled | 1<<venue.StateFilled | 1<<venue.StateCancelled,
	venue.StatePartiallyFilled: 1<<venue.StatePartiallyFilled | 1<<venue.StateFilled | 1<<venue.StateCancelled,
	venue.StateFilled:          0,
	venue.StateCancelled:       0,
	venue.StateRejected:        0,
}

// legalTransition reports whether a report may move an order from state
// from to state to.
func legalTransition(from, to venue.OrderState) bool {
	return int(from) < len(legal) && legal[from]&(1<<to) != 0
}

// fills reports whether reaching state s takes a fill.
func fills(s venue.OrderState) bool {
	return s == venue.StatePartiallyFilled || s == venue.StateFilled
}
