package replay

import (
	"bytes"
	"fmt"
	"math"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// parseRow checks one data row and queues the events it makes.
func (s *Source) parseRow(line []byte) error {
	cols := len(s.layout.fields)
	n, rest := 0, line
	for ; n < cols-1; n++ {
		i := bytes.IndexByte(rest, ',')
		if i < 0 {
			break
		}
		s.cells[n], rest = rest[:i], rest[i+1:]
	}
	s.cells[n] = rest
	if n += 1 + bytes.Count(rest, []byte(",")); n != cols {
		return &Error{Line: s.line, Reason: fmt.Sprintf("%d cells, but the header has %d columns", n, cols)}
	}
	ns, reason := parseTime(s.cell(fTime))
	if reason != "" {
		return s.cellErr(fTime, "%s: %s", echo(s.cell(fTime)), reason)
	}
	if ns < s.lastNs {
		return s.cellErr(fTime, "%s is before the previous row's time: rows must be in time order", echo(s.cell(fTime)))
	}
	sym, err := s.symbol()
	if err != nil {
		return err
	}
	t, ok := lookupType(s.cell(fType))
	if !ok {
		return s.cellErr(fType, "unknown type %s: want quote, trade or candle", echo(s.cell(fType)))
	}
	if err := s.checkCells(t); err != nil {
		return err
	}
	s.lastNs = ns
	p := pending{ns: ns, sym: sym}
	switch t {
	case typeQuote:
		return s.quote(&p)
	case typeTrade:
		return s.trade(&p)
	}
	return s.candle(&p)
}

// cell is the current row's cell for f, or nil if the file has no such
// column.
func (s *Source) cell(f field) []byte {
	if c := s.layout.column[f]; c >= 0 {
		return s.cells[c]
	}
	return nil
}

func (s *Source) cellErr(f field, format string, args ...any) error {
	return &Error{Line: s.line, Column: s.layout.column[f] + 1, Name: fieldNames[f], Reason: fmt.Sprintf(format, args...)}
}

func (s *Source) symbol() (int32, error) {
	name := s.cell(fSymbol)
	if i, ok := s.index[string(name)]; ok { // no allocation: the compiler sees the key is not kept
		return i, nil
	}
	switch {
	case s.closed:
		return 0, s.cellErr(fSymbol, "unknown symbol %s: not among Options.Symbols", echo(name))
	case !validSymbol(name):
		return 0, s.cellErr(fSymbol, "malformed symbol %s: want BASE-QUOTE in uppercase letters and digits", echo(name))
	case len(s.syms) == maxSymbols:
		return 0, s.cellErr(fSymbol, "more than %d symbols", maxSymbols)
	}
	return s.addSymbol(string(name)), nil
}

// checkCells makes sure the row fills exactly the cells its type needs.
func (s *Source) checkCells(t rowType) error {
	for _, f := range typeFields[t] {
		if s.layout.column[f] < 0 {
			return &Error{Line: s.line, Reason: fmt.Sprintf("a %s row needs a %s column, which the header lacks",
				typeNames[t], fieldNames[f])}
		}
		if len(s.cell(f)) == 0 {
			return s.cellErr(f, "empty, but a %s row needs it", typeNames[t])
		}
	}
	for c, f := range s.layout.fields {
		if s.layout.uses[t]&(1<<f) == 0 && len(s.cells[c]) > 0 {
			return s.cellErr(f, "must be empty in a %s row, found %s", typeNames[t], echo(s.cells[c]))
		}
	}
	return nil
}

// decimal reads the cell of f, which must be positive or, if zeroOK, not
// negative.
func (s *Source) decimal(f field, zeroOK bool) (money.Decimal, error) {
	d, err := parseDecimal(s.cell(f))
	switch {
	case err != nil:
		return d, s.cellErr(f, "%v", err)
	case d.IsNegative():
		return d, s.cellErr(f, "negative: %s", d)
	case d.IsZero() && !zeroOK:
		return d, s.cellErr(f, "zero: must be positive")
	}
	return d, nil
}

func (s *Source) quote(p *pending) (err error) {
	p.kind = market.EventBook
	if p.bid, err = s.decimal(fBid, false); err != nil {
		return err
	}
	if p.bidSize, err = s.decimal(fBidSize, true); err != nil {
		return err
	}
	if p.ask, err = s.decimal(fAsk, false); err != nil {
		return err
	}
	if p.askSize, err = s.decimal(fAskSize, true); err != nil {
		return err
	}
	if p.bid.Cmp(p.ask) > 0 {
		return s.cellErr(fAsk, "crossed quote: ask %s below bid %s", p.ask, p.bid)
	}
	s.push(p)
	return nil
}

func (s *Source) trade(p *pending) (err error) {
	p.kind = market.EventTrade
	if p.price, err = s.decimal(fPrice, false); err != nil {
		return err
	}
	if p.size, err = s.decimal(fSize, false); err != nil {
		return err
	}
	switch side := s.cell(fSide); string(side) {
	case "buy":
		p.aggressor = 1
	case "sell":
		p.aggressor = -1
	default:
		return s.cellErr(fSide, "unknown side %s: want buy or sell, the aggressor's", echo(side))
	}
	if !s.touch(p, p.price, p.size, p.aggressor > 0) {
		return s.cellErr(fPrice, "%s is too large to quote a spread above", p.price)
	}
	s.push(p)
	return nil
}

// touch sets p's quote to a made-up one at price: the price on the
// aggressor's side, the other side spreadBps away (at least 10^-8) and
// never below 10^-8, both sides the size given. It reports false when the
// ask would not fit in a Decimal.
func (s *Source) touch(p *pending, price, size money.Decimal, buy bool) bool {
	spread := max(1, price.MulBps(s.spreadBps).Units()) // ≤ price: cannot overflow
	p.bid, p.ask = price, price
	if buy {
		p.bid = money.FromUnits(max(1, price.Units()-spread))
	} else {
		if price.Units() > math.MaxInt64-spread {
			return false
		}
		p.ask = money.FromUnits(price.Units() + spread)
	}
	p.bidSize, p.askSize = size, size
	return true
}

func (s *Source) push(p *pending) {
	p.seq = s.seq
	s.seq++
	s.queue.push(*p)
}

// candle checks a candle and queues its four points, each a book event and
// a trade, as the package doc describes.
func (s *Source) candle(p *pending) error {
	var ohlc [4]money.Decimal
	for i, f := range []field{fOpen, fHigh, fLow, fClose} {
		d, err := s.decimal(f, false)
		if err != nil {
			return err
		}
		ohlc[i] = d
	}
	open, high, low, closing := ohlc[0], ohlc[1], ohlc[2], ohlc[3]
	if high.Cmp(money.Max(open, closing)) < 0 {
		return s.cellErr(fHigh, "high %s below the open or close", high)
	}
	if low.Cmp(money.Min(open, closing)) > 0 {
		return s.cellErr(fLow, "low %s above the open or close", low)
	}
	volume, err := s.decimal(fVolume, true)
	if err != nil {
		return err
	}
	interval, reason := parseInterval(s.cell(fInterval))
	if reason != "" {
		return s.cellErr(fInterval, "%s: %s", echo(s.cell(fInterval)), reason)
	}
	if p.ns > math.MaxInt64-int64(interval) {
		return s.cellErr(fInterval, "the candle ends after the last time a replay can hold")
	}
	// Every point is at most the high, so if the high can be quoted with
	// a spread above it, so can they all.
	if !s.touch(p, high, volume, false) {
		return s.cellErr(fHigh, "%s is too large to quote a spread above", high)
	}
	points := [4]money.Decimal{open, low, high, closing}
	rising := closing.Cmp(open) >= 0
	if !rising {
		points[1], points[2] = high, low
	}
	quarter := volume.Units() / 4
	start := p.ns
	for i, price := range points {
		buy := rising
		if i > 0 {
			buy = price.Cmp(points[i-1]) >= 0
		}
		size := money.FromUnits(quarter)
		if i == 3 {
			size = money.FromUnits(volume.Units() - 3*quarter)
		}
		p.ns = start + int64(i)*int64(interval/4)
		p.kind, p.price, p.size, p.aggressor = market.EventBook, money.Decimal{}, money.Decimal{}, 0
		s.touch(p, price, size, buy)
		s.push(p)
		if size.IsPositive() {
			p.kind, p.price, p.size, p.aggressor = market.EventTrade, price, size, -1
			if buy {
				p.aggressor = 1
			}
			s.push(p)
		}
	}
	return nil
}
