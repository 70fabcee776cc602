package venueemu

import (
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// order is an order the venue accepted.
type order struct {
	sym      *symbol
	id       int64
	clientID string
	inner    string // the engine's id: client ids repeat once closed
	side     venue.Side
	typ, tif string
	qty      money.Decimal
	price    money.Decimal // zero for MARKET
	executed money.Decimal
	cumQuote money.Decimal
	status   string
	created  time.Time
	updated  time.Time
	// locked is what the order still holds of lockAsset; released when
	// the order ends.
	locked    money.Decimal
	lockAsset string
	// cancelID is the client id of the request that cancelled the order.
	cancelID string
}

// trade is one fill of one of our orders.
type trade struct {
	id         int64
	o          *order
	qty, price money.Decimal
	commission money.Decimal
	maker      bool
	time       time.Time
}

// Order statuses and types as the venue writes them.
const (
	stNew       = "NEW"
	stPartial   = "PARTIALLY_FILLED"
	stFilled    = "FILLED"
	stCanceled  = "CANCELED"
	stExpired   = "EXPIRED"
	typLimit    = "LIMIT"
	typMaker    = "LIMIT_MAKER"
	typMarket   = "MARKET"
	sideBuy     = "BUY"
	sideSell    = "SELL"
	respACK     = "ACK"
	respRESULT  = "RESULT"
	respFULL    = "FULL"
	tifGTC      = "GTC"
	tifIOC      = "IOC"
	reasonNone  = "NONE"
	execNew     = "NEW"
	execTrade   = "TRADE"
	execCancel  = "CANCELED"
	execExpired = "EXPIRED"
)

func sideName(s venue.Side) string {
	if s == venue.Buy {
		return sideBuy
	}
	return sideSell
}

func (o *order) final() bool {
	return o.status == stFilled || o.status == stCanceled || o.status == stExpired
}

// apply books the engine's reports: fills become trades with the
// symbol's next trade id, states become statuses, and every change is told
// to the user data subscribers. fills, if not nil, collects the trades.
func (x *exchange) apply(reports []venue.ExecutionReport, fills *[]*trade) {
	if len(reports) == 0 {
		return
	}
	now := time.Now()
	changed := map[string]bool{}
	for i := range reports {
		r := &reports[i]
		o := x.byInner[r.ClientID]
		if o == nil {
			continue
		}
		o.updated = now
		switch {
		case r.FillQuantity.IsPositive():
			t := x.fill(o, r, now)
			changed[o.sym.inst.Base], changed[x.cfg.Quote] = true, true
			if fills != nil {
				*fills = append(*fills, t)
			}
			x.emitExecution(o, execTrade, t, now)
			if o.status == stFilled {
				x.finish(o)
			}
		case r.State == venue.StateAccepted:
			if o.lockAsset != "" {
				changed[o.lockAsset] = true // the order holds part of it now
			}
			x.emitExecution(o, execNew, nil, now)
		case r.State == venue.StateCancelled:
			exec := execCancel
			o.status = stCanceled
			if o.typ == typMarket || o.tif == tifIOC || o.typ == typMaker {
				// The venue expires what it cancels of its own accord.
				exec, o.status = execExpired, stExpired
			}
			if r.Reason == "cancelled on request" {
				exec, o.status = execCancel, stCanceled
			}
			x.finish(o)
			changed[o.lockAsset] = true
			x.emitExecution(o, exec, nil, now)
		}
	}
	x.emitAccount(changed, now)
}

// fill books one fill of o.
func (x *exchange) fill(o *order, r *venue.ExecutionReport, now time.Time) *trade {
	s := o.sym
	t := &trade{id: s.nextTradeID, o: o, qty: r.FillQuantity, price: r.FillPrice, commission: r.Fee,
		maker: r.Liquidity == venue.Maker, time: now}
	s.nextTradeID++
	s.trades = append(s.trades, t)
	o.executed = o.executed.Add(t.qty)
	notional := t.qty.Mul(t.price)
	o.cumQuote = o.cumQuote.Add(notional)
	o.status = stPartial
	if o.executed == o.qty {
		o.status = stFilled
	}
	base, quote := x.balance(s.inst.Base), x.balance(x.cfg.Quote)
	if o.side == venue.Buy {
		base.free = base.free.Add(t.qty)
		cost := notional.Add(t.commission)
		if o.locked.IsPositive() {
			// Release what this part of the order held, and pay from it.
			rel := money.Min(o.locked, x.buyHold(t.qty, o.price))
			o.locked = o.locked.Sub(rel)
			quote.locked = quote.locked.Sub(rel)
			quote.free = quote.free.Add(rel)
		}
		quote.free = quote.free.Sub(cost)
	} else {
		rel := money.Min(o.locked, t.qty)
		o.locked = o.locked.Sub(rel)
		base.locked = base.locked.Sub(rel)
		base.free = base.free.Add(rel).Sub(t.qty)
		quote.free = quote.free.Add(notional.Sub(t.commission))
	}
	return t
}

// buyHold is what a buy of qty at price holds of the quote asset: its
// notional and the larger fee.
func (x *exchange) buyHold(qty, price money.Decimal) money.Decimal {
	n := qty.Mul(price)
	return n.Add(n.MulBps(max(x.cfg.Fees.MakerBps, x.cfg.Fees.TakerBps)))
}

// finish takes an order that reached a final status off the open orders
// and releases what it still held.
func (x *exchange) finish(o *order) {
	if o.locked.IsPositive() {
		b := x.balance(o.lockAsset)
		b.locked = b.locked.Sub(o.locked)
		b.free = b.free.Add(o.locked)
		o.locked = money.Decimal{}
	}
	if o.sym.open[o.clientID] == o {
		delete(o.sym.open, o.clientID)
	}
	delete(x.byInner, o.inner)
}

func (x *exchange) emitExecution(o *order, exec string, t *trade, now time.Time) {
	x.nextExecID++ // counted whether or not anyone listens
	if len(x.userSubs) == 0 {
		return
	}
	ev := executionReport{
		E: now.UnixMilli(), Event: "executionReport", S: o.sym.venue, C: o.clientID, Side: sideName(o.side),
		O: o.typ, F: o.tif, Q: dec(o.qty), P: dec(o.price), StopP: dec(money.Decimal{}), IcebergF: dec(money.Decimal{}),
		G: -1, OrigC: "", X: exec, Status: o.status, R: reasonNone, I: o.id, L: dec(money.Decimal{}),
		Z: dec(o.executed), LastP: dec(money.Decimal{}), N: "0", T: now.UnixMilli(), TradeID: -1,
		ExecID: x.nextExecID, W: !o.final() && o.typ != typMarket, M: false, Mignore: false,
		CreatedO: o.created.UnixMilli(), CumQ: dec(o.cumQuote), LastQuote: dec(money.Decimal{}),
		QuoteQ: dec(money.Decimal{}), WorkingW: o.created.UnixMilli(), STP: "NONE",
	}
	if exec == execCancel {
		// A cancel's c is the cancel request's id, C the order's own.
		ev.OrigC = o.clientID
		ev.C = o.cancelID
	}
	if t != nil {
		asset := x.cfg.Quote
		ev.L, ev.LastP, ev.N, ev.Nasset = dec(t.qty), dec(t.price), dec(t.commission), &asset
		ev.TradeID, ev.M, ev.T = t.id, t.maker, t.time.UnixMilli()
		ev.LastQuote = dec(t.qty.Mul(t.price))
	}
	x.sendUser(ev)
}

func (x *exchange) emitAccount(changed map[string]bool, now time.Time) {
	if len(x.userSubs) == 0 || len(changed) == 0 {
		return
	}
	ev := accountPosition{Event: "outboundAccountPosition", E: now.UnixMilli(), U: now.UnixMilli()}
	for _, a := range x.assets() {
		if changed[a] {
			b := x.bal[a]
			ev.B = append(ev.B, assetBalance{A: a, F: dec(b.free), L: dec(b.locked)})
		}
	}
	x.sendUser(ev)
}
