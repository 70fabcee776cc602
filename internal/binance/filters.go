package binance

import (
	"errors"
	"fmt"

	gb "github.com/adshao/go-binance/v2"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// RulesFromSymbol reads one exchangeInfo symbol into Rules, with go-binance's
// typed filter getters (MIN_NOTIONAL, which has none, from the raw map).
// Every decimal goes through money.Parse; a value it cannot hold exactly
// is an error, never a rounded rule.
func RulesFromSymbol(ours string, s *gb.Symbol) (r Rules, err error) {
	// The getters type-assert the venue's JSON without checking: a
	// malformed filter must be an error, not a crash of the daemon.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("binance: exchangeInfo %s: malformed filter: %v", s.Symbol, p)
		}
	}()
	r = Rules{Symbol: ours, VenueSymbol: s.Symbol, Trading: s.Status == "TRADING" && s.IsSpotTradingAllowed}
	p := parser{sym: s.Symbol}
	if f := s.PriceFilter(); f != nil {
		r.MinPrice, r.MaxPrice = p.dec("PRICE_FILTER.minPrice", f.MinPrice), p.dec("PRICE_FILTER.maxPrice", f.MaxPrice)
		r.Filters.TickSize = p.dec("PRICE_FILTER.tickSize", f.TickSize)
	}
	if f := s.LotSizeFilter(); f != nil {
		r.MinQty, r.MaxQty = p.dec("LOT_SIZE.minQty", f.MinQuantity), p.dec("LOT_SIZE.maxQty", f.MaxQuantity)
		r.Filters.LotSize = p.dec("LOT_SIZE.stepSize", f.StepSize)
	}
	if f := s.MarketLotSizeFilter(); f != nil {
		r.MarketMinQty, r.MarketMaxQty = p.dec("MARKET_LOT_SIZE.minQty", f.MinQuantity), p.dec("MARKET_LOT_SIZE.maxQty", f.MaxQuantity)
		r.MarketLotSize = p.dec("MARKET_LOT_SIZE.stepSize", f.StepSize)
	}
	for _, f := range s.Filters {
		if f["filterType"] == string(gb.SymbolFilterTypeMinNotional) {
			if v, ok := f["minNotional"].(string); ok {
				r.Filters.MinNotional = p.dec("MIN_NOTIONAL.minNotional", v)
			}
		}
	}
	if f := s.NotionalFilter(); f != nil { // NOTIONAL replaces MIN_NOTIONAL where both exist
		if f.MinNotional != "" {
			r.Filters.MinNotional = p.dec("NOTIONAL.minNotional", f.MinNotional)
		}
		if f.MaxNotional != "" {
			r.MaxNotional = p.dec("NOTIONAL.maxNotional", f.MaxNotional)
		}
	}
	if f := s.PercentPriceBySideFilter(); f != nil {
		r.BidUp, r.BidDown = p.dec("PERCENT_PRICE_BY_SIDE.bidMultiplierUp", f.BidMultiplierUp), p.dec("PERCENT_PRICE_BY_SIDE.bidMultiplierDown", f.BidMultiplierDown)
		r.AskUp, r.AskDown = p.dec("PERCENT_PRICE_BY_SIDE.askMultiplierUp", f.AskMultiplierUp), p.dec("PERCENT_PRICE_BY_SIDE.askMultiplierDown", f.AskMultiplierDown)
	}
	for _, f := range s.Filters {
		// Not go-binance's getter: it reads a value that is not a whole
		// number as no limit (or truncates it), silently.
		if f["filterType"] == string(gb.SymbolFilterTypeMaxNumOrders) {
			r.MaxNumOrders = p.count("MAX_NUM_ORDERS.maxNumOrders", f["maxNumOrders"])
		}
	}
	return r, p.err
}

type parser struct {
	sym string
	err error
}

// count reads a JSON number that must be a whole count (JSON numbers
// decode as float64, exact for any count the venue publishes).
func (p *parser) count(field string, v interface{}) int {
	f, ok := v.(float64)
	if ok && f >= 0 && f <= 1e9 && f == float64(int(f)) {
		return int(f)
	}
	if p.err == nil {
		p.err = fmt.Errorf("binance: exchangeInfo %s %s %v: not a whole number of orders", p.sym, field, v)
	}
	return 0
}

func (p *parser) dec(field, v string) money.Decimal {
	if v == "" {
		return money.Decimal{}
	}
	d, err := money.Parse(v)
	if err == nil && d.IsNegative() {
		err = errors.New("negative")
	}
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("binance: exchangeInfo %s %s %q: %w", p.sym, field, v, err)
	}
	return d
}

// Check returns why the venue would refuse spec, as "FILTER_NAME: why", or
// "". ref is the price a market order is expected to fill at (zero skips
// its notional rules), avg the venue's average price that
// PERCENT_PRICE_BY_SIDE measures a limit price against (zero skips it),
// open the number of our orders open on the symbol. The tick, lot and
// minimum notional rules are venue.Filters'; the rest are the venue's
// bounds. A zero bound is no rule, as the venue publishes it.
func (r Rules) Check(spec venue.OrderSpec, ref, avg money.Decimal, open int) (why string) {
	q, price := spec.Quantity, ref
	if spec.Type == venue.Limit {
		price = spec.Price
		switch {
		case r.MinPrice.IsPositive() && price.Cmp(r.MinPrice) < 0:
			return fmt.Sprintf("%s: price %s is below the minimum %s", venue.PriceFilter, price, r.MinPrice)
		case r.MaxPrice.IsPositive() && price.Cmp(r.MaxPrice) > 0:
			return fmt.Sprintf("%s: price %s is above the maximum %s", venue.PriceFilter, price, r.MaxPrice)
		}
	}
	if why = bounds(venue.LotSizeFilter, q, r.MinQty, r.MaxQty); why != "" {
		return why
	}
	if why = baseCheck(r.Filters, &spec, ref); why != "" {
		return why
	}
	if spec.Type == venue.Market {
		if why = bounds("MARKET_LOT_SIZE", q, r.MarketMinQty, r.MarketMaxQty); why != "" {
			return why
		}
		if r.MarketLotSize.IsPositive() && q.Units()%r.MarketLotSize.Units() != 0 {
			return fmt.Sprintf("MARKET_LOT_SIZE: quantity %s is not a multiple of the step %s", q, r.MarketLotSize)
		}
	}
	if r.MaxNotional.IsPositive() && price.IsPositive() {
		if n, ok := mul(q, price); !ok || n.Cmp(r.MaxNotional) > 0 {
			return fmt.Sprintf("NOTIONAL: notional of %s at %s is above the maximum %s", q, price, r.MaxNotional)
		}
	}
	if spec.Type == venue.Limit && avg.IsPositive() {
		up, down, side := r.BidUp, r.BidDown, "bid"
		if spec.Side == venue.Sell {
			up, down, side = r.AskUp, r.AskDown, "ask"
		}
		if hi, ok := mul(avg, up); up.IsPositive() && ok && price.Cmp(hi) > 0 {
			return fmt.Sprintf("PERCENT_PRICE_BY_SIDE: price %s is above %s × %s (%s multiplier up) = %s", price, avg, up, side, hi)
		}
		if lo, ok := mul(avg, down); down.IsPositive() && ok && price.Cmp(lo) < 0 {
			return fmt.Sprintf("PERCENT_PRICE_BY_SIDE: price %s is below %s × %s (%s multiplier down) = %s", price, avg, down, side, lo)
		}
	}
	if r.MaxNumOrders > 0 && open+1 > r.MaxNumOrders {
		return fmt.Sprintf("MAX_NUM_ORDERS: %d orders are open on %s, at most %d may be", open, r.Symbol, r.MaxNumOrders)
	}
	return ""
}

// baseCheck is venue.Filters.Check, whose notional product may overflow
// only after the tick and lot rules passed, for a notional far above any
// minimum.
func baseCheck(f venue.Filters, spec *venue.OrderSpec, ref money.Decimal) (why string) {
	var err error
	defer money.RecoverOverflow(&err)
	return f.Check(spec, ref)
}

func bounds(name string, q, lo, hi money.Decimal) string {
	switch {
	case lo.IsPositive() && q.Cmp(lo) < 0:
		return fmt.Sprintf("%s: quantity %s is below the minimum %s", name, q, lo)
	case hi.IsPositive() && q.Cmp(hi) > 0:
		return fmt.Sprintf("%s: quantity %s is above the maximum %s", name, q, hi)
	}
	return ""
}

// mul is a × b, or false when that does not fit in a Decimal (then it is
// above any bound the venue publishes).
func mul(a, b money.Decimal) (d money.Decimal, ok bool) {
	var err error
	func() {
		defer money.RecoverOverflow(&err)
		d = a.Mul(b)
	}()
	return d, err == nil
}
