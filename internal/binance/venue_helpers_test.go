package binance

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

func vdec(s string) money.Decimal { return money.MustParse(s) }

// vSender records what the venue handed it; full refuses every place.
type vSender struct {
	placed   []OrderRequest
	cancels  []string
	resolved []string
	full     bool
}

func (f *vSender) Place(o OrderRequest) bool {
	if f.full {
		return false
	}
	f.placed = append(f.placed, o)
	return true
}

func (f *vSender) Cancel(_, id string) bool {
	if f.full {
		return false
	}
	f.cancels = append(f.cancels, id)
	return true
}

func (f *vSender) Resolve(_, id string) { f.resolved = append(f.resolved, id) }

var vT0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func vRules() map[string]Rules {
	f := venue.Filters{TickSize: vdec("0.01"), LotSize: vdec("0.001"), MinNotional: vdec("5")}
	return map[string]Rules{
		"BTC-USD": {Symbol: "BTC-USD", VenueSymbol: "BTCUSDT", Trading: true, Filters: f},
		"ETH-USD": {Symbol: "ETH-USD", VenueSymbol: "ETHUSDT", Trading: true, Filters: f},
	}
}

// vRig is a venue with a fake sender whose every report goes through the
// order state machine the loop runs (orders.Book): a report it refuses
// fails the test.
type vRig struct {
	t    testing.TB
	v    *Venue
	s    *vSender
	book *orders.Book
	now  time.Time
	all  []venue.ExecutionReport
}

func newVRig(t testing.TB, mut func(*VenueConfig)) *vRig {
	cfg := VenueConfig{Quote: "USDT", Rules: vRules(), MakerBps: 10, TakerBps: 10,
		Start: map[string]money.Decimal{"USDT": vdec("1000")}}
	if mut != nil {
		mut(&cfg)
	}
	r := &vRig{t: t, v: NewVenue(cfg), s: &vSender{}, book: orders.NewBook("s1", 1000), now: vT0}
	r.v.SetSender(r.s)
	return r
}

func vLimit(sym string, side venue.Side, qty, price string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: sym, Side: side, Type: venue.Limit, TIF: venue.GTC, Quantity: vdec(qty), Price: vdec(price)}
}

func vQuote(sym string) market.Event {
	return market.Event{Kind: market.EventBook, Symbol: sym, Time: vT0, Bid: vdec("99.99"), Ask: vdec("100.01")}
}

// submit does what the loop does: the book records the order NEW, then
// the venue sees it.
func (r *vRig) submit(id string, spec venue.OrderSpec) []venue.ExecutionReport {
	r.t.Helper()
	if _, err := r.book.Submitted(id, spec, spec.Price, r.now); err != nil {
		r.t.Fatal(err)
	}
	return r.handle(r.v.Submit(spec, id, vQuote(spec.Symbol), r.now, nil))
}

// drain runs a heartbeat through the venue, as a quiet market does.
func (r *vRig) drain() []venue.ExecutionReport {
	r.t.Helper()
	r.now = r.now.Add(100 * time.Millisecond)
	ev := market.Event{Kind: market.EventHeartbeat, Time: r.now}
	return r.handle(r.v.OnEvent(&ev, nil))
}

// feed hands updates to the sink and drains them.
func (r *vRig) feed(us ...OrderUpdate) []venue.ExecutionReport {
	r.t.Helper()
	for _, u := range us {
		r.v.Update(u)
	}
	return r.drain()
}

func (r *vRig) handle(rs []venue.ExecutionReport) []venue.ExecutionReport {
	r.t.Helper()
	for i := range rs {
		if _, err := r.book.Apply(&rs[i]); err != nil {
			r.t.Fatalf("the order book refused report %d (%s %s): %v", i, rs[i].ClientID, rs[i].State, err)
		}
	}
	r.all = append(r.all, rs...)
	return rs
}

func (r *vRig) order(id string) orders.Order {
	r.t.Helper()
	o, ok := r.book.Get(id)
	if !ok {
		r.t.Fatalf("order %s not in the book", id)
	}
	return o
}

func vStatus(sym, id string, s OrderStatus, executed string) OrderUpdate {
	return OrderUpdate{Symbol: sym, ClientID: id, Status: s, Executed: vdec(executed)}
}

// vTrade is an execution report with x=TRADE: the trade and the
// order's status and cumulative quantity after it.
func vTrade(sym, id string, tid int64, qty, price, executed string, s OrderStatus) OrderUpdate {
	return OrderUpdate{Symbol: sym, ClientID: id, Status: s, Executed: vdec(executed),
		Trade: &Trade{ID: tid, Symbol: sym, ClientID: id, Quantity: vdec(qty), Price: vdec(price),
			Fee: vdec(qty).Mul(vdec(price)).MulBps(10), FeeAsset: "USDT"}}
}

func vStates(rs []venue.ExecutionReport) []venue.OrderState {
	var s []venue.OrderState
	for _, r := range rs {
		s = append(s, r.State)
	}
	return s
}

func vFills(rs []venue.ExecutionReport) (n int, qty money.Decimal) {
	for _, r := range rs {
		if r.FillQuantity.IsPositive() {
			n++
			qty = qty.Add(r.FillQuantity)
		}
	}
	return n, qty
}
