package venueemu

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

func (e *Emulator) serverTime(rc *reqCtx) (any, *apiError) {
	return struct {
		ServerTime int64 `json:"serverTime"`
	}{time.Now().UnixMilli()}, nil
}

// symbolParam is the symbol a request names, which must be listed.
func (x *exchange) symbolParam(name string) (*symbol, *apiError) {
	if name == "" {
		return nil, missing("symbol")
	}
	s := x.syms[name]
	if s == nil {
		return nil, apiErr(400, -1121, "Invalid symbol.")
	}
	return s, nil
}

func decParam(rc *reqCtx, name string, required bool) (money.Decimal, *apiError) {
	v := rc.params.Get(name)
	if v == "" {
		if required {
			return money.Decimal{}, missing(name)
		}
		return money.Decimal{}, nil
	}
	d, err := money.Parse(v)
	if err != nil || d.IsNegative() {
		return d, apiErr(400, -1100, "Illegal characters found in parameter '"+name+"'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
	}
	return d, nil
}

func intParam(rc *reqCtx, name string) (int64, *apiError) {
	v := rc.params.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, apiErr(400, -1100, "Illegal characters found in parameter '"+name+"'; legal range is '^[0-9]{1,20}$'.")
	}
	return n, nil
}

// limitParam is the limit parameter: def when absent, refused outside
// 1..most as the venue refuses it.
func limitParam(rc *reqCtx, def, most int64) (int64, *apiError) {
	limit, ae := intParam(rc, "limit")
	if ae != nil {
		return 0, ae
	}
	if limit == 0 {
		limit = def
	}
	if limit < 1 || limit > most {
		return 0, apiErr(400, -1100, fmt.Sprintf("Illegal characters found in parameter 'limit'; legal range is '1-%d'.", most))
	}
	return limit, nil
}

func (e *Emulator) depth(rc *reqCtx) (any, *apiError) {
	limit, ae := limitParam(rc, 100, 5000)
	if ae != nil {
		return nil, ae
	}
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ae := x.symbolParam(rc.params.Get("symbol"))
	if ae != nil {
		return nil, ae
	}
	out := depthSnapshot{LastUpdateID: s.lastUpdateID, Bids: [][2]string{}, Asks: [][2]string{}}
	for i, l := range s.published.Bids {
		if int64(i) < limit {
			out.Bids = append(out.Bids, level(l))
		}
	}
	for i, l := range s.published.Asks {
		if int64(i) < limit {
			out.Asks = append(out.Asks, level(l))
		}
	}
	return out, nil
}

func (e *Emulator) avgPrice(rc *reqCtx) (any, *apiError) {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ae := x.symbolParam(rc.params.Get("symbol"))
	if ae != nil {
		return nil, ae
	}
	return struct {
		Mins      int64  `json:"mins"`
		Price     string `json:"price"`
		CloseTime int64  `json:"closeTime"`
	}{5, dec(s.avgPrice()), rc.now.UnixMilli()}, nil
}

func (e *Emulator) account(rc *reqCtx) (any, *apiError) {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	f := x.cfg.Fees
	rate := func(bps int64) string { return dec(money.FromInt(bps).MulBps(1)) }
	out := accountInfo{
		MakerCommission: f.MakerBps, TakerCommission: f.TakerBps,
		CommissionRates: commissionRates{Maker: rate(f.MakerBps), Taker: rate(f.TakerBps), Buyer: dec(money.Decimal{}), Seller: dec(money.Decimal{})},
		CanTrade:        true, CanWithdraw: true, CanDeposit: true, UpdateTime: rc.now.UnixMilli(),
		AccountType: "SPOT", Balances: []assetFree{}, Permissions: []string{"SPOT"}, UID: emulatorUID,
	}
	for _, a := range x.assets() {
		b := x.bal[a]
		out.Balances = append(out.Balances, assetFree{Asset: a, Free: dec(b.free), Locked: dec(b.locked)})
	}
	return out, nil
}

// emulatorUID is the account's uid, which the operator sees before a live
// session starts.
const emulatorUID = 1001

func (e *Emulator) placeOrder(rc *reqCtx) (any, *apiError) {
	req := placeReq{clientID: rc.params.Get("newClientOrderId"), typ: rc.params.Get("type"), tif: rc.params.Get("timeInForce")}
	switch rc.params.Get("side") {
	case sideBuy:
		req.side = venue.Buy
	case sideSell:
		req.side = venue.Sell
	case "":
		return nil, missing("side")
	default:
		return nil, apiErr(400, -1117, "Invalid side.")
	}
	var ae *apiError
	if req.qty, ae = decParam(rc, "quantity", true); ae != nil {
		return nil, ae
	}
	switch req.typ {
	case typLimit:
		if req.tif == "" {
			return nil, missing("timeInForce")
		}
		if req.tif != tifGTC && req.tif != tifIOC {
			return nil, apiErr(400, -1115, "Invalid timeInForce.")
		}
		fallthrough
	case typMaker:
		if req.price, ae = decParam(rc, "price", true); ae != nil {
			return nil, ae
		}
	case typMarket:
		if rc.params.Get("price") != "" {
			return nil, apiErr(400, -1106, "Parameter 'price' sent when not required.")
		}
	case "":
		return nil, missing("type")
	default:
		return nil, apiErr(400, -1116, "Invalid orderType.")
	}
	if req.typ == typMaker && req.tif != "" {
		return nil, apiErr(400, -1106, "Parameter 'timeInForce' sent when not required.")
	}
	resp := rc.params.Get("newOrderRespType")
	if resp == "" {
		resp = respACK
		if req.typ == typMarket || req.typ == typLimit {
			resp = respFULL // the venue's default for these types
		}
	}
	if resp != respACK && resp != respRESULT && resp != respFULL {
		return nil, apiErr(400, -1100, "Illegal characters found in parameter 'newOrderRespType'.")
	}
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	if req.sym, ae = x.symbolParam(rc.params.Get("symbol")); ae != nil {
		return nil, ae
	}
	o, fills, ae := x.place(req, rc.now)
	if ae != nil {
		return nil, ae
	}
	if e.faults.takeAcceptTimeout() {
		rc.withheld = true
	}
	ack := orderAck{Symbol: o.sym.venue, OrderID: o.id, OrderListID: -1, ClientOrderID: o.clientID, TransactTime: o.created.UnixMilli()}
	if resp == respACK {
		return ack, nil
	}
	res := orderResult{orderAck: ack, Price: dec(o.price), OrigQty: dec(o.qty), ExecutedQty: dec(o.executed),
		OrigQuoteOrderQty: dec(money.Decimal{}), CummulativeQuoteQty: dec(o.cumQuote), Status: o.status,
		TimeInForce: o.tif, Type: o.typ, Side: sideName(o.side), WorkingTime: o.created.UnixMilli(), STP: "NONE"}
	if resp == respRESULT {
		return res, nil
	}
	full := orderFull{orderResult: res, Fills: []orderFill{}}
	for _, t := range fills {
		full.Fills = append(full.Fills, orderFill{Price: dec(t.price), Qty: dec(t.qty), Commission: dec(t.commission),
			CommissionAsset: x.cfg.Quote, TradeID: t.id})
	}
	return full, nil
}

// orderRef parses symbol and orderId or origClientOrderId.
func (x *exchange) orderRef(rc *reqCtx) (*symbol, int64, string, *apiError) {
	s, ae := x.symbolParam(rc.params.Get("symbol"))
	if ae != nil {
		return nil, 0, "", ae
	}
	id, ae := intParam(rc, "orderId")
	if ae != nil {
		return nil, 0, "", ae
	}
	cid := rc.params.Get("origClientOrderId")
	if id == 0 && cid == "" {
		return nil, 0, "", apiErr(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
	}
	return s, id, cid, nil
}

func (e *Emulator) queryOrder(rc *reqCtx) (any, *apiError) {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	s, id, cid, ae := x.orderRef(rc)
	if ae != nil {
		return nil, ae
	}
	o := x.find(s, id, cid)
	if o == nil {
		return nil, apiErr(400, -2013, "Order does not exist.")
	}
	return o.info(), nil
}

func (o *order) info() orderInfo {
	zero := dec(money.Decimal{})
	return orderInfo{Symbol: o.sym.venue, OrderID: o.id, OrderListID: -1, ClientOrderID: o.clientID, Price: dec(o.price),
		OrigQty: dec(o.qty), ExecutedQty: dec(o.executed), CummulativeQuoteQty: dec(o.cumQuote), Status: o.status,
		TimeInForce: o.tif, Type: o.typ, Side: sideName(o.side), StopPrice: zero, IcebergQty: zero,
		Time: o.created.UnixMilli(), UpdateTime: o.updated.UnixMilli(), IsWorking: o.typ != typMarket,
		WorkingTime: o.created.UnixMilli(), OrigQuoteOrderQty: zero, STP: "NONE"}
}

func (e *Emulator) cancelOrder(rc *reqCtx) (any, *apiError) {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	s, id, cid, ae := x.orderRef(rc)
	if ae != nil {
		return nil, ae
	}
	o, ae := x.cancel(s, id, cid, rc.params.Get("newClientOrderId"), rc.now)
	if ae != nil {
		return nil, ae
	}
	return cancelAnswer{Symbol: s.venue, OrigClientOrderID: o.clientID, OrderID: o.id, OrderListID: -1,
		ClientOrderID: o.cancelID, TransactTime: rc.now.UnixMilli(), Price: dec(o.price), OrigQty: dec(o.qty),
		ExecutedQty: dec(o.executed), OrigQuoteOrderQty: dec(money.Decimal{}), CummulativeQuoteQty: dec(o.cumQuote),
		Status: o.status, TimeInForce: o.tif, Type: o.typ, Side: sideName(o.side), STP: "NONE"}, nil
}

func (e *Emulator) openOrders(rc *reqCtx) (any, *apiError) {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	var s *symbol
	if name := rc.params.Get("symbol"); name != "" {
		var ae *apiError
		if s, ae = x.symbolParam(name); ae != nil {
			return nil, ae
		}
	}
	out := []orderInfo{}
	for _, o := range x.openOrders(s) {
		out = append(out, o.info())
	}
	return out, nil
}

func (e *Emulator) myTrades(rc *reqCtx) (any, *apiError) {
	orderID, ae := intParam(rc, "orderId")
	if ae != nil {
		return nil, ae
	}
	fromID, ae := intParam(rc, "fromId")
	if ae != nil {
		return nil, ae
	}
	limit, ae := limitParam(rc, 500, 1000)
	if ae != nil {
		return nil, ae
	}
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ae := x.symbolParam(rc.params.Get("symbol"))
	if ae != nil {
		return nil, ae
	}
	out := []myTrade{}
	// Trades are kept in id order; fromId and orderId select, oldest first.
	for _, t := range s.trades {
		if int64(len(out)) == limit {
			break
		}
		if t.id < fromID || (orderID > 0 && t.o.id != orderID) {
			continue
		}
		out = append(out, myTrade{Symbol: s.venue, ID: t.id, OrderID: t.o.id, OrderListID: -1, Price: dec(t.price),
			Qty: dec(t.qty), QuoteQty: dec(t.qty.Mul(t.price)), Commission: dec(t.commission),
			CommissionAsset: x.cfg.Quote, Time: t.time.UnixMilli(), IsBuyer: t.o.side == venue.Buy,
			IsMaker: t.maker, IsBestMatch: true})
	}
	return out, nil
}
