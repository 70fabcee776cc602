// Package portfolio owns the paper account: cash, positions and the profit
// and loss they imply, kept exactly in money.Decimal so that cash, equity and
// PnL reconcile to the last unit after any sequence of fills and marks; what
// open orders have promised of it (Reservation), and the rule on what a new
// order may promise (CheckOrder, with a margin account's terms).
//
// It must never execute or price orders (the venue does), never round a
// cost basis through an average price, and never be shared between
// goroutines: a Portfolio is not safe for concurrent use. The coordinator
// owns it on the trading loop's goroutine and publishes Snapshots to
// everyone else.
package portfolio

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// Portfolio is an account in one quote currency.
//
// Bookkeeping, which makes the invariants exact despite rounding: a fill's
// notional is qty×price rounded once (money.Mul), and that same number moves
// cash. Each position keeps its cost basis — the signed sum of the notionals
// still open, negative for shorts — instead of an average price, and a
// fill's realized PnL is defined as the change in cost basis minus the
// signed notional paid. Summed over fills, realized = Σ basis − Σ signed
// notional, so cash + Σ round(qty×mark) − starting cash equals realized +
// Σ (round(qty×mark) − basis) − fees with nothing left over.
type Portfolio struct {
	currency string
	start    money.Decimal
	cash     money.Decimal
	realized money.Decimal
	fees     money.Decimal
	// Entries are created when a symbol is first filled or marked and live
	// as long as the portfolio, so Apply and Mark allocate nothing after.
	positions map[string]*position
	// What open orders have promised (see Reservation): by client id, with
	// the totals kept alongside so that checking an order costs no sum.
	reserved     map[string]Reservation
	reservedCash money.Decimal
	reservedQty  map[string]money.Decimal // by symbol, for open sells
}

type position struct {
	qty      money.Decimal // signed: negative is short
	basis    money.Decimal // signed cost of the open quantity
	mark     money.Decimal
	marked   bool
	realized money.Decimal
	fees     money.Decimal
}

// New returns a portfolio holding startingCash in quoteCurrency, e.g. "USD".
func New(quoteCurrency string, startingCash money.Decimal) *Portfolio {
	return &Portfolio{
		currency:    quoteCurrency,
		start:       startingCash,
		cash:        startingCash,
		positions:   make(map[string]*position),
		reserved:    make(map[string]Reservation),
		reservedQty: make(map[string]money.Decimal),
	}
}

// QuoteCurrency is the currency cash and prices are in.
func (p *Portfolio) QuoteCurrency() string { return p.currency }

// Cash is the cash balance now.
func (p *Portfolio) Cash() money.Decimal { return p.cash }

// Position returns the signed quantity held in symbol, zero if none.
func (p *Portfolio) Position(symbol string) money.Decimal {
	if pos := p.positions[symbol]; pos != nil {
		return pos.qty
	}
	return money.Decimal{}
}

// Mark values symbol at q's mid from now on. A symbol never marked is valued
// at the price of its first fill.
func (p *Portfolio) Mark(q market.Quote) {
	pos := p.entry(q.Symbol)
	pos.mark = q.Mid()
	pos.marked = true
}

func (p *Portfolio) entry(symbol string) *position {
	pos := p.positions[symbol]
	if pos == nil {
		pos = &position{}
		p.positions[symbol] = pos
	}
	return pos
}

// Equity is cash plus every position at its mark, as Snapshot computes it,
// without allocating: the trading loop asks for it on every market event
// to feed the kill switch.
func (p *Portfolio) Equity() money.Decimal {
	e := p.cash
	for _, pos := range p.positions {
		if !pos.qty.IsZero() {
			e = e.Add(pos.qty.Mul(pos.mark))
		}
	}
	return e
}
