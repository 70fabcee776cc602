package coordinator

import "github.com/tradectl/tradectl/internal/portfolio"

// adoptReservations makes what the portfolio holds for open orders match
// the orders open at the venue, as New finds them. Normally they match
// already, committed together every tick; they differ when the store was
// written before reservations were kept with the account (an interrupted
// session carried over an upgrade): its resting orders would otherwise
// promise nothing, and the same cash could be promised twice. A
// reservation whose order is no longer open is released.
func (c *Coordinator) adoptReservations() {
	open := c.cfg.Venue.Open(nil)
	live := make(map[string]bool, len(open))
	for _, o := range open {
		live[o.ClientID] = true
		if c.cfg.Portfolio.Reserved(o.ClientID) {
			continue
		}
		spec := o.Spec
		spec.Quantity = o.Remaining
		// A market order in flight has no price to value it at: it holds
		// nothing, as before reservations were kept, and the log says so.
		if err := c.reserve(o.ClientID, spec, spec.Price); err != nil {
			c.cfg.Logger.Warn("open order adopted without a reservation", "order", o.ClientID, "err", err)
		}
	}
	var stale []portfolio.Reservation
	for _, r := range c.cfg.Portfolio.State().Reservations {
		if !live[r.ClientID] {
			stale = append(stale, r)
		}
	}
	for _, r := range stale {
		c.cfg.Portfolio.Release(r.ClientID)
	}
}
