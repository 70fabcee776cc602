package binance

import "errors"

// ErrNotListed: a session's symbol is not one the venue lists (Binance
// answers -1121 "Invalid symbol" to an exchangeInfo that names it).
var ErrNotListed = errors.New("binance: unlisted symbol")

// venueSymbols are the session's symbols as the venue spells them, for
// an error; a symbol that does not map is shown as it is.
func (s *Session) venueSymbols() []string {
	m := SymbolMap{Quote: s.cfg.Quote}
	out := make([]string, len(s.cfg.Symbols))
	for i, sym := range s.cfg.Symbols {
		out[i] = sym
		if v, err := m.ToVenue(sym); err == nil {
			out[i] = v
		}
	}
	return out
}
