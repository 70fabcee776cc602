package coordinator

import (
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/venue"
)

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

// buyCost is the most a buy may spend, fees included: a limit order its
// limit plus the venue's higher fee, a market order the reference price
// plus 1% for the book walk and the fee. A market fill beyond that is
// still booked (the venue executed it) and shows as negative free cash
// rather than being hidden.
func (c *Coordinator) buyCost(spec venue.OrderSpec, ref money.Decimal) money.Decimal {
	if spec.Type == venue.Limit {
		cost := spec.Quantity.Mul(spec.Price)
		return cost.Add(cost.MulBps(max(c.cfg.Venue.FeeBps())))
	}
	cost := spec.Quantity.Mul(ref)
	return cost.Add(cost.MulBps(100))
}

// checkAccount refuses an order the account cannot honour (see
// portfolio.CheckOrder): the loop only prices what a buy may cost.
func (c *Coordinator) checkAccount(spec venue.OrderSpec, ref money.Decimal) error {
	var cost money.Decimal
	if spec.Side == venue.Buy {
		cost = c.buyCost(spec, ref)
	}
	return c.cfg.Portfolio.CheckOrder(&spec, cost, ref, c.cfg.Margin)
}

// reserve makes the portfolio hold what an order about to be sent to the
// venue promises, until it fills or ends. The portfolio refuses what could
// promise nothing (no quantity, a buy worth nothing): such an order is
// refused here, as the venue would refuse it.
func (c *Coordinator) reserve(id string, spec venue.OrderSpec, ref money.Decimal) error {
	r := portfolio.Reservation{ClientID: id, Symbol: spec.Symbol, Side: spec.Side, Remaining: spec.Quantity}
	if spec.Side == venue.Buy {
		r.Amount = c.buyCost(spec, ref)
	}
	return c.cfg.Portfolio.Reserve(r)
}

// account is what the strategy may read: strategy.Context, answered from
// the loop's own state without allocating.
type account struct{ c *Coordinator }

func (a *account) Position(symbol string) money.Decimal { return a.c.cfg.Portfolio.Position(symbol) }
func (a *account) OpenOrders(symbol string) int         { return a.c.cfg.Venue.OpenCount(symbol) }
func (a *account) Cash() money.Decimal                  { return a.c.cfg.Portfolio.Cash() }
func (a *account) Filters(symbol string) venue.Filters {
	return a.c.cfg.Venue.Filters(symbol)
}
func (a *account) Sellable(symbol string) (money.Decimal, bool) {
	if a.c.cfg.Margin != nil {
		return money.Decimal{}, false
	}
	pf := a.c.cfg.Portfolio
	return pf.Position(symbol).Sub(pf.ReservedQuantity(symbol)), true
}
