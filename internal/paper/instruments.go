// Package paper owns the paper venue's market: the instruments it lists and
// their filters, the quotes of a seeded random walk (Market), and a
// simulated book and trade flow (Sim) that is a market.Source. Orders are
// filled against it by the matching engine (package matching), not here.
//
// It must never touch a real venue or real money, never see our orders,
// and never be nondeterministic in anything but quote timestamps: the same
// seed and symbols give the same prices, so a session can be replayed.
package paper

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Instrument is a tradable pair listed on the paper venue.
type Instrument struct {
	Symbol string // BASE-QUOTE, e.g. BTC-USD
	Base   string
	Quote  string
	// StartPrice is where the simulated market opens.
	StartPrice money.Decimal
	// TickSize is the price increment: every quoted price, and every
	// limit price the venue accepts, is a multiple.
	TickSize money.Decimal
	// LotSize is the quantity increment: every order's quantity is a
	// multiple.
	LotSize money.Decimal
	// MinNotional is the least an order may be worth (quantity × price),
	// in the quote currency.
	MinNotional money.Decimal
}

// minNotional is every listing's minimum order value, in USD: small, as
// paper trading is for trying things, but not nothing, as on a real venue.
var minNotional = money.FromInt(1)

// instruments is the listing, sorted by symbol so Lookup can search it.
var instruments = []Instrument{
	listing("ADA", "0.45", "0.0001", "0.1"),
	listing("AVAX", "35", "0.001", "0.01"),
	listing("BTC", "60000", "0.01", "0.00001"),
	listing("DOGE", "0.15", "0.00001", "1"),
	listing("ETH", "3000", "0.01", "0.0001"),
	listing("LINK", "15", "0.001", "0.01"),
	listing("LTC", "80", "0.01", "0.001"),
	listing("SOL", "150", "0.001", "0.001"),
	listing("XRP", "0.5", "0.0001", "0.1"),
}

func listing(base, start, tick, lot string) Instrument {
	return Instrument{
		Symbol:      base + "-USD",
		Base:        base,
		Quote:       "USD",
		StartPrice:  money.MustParse(start),
		TickSize:    money.MustParse(tick),
		LotSize:     money.MustParse(lot),
		MinNotional: minNotional,
	}
}

// Filters returns the trading rules of the instrument listed as symbol,
// for the venue to enforce and strategies to round to; none for a symbol
// not listed here (a backtest's own data).
func Filters(symbol string) venue.Filters {
	in, ok := Lookup(symbol)
	if !ok {
		return venue.Filters{}
	}
	return venue.Filters{TickSize: in.TickSize, LotSize: in.LotSize, MinNotional: in.MinNotional}
}

// Symbols returns the listed symbols, sorted, in a slice the caller owns.
func Symbols() []string {
	out := make([]string, len(instruments))
	for i, in := range instruments {
		out[i] = in.Symbol
	}
	return out
}

// Lookup returns the instrument listed as symbol.
func Lookup(symbol string) (Instrument, bool) {
	i, ok := slices.BinarySearchFunc(instruments, symbol, func(in Instrument, s string) int {
		return strings.Compare(in.Symbol, s)
	})
	if !ok {
		return Instrument{}, false
	}
	return instruments[i], true
}

// maxSymbolLen bounds what a symbol may be, and so what an error message
// may echo back to a client.
const maxSymbolLen = 32

// ValidateSymbols checks a session's symbol list: at least one, each well
// formed (BASE-QUOTE in uppercase letters and digits), listed here, and none
// twice. The error names the offending symbol and, if it is unknown, lists
// the supported ones.
func ValidateSymbols(symbols []string) error {
	if len(symbols) == 0 {
		return errors.New("paper: no symbols given; supported: " + strings.Join(Symbols(), ", "))
	}
	for i, s := range symbols {
		if !wellFormed(s) {
			return fmt.Errorf("paper: malformed symbol %.*q: want BASE-QUOTE in uppercase letters and digits, such as BTC-USD",
				maxSymbolLen, s)
		}
		if _, ok := Lookup(s); !ok {
			return fmt.Errorf("paper: unknown symbol %s; supported: %s", echo.Quote(s), strings.Join(Symbols(), ", "))
		}
		if slices.Contains(symbols[:i], s) {
			return fmt.Errorf("paper: symbol %s given more than once", echo.Quote(s))
		}
	}
	return nil
}

func wellFormed(s string) bool {
	if len(s) > maxSymbolLen {
		return false
	}
	base, quote, ok := strings.Cut(s, "-")
	return ok && isCode(base) && isCode(quote)
}

func isCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
