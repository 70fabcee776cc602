package venueemu

import (
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// placeReq is a new order as the REST handler parsed it.
type placeReq struct {
	sym      *symbol
	side     venue.Side
	typ, tif string
	qty      money.Decimal
	price    money.Decimal
	clientID string
}

// clientIDPattern is what every source allows of a client order id.
var clientIDPattern = regexp.MustCompile(`^[.A-Za-z0-9:/_-]{1,36}$`)

// Filter parameters beyond the paper instrument's tick, lot and minimum
// notional, published in exchangeInfo and enforced here.
var (
	maxPrice       = money.FromInt(1_000_000)
	maxQty         = money.FromInt(9_000)
	marketMaxQty   = money.FromInt(100)
	maxNotional    = money.FromInt(9_000_000)
	percentUp      = money.FromInt(5)
	percentDown    = money.MustParse("0.2")
	maxNumOrders   = 200
	errInsufficent = apiErr(400, -2010, "Account has insufficient balance for requested action.")
)

// place executes a new order: checks, then the engine, then the book
// keeping. It returns the order and the trades it made at once.
func (x *exchange) place(r placeReq, now time.Time) (*order, []*trade, *apiError) {
	s := r.sym
	if r.clientID == "" {
		r.clientID = "emu" + strconv.FormatInt(now.UnixNano(), 36)
	}
	if !clientIDPattern.MatchString(r.clientID) {
		return nil, nil, apiErr(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
	}
	if s.open[r.clientID] != nil {
		return nil, nil, apiErr(400, -2010, "Duplicate order sent.")
	}
	if e := x.checkFilters(r); e != nil {
		return nil, nil, e
	}
	spec := venue.OrderSpec{Symbol: s.ours, Side: r.side, Type: venue.Limit, TIF: venue.GTC, Quantity: r.qty, Price: r.price}
	switch {
	case r.typ == typMarket:
		spec.Type, spec.TIF, spec.Price = venue.Market, 0, money.Decimal{}
	case r.typ == typMaker:
		spec.PostOnly = true
		if crossesTouch(r, &s.last) {
			return nil, nil, apiErr(400, -2010, "Order would immediately match and take.")
		}
	case r.tif == tifIOC:
		spec.TIF = venue.IOC
	}
	o := &order{sym: s, id: s.nextOrderID, clientID: r.clientID, side: r.side, typ: r.typ, tif: r.tif,
		qty: r.qty, price: r.price, status: stNew, created: now, updated: now}
	if r.typ == typMarket {
		o.tif = tifGTC // as the venue reports a market order
	}
	if e := x.hold(o); e != nil {
		return nil, nil, e
	}
	s.nextOrderID++
	o.inner = s.venue + "#" + strconv.FormatInt(o.id, 10)
	s.orders[o.id] = o
	s.open[o.clientID] = o
	s.latest[o.clientID] = o
	x.byInner[o.inner] = o
	x.reports = x.engine.Submit(spec, o.inner, s.last, s.last.Time, x.reports[:0])
	if len(x.reports) > 0 && x.reports[0].State == venue.StateRejected {
		// The checks above should have caught it; say what the engine said.
		reason := x.reports[0].Reason
		x.finish(o)
		delete(s.orders, o.id)
		delete(s.latest, o.clientID)
		return nil, nil, apiErr(400, -2010, reason)
	}
	var fills []*trade
	x.apply(x.reports, &fills)
	return o, fills, nil
}

// hold locks what a limit order needs of its balance, or says it is not
// there. A market order is checked against the book it will take.
func (x *exchange) hold(o *order) *apiError {
	s := o.sym
	if o.side == venue.Sell {
		b := x.balance(s.inst.Base)
		if b.free.Cmp(o.qty) < 0 {
			return errInsufficent
		}
		if o.typ != typMarket {
			b.free, b.locked = b.free.Sub(o.qty), b.locked.Add(o.qty)
			o.locked, o.lockAsset = o.qty, s.inst.Base
		}
		return nil
	}
	b := x.balance(x.cfg.Quote)
	if o.typ == typMarket {
		cost, ok := walkCost(s.book.Asks, o.qty)
		if !ok || b.free.Cmp(cost.Add(cost.MulBps(x.cfg.Fees.TakerBps))) < 0 {
			return errInsufficent
		}
		return nil
	}
	need := x.buyHold(o.qty, o.price)
	if b.free.Cmp(need) < 0 {
		return errInsufficent
	}
	b.free, b.locked = b.free.Sub(need), b.locked.Add(need)
	o.locked, o.lockAsset = need, x.cfg.Quote
	return nil
}

// walkCost is what buying qty from asks costs, and whether they hold it.
func walkCost(asks []market.Level, qty money.Decimal) (money.Decimal, bool) {
	var cost money.Decimal
	for _, l := range asks {
		q := money.Min(qty, l.Size)
		cost, qty = cost.Add(q.Mul(l.Price)), qty.Sub(q)
		if qty.IsZero() {
			return cost, true
		}
	}
	return cost, false
}

func crossesTouch(r placeReq, last *market.Event) bool {
	if r.side == venue.Buy {
		return last.Ask.IsPositive() && r.price.Cmp(last.Ask) >= 0
	}
	return last.Bid.IsPositive() && r.price.Cmp(last.Bid) <= 0
}

// checkFilters applies the filters exchangeInfo publishes, in its order,
// refusing with -1013 "Filter failure: NAME".
func (x *exchange) checkFilters(r placeReq) *apiError {
	in := r.sym.inst
	fail := func(name string) *apiError { return apiErr(400, -1013, "Filter failure: "+name) }
	ref := r.price
	if r.typ == typMarket {
		ref = r.sym.last.Ask
		if r.side == venue.Sell {
			ref = r.sym.last.Bid
		}
	} else {
		if r.price.Cmp(in.TickSize) < 0 || r.price.Cmp(maxPrice) > 0 || !onStep(r.price, in.TickSize) {
			return fail("PRICE_FILTER")
		}
		if !x.withinPercent(r) {
			return fail("PERCENT_PRICE_BY_SIDE")
		}
	}
	if r.typ == typMarket {
		if r.qty.Cmp(marketMaxQty) > 0 {
			return fail("MARKET_LOT_SIZE")
		}
	}
	if r.qty.Cmp(in.LotSize) < 0 || r.qty.Cmp(maxQty) > 0 || !onStep(r.qty, in.LotSize) {
		return fail("LOT_SIZE")
	}
	n := r.qty.Mul(ref)
	if n.Cmp(in.MinNotional) < 0 || (r.typ != typMarket && n.Cmp(maxNotional) > 0) {
		return fail("NOTIONAL")
	}
	if r.typ != typMarket && len(r.sym.open) >= maxNumOrders {
		return fail("MAX_NUM_ORDERS")
	}
	return nil
}

// withinPercent is PERCENT_PRICE_BY_SIDE against the average price.
func (x *exchange) withinPercent(r placeReq) bool {
	avg := r.sym.avgPrice()
	return r.price.Cmp(avg.Mul(percentUp)) <= 0 && r.price.Cmp(avg.Mul(percentDown)) >= 0
}

// avgPrice is the reference the percent filters use: the mid of the
// current book (the venue averages over minutes; a mid is near enough for
// filters five times wide).
func (s *symbol) avgPrice() money.Decimal { return s.last.Bid.Add(s.last.Ask).Half() }

func onStep(v, step money.Decimal) bool {
	return step.IsZero() || v.Units()%step.Units() == 0
}

// cancel cancels the open order named by orderID or clientID; cancelID
// names the cancel request ("" for one of the venue's own making).
func (x *exchange) cancel(s *symbol, orderID int64, clientID, cancelID string, now time.Time) (*order, *apiError) {
	o := x.find(s, orderID, clientID)
	if o == nil || o.final() {
		return nil, apiErr(400, -2011, "Unknown order sent.")
	}
	o.cancelID = cancelID
	if o.cancelID == "" {
		o.cancelID = "cancel-" + strconv.FormatInt(o.id, 10)
	}
	var err error
	x.reports, err = x.engine.Cancel(o.inner, now, x.reports[:0])
	if err != nil {
		return nil, apiErr(400, -2011, "Unknown order sent.")
	}
	x.apply(x.reports, nil)
	return o, nil
}

// find is the order named by orderID, else the newest order that carried
// clientID.
func (x *exchange) find(s *symbol, orderID int64, clientID string) *order {
	if orderID > 0 {
		o := s.orders[orderID]
		if o != nil && (clientID == "" || o.clientID == clientID) {
			return o
		}
		return nil
	}
	return s.latest[clientID]
}

// openOrders lists the open orders of s (of every symbol if s is nil),
// oldest first.
func (x *exchange) openOrders(s *symbol) []*order {
	var out []*order
	for _, sym := range x.order {
		if s != nil && sym != s {
			continue
		}
		for _, o := range sym.open {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *order) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	return out
}

func (x *exchange) assets() []string {
	out := make([]string, 0, len(x.bal))
	for a := range x.bal {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}
