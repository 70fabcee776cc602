package orders

import "github.com/tradectl/tradectl/server/broker"

// legal[from] has bit 1<<to set for each state a report may move an order
// to from state from. An order never goes back, and a final state has no
// way out, so a duplicated or reordered report is refused rather than
// applied twice.
var legal = [...]uint8{
	broker.StateNew:             1<<broker.StateAccepted | 1<<broker.StateRejected,
	broker.StateAccepted:        1<<broker.StatePartiallyFilled | 1<<broker.StateFilled | 1<<broker.StateCancelled,
	broker.StatePartiallyFilled: 1<<broker.StatePartiallyFilled | 1<<broker.StateFilled | 1<<broker.StateCancelled,
	broker.StateFilled:          0,
	broker.StateCancelled:       0,
	broker.StateRejected:        0,
}

// legalTransition reports whether a report may move an order from state
// from to state to.
func legalTransition(from, to broker.OrderState) bool {
	return int(from) < len(legal) && legal[from]&(1<<to) != 0
}

// fills reports whether reaching state s takes a fill.
func fills(s broker.OrderState) bool {
	return s == broker.StatePartiallyFilled || s == broker.StateFilled
}
