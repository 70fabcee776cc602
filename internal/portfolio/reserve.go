package portfolio

import (
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Reservation is what an open order has promised of the account: a buy
// cash (Amount), a sell its remaining quantity of the symbol. Reservations belong to the account, not to whoever places
// orders: they are part of State, so a resumed session knows what its
// resting orders already promised.
type Reservation struct {
	ClientID string
	Symbol   string
	Side     venue.Side
	// Remaining is the quantity not yet filled.
	Remaining money.Decimal
	// Amount is the cash a buy still holds for its remaining quantity,
	// fees included; zero for a sell. Each fill takes exactly what it
	// cost off Amount (down to zero) as it takes the same off cash, so a
	// fill never changes the cash left free, however prices and fees
	// round.
	Amount money.Decimal
}

// CheckOrder refuses an order the account cannot honour. A buy needs cost
// (what it may spend, fees included) free: cash not already promised to
// open buys. A sell needs its quantity held and not already promised to
// open sells; only a margin account (m not nil) may sell more, borrowing
// up to m.MaxBorrow, the borrowed quantity valued at ref. Open orders hold
// reservations (see Reservation), so orders in flight or resting cannot
// together promise more than the account has, and a resumed session knows
// what its resting orders promised.
func (p *Portfolio) CheckOrder(spec *venue.OrderSpec, cost, ref money.Decimal, m *Margin) error {
	if spec.Side == venue.Buy {
		if free := p.FreeCash(); cost.Cmp(free) > 0 {
			return fmt.Errorf("insufficient cash: the order needs %s, the account has %s free (%s reserved for open buys)",
				cost, free, p.ReservedCash())
		}
		return nil
	}
	held, promised := p.Position(spec.Symbol), p.ReservedQuantity(spec.Symbol)
	short := spec.Quantity.Add(promised).Sub(held) // what the sell would borrow
	if !short.IsPositive() {
		return nil
	}
	if m == nil {
		return fmt.Errorf("insufficient holdings: a cash account cannot sell %s %s, it holds %s (%s promised to open sells)",
			spec.Quantity, spec.Symbol, held, promised)
	}
	borrowed := p.Borrowing(spec.Symbol)
	total := borrowed.Add(short.Mul(ref))
	if total.Cmp(m.MaxBorrow) > 0 {
		return fmt.Errorf("borrowing limit: the sell would borrow %s in all, over the account's max borrow of %s (%s borrowed or promised on other symbols)",
			total, m.MaxBorrow, borrowed)
	}
	return nil
}

// Reserve records what the open order r.ClientID promises until it fills
// or ends. It refuses a duplicate id, an invalid side, a non-positive
// remaining quantity, or a buy holding no cash.
func (p *Portfolio) Reserve(r Reservation) error {
	if r.Side == venue.Buy && r.Amount.IsZero() {
		return fmt.Errorf("portfolio: reservation of order %q: a buy holding no cash promises nothing", r.ClientID)
	}
	return p.add(r)
}

// add records r. A buy's Amount may be zero here: fills that cost more
// than their order held (a market order walking past its headroom) use it
// up before the order ends, and Restore must take such a state back.
func (p *Portfolio) add(r Reservation) (err error) {
	if err := r.check(); err != nil {
		return err
	}
	if _, dup := p.reserved[r.ClientID]; dup {
		return fmt.Errorf("portfolio: order %q already has a reservation", r.ClientID)
	}
	defer money.RecoverOverflow(&err)
	cash, qty := p.reservedCash.Add(r.Amount), p.reservedQty[r.Symbol]
	if r.Side == venue.Sell {
		qty = qty.Add(r.Remaining)
	}
	p.reserved[r.ClientID] = r
	p.reservedCash = cash
	if r.Side == venue.Sell {
		p.reservedQty[r.Symbol] = qty
	}
	return nil
}

// Release drops what is left of clientID's reservation: the order ended
// (cancelled, rejected, expired). Releasing an order without one does
// nothing.
func (p *Portfolio) Release(clientID string) {
	r, ok := p.reserved[clientID]
	if !ok {
		return
	}
	p.consume(&r, r.Remaining, r.Amount)
}

// consume takes qty and cost (each at most what remains) off a
// reservation, as a fill does, and deletes it when no quantity remains:
// what a filled buy held beyond its fills' cost is free again.
func (p *Portfolio) consume(r *Reservation, qty, cost money.Decimal) {
	qty, cost = atMost(qty, r.Remaining), atMost(cost, r.Amount)
	r.Remaining, r.Amount = r.Remaining.Sub(qty), r.Amount.Sub(cost)
	if r.Remaining.IsZero() {
		cost, r.Amount = cost.Add(r.Amount), money.Decimal{}
	}
	p.reservedCash = p.reservedCash.Sub(cost)
	if r.Side == venue.Sell {
		left := p.reservedQty[r.Symbol].Sub(qty)
		if left.IsZero() {
			delete(p.reservedQty, r.Symbol)
		} else {
			p.reservedQty[r.Symbol] = left
		}
	}
	if r.Remaining.IsZero() {
		delete(p.reserved, r.ClientID)
	} else {
		p.reserved[r.ClientID] = *r
	}
}

// ReservedCash is the cash promised to open buys.
func (p *Portfolio) ReservedCash() money.Decimal { return p.reservedCash }

// FreeCash is the cash not promised to open buys; it may be negative when
// a fill cost more than its order reserved (a market order walking the
// book past its headroom).
func (p *Portfolio) FreeCash() money.Decimal { return p.cash.Sub(p.reservedCash) }

// ReservedQuantity is the quantity of symbol promised to open sells.
func (p *Portfolio) ReservedQuantity(symbol string) money.Decimal { return p.reservedQty[symbol] }

// Reservations returns the number of open orders holding a reservation.
func (p *Portfolio) Reservations() int { return len(p.reserved) }

func (r *Reservation) check() error {
	bad := func(reason string) error {
		return fmt.Errorf("portfolio: reservation of order %q: %s", r.ClientID, reason)
	}
	switch {
	case r.ClientID == "":
		return errors.New("portfolio: reservation without a ClientID")
	case r.Symbol == "":
		return bad("no Symbol")
	case r.Side != venue.Buy && r.Side != venue.Sell:
		return bad(fmt.Sprintf("invalid Side %d", r.Side))
	case !r.Remaining.IsPositive():
		return bad("Remaining " + r.Remaining.String() + " is not positive")
	case r.Amount.IsNegative():
		return bad("Amount " + r.Amount.String() + " is negative")
	case r.Side == venue.Sell && !r.Amount.IsZero():
		return bad("Amount " + r.Amount.String() + " of a sell is not zero")
	}
	return nil
}

func atMost(d, limit money.Decimal) money.Decimal {
	if d.Cmp(limit) > 0 {
		return limit
	}
	return d
}

// Reserved reports whether the order clientID holds a reservation.
func (p *Portfolio) Reserved(clientID string) bool {
	_, ok := p.reserved[clientID]
	return ok
}
