package strategy

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// account is a Context for tests: positions and open orders by symbol.
type account struct {
	positions map[string]money.Decimal
	open      map[string]int
	cash      money.Decimal
	filters   venue.Filters
	cashOnly  bool
	promised  map[string]money.Decimal // open sells, for cashOnly
}

func (a *account) Position(symbol string) money.Decimal { return a.positions[symbol] }
func (a *account) OpenOrders(symbol string) int         { return a.open[symbol] }
func (a *account) Cash() money.Decimal                  { return a.cash }
func (a *account) Filters(string) venue.Filters         { return a.filters }

// Sellable is unlimited unless the test made the account a cash account.
func (a *account) Sellable(symbol string) (money.Decimal, bool) {
	return a.positions[symbol].Sub(a.promised[symbol]), a.cashOnly
}

// holding is an account holding position in every symbol.
type holding money.Decimal

func (h holding) Position(string) money.Decimal { return money.Decimal(h) }
func (h holding) OpenOrders(string) int         { return 0 }
func (h holding) Cash() money.Decimal           { return money.Decimal{} }
func (h holding) Filters(string) venue.Filters  { return venue.Filters{} }
func (h holding) Sellable(string) (money.Decimal, bool) {
	return money.Decimal{}, false
}

func quote(symbol string, bid, ask money.Decimal) *market.Event {
	return &market.Event{Kind: market.EventBook, Symbol: symbol, Bid: bid, Ask: ask}
}

func marketOrder(symbol string, side venue.Side, qty string) Action {
	return Action{Kind: ActionPlace, Order: venue.OrderSpec{Symbol: symbol, Side: side, Type: venue.Market,
		TIF: venue.IOC, Quantity: d(qty)}}
}
