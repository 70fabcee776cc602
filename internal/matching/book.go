package matching

import "github.com/tradectl/tradectl/internal/money"

// book is the engine's state for one symbol: our orders in it and the
// liquidity they have taken from the market's current book.
type book struct {
	symbol   string
	inflight []int32 // not yet at the venue, in submit order
	// bids and asks are the resting orders in priority order: best price
	// first, then earliest submitted.
	bids, asks []int32
	// takenBids and takenAsks are what our orders took from each price
	// level of the market's book since its last update.
	takenBids, takenAsks []taken
	open                 int // live orders
}

type taken struct {
	price, qty money.Decimal
}

// book returns the state of symbol, creating it on first sight.
func (e *Engine) book(symbol string) *book {
	if b := e.lookup(symbol); b != nil {
		return b
	}
	b := &book{symbol: symbol}
	e.books[symbol] = b
	e.last = b
	return b
}

// lookup returns the state of symbol, or nil if the engine never had an
// order in it.
func (e *Engine) lookup(symbol string) *book {
	if e.last != nil && e.last.symbol == symbol {
		return e.last
	}
	b := e.books[symbol]
	if b != nil {
		e.last = b
	}
	return b
}

// takenAt is how much of the level at price our orders have taken.
func takenAt(t []taken, price money.Decimal) money.Decimal {
	for i := range t {
		if t[i].price == price {
			return t[i].qty
		}
	}
	return money.Decimal{}
}

func take(t []taken, price, qty money.Decimal) []taken {
	for i := range t {
		if t[i].price == price {
			t[i].qty = t[i].qty.Add(qty)
			return t
		}
	}
	return append(t, taken{price, qty})
}
