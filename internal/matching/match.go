package matching

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// OnEvent lets the market move: it fills resting orders of ev's symbol that
// ev reaches, then processes the symbol's in-flight orders due by ev.Time,
// in submit order, appending every report to dst. Resting orders go first
// because they were at the venue before anything arriving now.
//
//   - A book event forgets the liquidity taken from the previous book, then
//     fills resting orders that the book now crosses (a buy limit at or
//     above the ask, a sell at or below the bid) as makers at their own
//     limit price, for as much as the crossing levels hold, best-priced
//     order first: the market traded through the price where they rested.
//   - A trade fills resting orders on the side its aggressor hit — buys
//     priced at or above a seller-aggressor trade, sells at or below a
//     buyer-aggressor one — as makers at their limit price, in price-time
//     priority, sharing the trade's size. A trade without an aggressor
//     fills nothing.
//   - An arriving order takes liquidity (see arrive). A trade is not a
//     book update: what our orders took stays taken until the next book
//     event (a trade's Book, if any, already shows what the trade took).
//
// ev's Book, if any, is read during the call and not kept.
func (e *Engine) OnEvent(ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	b := e.lookup(ev.Symbol)
	if b == nil {
		return dst
	}
	switch ev.Kind {
	case market.EventBook:
		b.takenBids, b.takenAsks = b.takenBids[:0], b.takenAsks[:0]
		if len(b.bids) > 0 {
			dst = e.cross(b, &b.bids, venue.Buy, ev, dst)
		}
		if len(b.asks) > 0 {
			dst = e.cross(b, &b.asks, venue.Sell, ev, dst)
		}
	case market.EventTrade:
		dst = e.trade(b, ev, dst)
	}
	if len(b.inflight) > 0 {
		in, k := b.inflight, 0
		for _, slot := range in {
			if ev.Time.Before(e.orders[slot].arrival) {
				in[k] = slot
				k++
				continue
			}
			dst = e.arrive(slot, ev, dst)
		}
		b.inflight = in[:k]
	}
	return dst
}

// arrive processes an order reaching the venue on ev: a post-only order
// that would cross is cancelled (it was accepted before anyone knew);
// anything else takes what liquidity it can within its limit, and then a
// market or IOC remainder is cancelled and a GTC remainder rests.
func (e *Engine) arrive(slot int32, ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	o := &e.orders[slot]
	o.active = true
	if o.spec.PostOnly {
		if crosses(&o.spec, ev) {
			return e.finish(slot, venue.StateCancelled, reasonPostOnlyCrossed, ev.Time, dst)
		}
	} else {
		dst = e.takeLiquidity(slot, ev, dst)
		if o.state == venue.StateFilled {
			e.retire(slot)
			return dst
		}
	}
	switch {
	case o.spec.Type == venue.Market:
		return e.finish(slot, venue.StateCancelled, reasonMarketRemainder, ev.Time, dst)
	case o.spec.TIF == venue.IOC:
		return e.finish(slot, venue.StateCancelled, reasonIOCRemainder, ev.Time, dst)
	}
	e.rest(slot)
	return dst
}

// takeLiquidity fills an order as taker, walking the opposite side of ev's
// book from the best level while the level's price is within the order's
// limit, at each level's price, for what our earlier orders left of it.
func (e *Engine) takeLiquidity(slot int32, ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	o := &e.orders[slot]
	var top [1]market.Level
	levels, unlimited := e.opposite(ev, o.spec.Side, &top)
	taken := o.book.taken(o.spec.Side)
	for _, lv := range levels {
		if !lv.Price.IsPositive() {
			continue
		}
		if o.spec.Type == venue.Limit && !within(o.spec.Side, lv.Price, o.spec.Price) {
			break
		}
		q := o.remaining()
		if !unlimited {
			q = money.Min(q, lv.Size.Sub(takenAt(*taken, lv.Price)))
			if !q.IsPositive() {
				continue
			}
		}
		if !fits(q, lv.Price) {
			break // a price this far out is bad data, not liquidity
		}
		if !unlimited {
			*taken = take(*taken, lv.Price, q)
		}
		dst = e.fill(slot, q, lv.Price, venue.Taker, ev.Time, dst)
		if o.state == venue.StateFilled {
			break
		}
	}
	return dst
}

// cross fills the resting orders of one side that the book crosses; see
// OnEvent.
func (e *Engine) cross(b *book, resting *[]int32, side venue.Side, ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	var top [1]market.Level
	levels, unlimited := e.opposite(ev, side, &top)
	if len(levels) == 0 {
		return dst
	}
	taken := b.taken(side)
	filled := false
	for _, slot := range *resting {
		o := &e.orders[slot]
		if !within(side, levels[0].Price, o.spec.Price) {
			break // orders behind this one are priced worse still
		}
		for _, lv := range levels {
			if !lv.Price.IsPositive() {
				continue
			}
			if !within(side, lv.Price, o.spec.Price) {
				break
			}
			q := o.remaining()
			if !unlimited {
				q = money.Min(q, lv.Size.Sub(takenAt(*taken, lv.Price)))
				if !q.IsPositive() {
					continue
				}
				*taken = take(*taken, lv.Price, q)
			}
			dst = e.fill(slot, q, o.spec.Price, venue.Maker, ev.Time, dst)
			if o.state == venue.StateFilled {
				filled = true
				break
			}
		}
	}
	if filled {
		*resting = e.sweep(*resting)
	}
	return dst
}

// trade fills resting orders from a trade print; see OnEvent.
func (e *Engine) trade(b *book, ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	if !ev.Size.IsPositive() || !ev.Price.IsPositive() {
		return dst
	}
	resting, side := &b.bids, venue.Buy
	switch ev.Aggressor {
	case -1:
	case 1:
		resting, side = &b.asks, venue.Sell
	default:
		return dst
	}
	left, filled := ev.Size, false
	for _, slot := range *resting {
		o := &e.orders[slot]
		if !within(side, ev.Price, o.spec.Price) {
			break
		}
		q := money.Min(o.remaining(), left)
		dst = e.fill(slot, q, o.spec.Price, venue.Maker, ev.Time, dst)
		filled = filled || o.state == venue.StateFilled
		if left = left.Sub(q); left.IsZero() {
			break
		}
	}
	if filled {
		*resting = e.sweep(*resting)
	}
	return dst
}

// rest puts an active GTC order on its side's list, behind the orders at
// its price or better.
func (e *Engine) rest(slot int32) {
	o := &e.orders[slot]
	b := o.book
	list := &b.bids
	if o.spec.Side == venue.Sell {
		list = &b.asks
	}
	// Skip the orders priced better than or the same as this one.
	i := 0
	for i < len(*list) && within(o.spec.Side, o.spec.Price, e.orders[(*list)[i]].spec.Price) {
		i++
	}
	*list = append(*list, 0)
	copy((*list)[i+1:], (*list)[i:])
	(*list)[i] = slot
}

// sweep drops filled orders from a resting list and retires them.
func (e *Engine) sweep(list []int32) []int32 {
	k := 0
	for _, slot := range list {
		if e.orders[slot].state == venue.StateFilled {
			e.retire(slot)
			continue
		}
		list[k] = slot
		k++
	}
	return list[:k]
}

// opposite is the side of ev's book an order of side trades against, best
// first. Without depth it is the touch, with TopOfBookSize, written into
// top; unlimited says that size is unlimited.
func (e *Engine) opposite(ev *market.Event, side venue.Side, top *[1]market.Level) (levels []market.Level, unlimited bool) {
	if ev.Book != nil {
		if side == venue.Buy {
			return ev.Book.Asks, false
		}
		return ev.Book.Bids, false
	}
	top[0] = market.Level{Price: ev.Ask, Size: e.cfg.TopOfBookSize}
	if side == venue.Sell {
		top[0].Price = ev.Bid
	}
	return top[:], e.cfg.TopOfBookSize.IsZero()
}

func (b *book) taken(side venue.Side) *[]taken {
	if side == venue.Buy {
		return &b.takenAsks
	}
	return &b.takenBids
}

// within reports whether a buy (sell) limited to limit may trade at price:
// price ≤ limit (price ≥ limit).
func within(side venue.Side, price, limit money.Decimal) bool {
	if side == venue.Buy {
		return price.Cmp(limit) <= 0
	}
	return price.Cmp(limit) >= 0
}

// crosses reports whether a limit order would take liquidity from ev's
// touch.
func crosses(spec *venue.OrderSpec, ev *market.Event) bool {
	if spec.Side == venue.Buy {
		return ev.Ask.IsPositive() && spec.Price.Cmp(ev.Ask) >= 0
	}
	return ev.Bid.IsPositive() && spec.Price.Cmp(ev.Bid) <= 0
}

var one = money.FromInt(1)

// fits reports whether qty × price, and so any fee on it, is a Decimal.
func fits(qty, price money.Decimal) bool {
	_, err := qty.MulQuo(price, one)
	return err == nil
}
