package venueemu

import (
	"net/http"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Ledger is the venue's record, for tests to compare with what a client
// believes: every order request received, every order accepted and every
// trade, in the venue's own terms (venue symbols, its ids). Memory grows
// with the session; an emulator serves rehearsals, not months.
type Ledger struct {
	// Requests are the POST /api/v3/order requests that reached the
	// venue, in arrival order, with their verdicts (also those refused by
	// a fault, a rate limit or the signature check).
	Requests []Request `json:"requests"`
	// Orders are the accepted orders, by symbol then order id.
	Orders []Order `json:"orders"`
	// Trades are the fills of our orders, by symbol then trade id.
	Trades []Trade `json:"trades"`
	// Transfers are the deposits and withdrawals (Deposit), in order.
	Transfers []Transfer `json:"transfers"`
	// Balances are the account's balances now, by asset.
	Balances map[string]Balance `json:"balances"`
}

// Balance is one asset of the account.
type Balance struct {
	Free   money.Decimal `json:"free"`
	Locked money.Decimal `json:"locked"`
}

// Request is one order request received.
type Request struct {
	Time     time.Time `json:"time"`
	Symbol   string    `json:"symbol"`
	ClientID string    `json:"clientOrderId"`
	// Accepted says the venue took the order (OrderID is its id); else
	// Verdict says why not ("HTTP 400 -2010 Duplicate order sent.").
	Accepted bool   `json:"accepted"`
	OrderID  int64  `json:"orderId,omitempty"`
	Verdict  string `json:"verdict"`
	// Withheld: accepted, but the answer was withheld (a fault).
	Withheld bool `json:"withheld,omitempty"`
}

// Order is an accepted order as it stands.
type Order struct {
	Symbol      string        `json:"symbol"`
	OrderID     int64         `json:"orderId"`
	ClientID    string        `json:"clientOrderId"`
	Side        string        `json:"side"`
	Type        string        `json:"type"`
	TimeInForce string        `json:"timeInForce"`
	Quantity    money.Decimal `json:"origQty"`
	Price       money.Decimal `json:"price"`
	Executed    money.Decimal `json:"executedQty"`
	QuoteQty    money.Decimal `json:"cummulativeQuoteQty"`
	Status      string        `json:"status"`
	Time        time.Time     `json:"time"`
	UpdateTime  time.Time     `json:"updateTime"`
}

// Trade is one fill of one of our orders.
type Trade struct {
	Symbol          string        `json:"symbol"`
	ID              int64         `json:"id"`
	OrderID         int64         `json:"orderId"`
	ClientID        string        `json:"clientOrderId"`
	Side            string        `json:"side"`
	Quantity        money.Decimal `json:"qty"`
	Price           money.Decimal `json:"price"`
	Commission      money.Decimal `json:"commission"`
	CommissionAsset string        `json:"commissionAsset"`
	Maker           bool          `json:"isMaker"`
	Time            time.Time     `json:"time"`
}

// Resubmitted lists the client order ids that arrived in more than one
// order request, whatever the verdicts: a client that never sends an id
// twice leaves it empty.
func (l Ledger) Resubmitted() []string {
	seen := map[string]int{}
	var out []string
	for _, r := range l.Requests {
		if r.ClientID == "" {
			continue
		}
		if seen[r.ClientID]++; seen[r.ClientID] == 2 {
			out = append(out, r.ClientID)
		}
	}
	return out
}

// Ledger returns a copy of the record as of now.
func (e *Emulator) Ledger() Ledger {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	l := Ledger{Requests: slices.Clone(x.ledger.Requests), Orders: []Order{}, Trades: []Trade{},
		Transfers: append([]Transfer{}, x.ledger.Transfers...)}
	for _, s := range x.order {
		ids := make([]int64, 0, len(s.orders))
		for id := range s.orders {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			o := s.orders[id]
			l.Orders = append(l.Orders, Order{Symbol: s.venue, OrderID: o.id, ClientID: o.clientID, Side: sideName(o.side),
				Type: o.typ, TimeInForce: o.tif, Quantity: o.qty, Price: o.price, Executed: o.executed,
				QuoteQty: o.cumQuote, Status: o.status, Time: o.created, UpdateTime: o.updated})
		}
		for _, t := range s.trades {
			l.Trades = append(l.Trades, Trade{Symbol: s.venue, ID: t.id, OrderID: t.o.id, ClientID: t.o.clientID,
				Side: sideName(t.o.side), Quantity: t.qty, Price: t.price, Commission: t.commission,
				CommissionAsset: x.cfg.Quote, Maker: t.maker, Time: t.time})
		}
	}
	if l.Requests == nil {
		l.Requests = []Request{}
	}
	l.Balances = make(map[string]Balance, len(x.bal))
	for a, b := range x.bal {
		l.Balances[a] = Balance{Free: b.free, Locked: b.locked}
	}
	return l
}

// record notes an order request and its verdict.
func (x *exchange) record(rc *reqCtx, resp any, ae *apiError) {
	r := Request{Time: rc.now, Symbol: rc.params.Get("symbol"), ClientID: rc.params.Get("newClientOrderId"),
		Withheld: rc.withheld}
	switch a := resp.(type) {
	case orderAck:
		r.OrderID, r.ClientID = a.OrderID, a.ClientOrderID
	case orderResult:
		r.OrderID, r.ClientID = a.OrderID, a.ClientOrderID
	case orderFull:
		r.OrderID, r.ClientID = a.OrderID, a.ClientOrderID
	}
	if ae != nil {
		r.Verdict = ae.verdict()
	} else {
		r.Accepted, r.Verdict = true, "accepted"
	}
	x.mu.Lock()
	x.ledger.Requests = append(x.ledger.Requests, r)
	x.mu.Unlock()
}

func (e *Emulator) serveLedger(rw http.ResponseWriter, r *http.Request) {
	if !e.conns.enter() {
		return
	}
	defer e.conns.leave()
	writeJSON(rw, http.StatusOK, e.Ledger())
}
