package binance

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

const vBTC = "BTC-USD"

var (
	sNew       = venue.StateNew
	sAccepted  = venue.StateAccepted
	sPartial   = venue.StatePartiallyFilled
	sFilled    = venue.StateFilled
	sCancelled = venue.StateCancelled
	sRejected  = venue.StateRejected
)

func wantStates(t *testing.T, rs []venue.ExecutionReport, want ...venue.OrderState) {
	t.Helper()
	if got := vStates(rs); !slices.Equal(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}
}

func TestVenueSubmitHandsOverAndStaysNew(t *testing.T) {
	r := newVRig(t, nil)
	if rs := r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100")); len(rs) != 0 {
		t.Fatalf("Submit reported %v before the venue answered", vStates(rs))
	}
	if len(r.s.placed) != 1 || r.s.placed[0].ClientID != "o1" || r.s.placed[0].Spec.Quantity != vdec("1") {
		t.Fatalf("sender got %+v", r.s.placed)
	}
	if r.v.OpenTotal() != 1 || r.v.OpenCount(vBTC) != 1 || r.order("o1").State != sNew {
		t.Fatalf("open %d, state %s", r.v.OpenTotal(), r.order("o1").State)
	}
	wantStates(t, r.feed(vStatus(vBTC, "o1", StatusNew, "0")), sAccepted)
	open := r.v.Open(nil)
	if len(open) != 1 || !open[0].Active || open[0].State != sAccepted {
		t.Fatalf("open orders %+v", open)
	}
	if !r.v.WriteAhead() {
		t.Fatal("a live venue must be write-ahead")
	}
}

func TestVenueDuplicateTradeAppliesOnce(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	u := vTrade(vBTC, "o1", 7, "0.4", "100", "0.4", StatusPartiallyFilled)
	rs := r.feed(u, u)
	rs = append(rs, r.feed(u)...)
	wantStates(t, rs, sAccepted, sPartial)
	if n, q := vFills(rs); n != 1 || q != vdec("0.4") {
		t.Fatalf("%d fills of %s, want one of 0.4", n, q)
	}
	if o := r.order("o1"); o.Filled != vdec("0.4") || rs[1].TradeID != 7 {
		t.Fatalf("filled %s, trade id %d", o.Filled, rs[1].TradeID)
	}
	if got := r.v.Net()["BTC"]; got != vdec("0.4") {
		t.Fatalf("net BTC %s, want 0.4", got)
	}
}

func TestVenueTradeBeforeStatusAndStaleStatuses(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	// The trade overtakes the NEW report; then NEW arrives, stale.
	wantStates(t, r.feed(vTrade(vBTC, "o1", 1, "0.5", "100", "0.5", StatusPartiallyFilled)), sAccepted, sPartial)
	wantStates(t, r.feed(vStatus(vBTC, "o1", StatusNew, "0")))
	wantStates(t, r.feed(vTrade(vBTC, "o1", 2, "0.5", "100", "1", StatusFilled)), sFilled)
	// A stale partial, a replayed trade, a NEW: the order has ended.
	wantStates(t, r.feed(vTrade(vBTC, "o1", 1, "0.5", "100", "0.5", StatusPartiallyFilled),
		vStatus(vBTC, "o1", StatusNew, "0"), vStatus(vBTC, "o1", StatusCanceled, "1")))
	if o := r.order("o1"); o.State != sFilled || o.Filled != vdec("1") || r.v.OpenTotal() != 0 {
		t.Fatalf("order %s filled %s, open %d", o.State, o.Filled, r.v.OpenTotal())
	}
}

func TestVenueFilledWaitsForItsTradesAndAsksForThem(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	wantStates(t, r.feed(vStatus(vBTC, "o1", StatusFilled, "1")), sAccepted)
	if o := r.order("o1"); o.State != sAccepted || r.v.OpenTotal() != 1 {
		t.Fatalf("FILLED without its trades made the order %s", o.State)
	}
	select {
	case view := <-r.v.Views():
		if len(view.Open) != 1 || view.Open[0].Order.ClientID != "o1" || !view.Open[0].Order.Filled.IsZero() {
			t.Fatalf("view %+v", view.Open)
		}
	default:
		t.Fatal("no reconciliation asked for the missing trades")
	}
	if _, err := r.v.Cancel("o1", r.now, nil); !errors.Is(err, ErrOrderEnded) {
		t.Fatalf("cancel of an order the venue filled: %v", err)
	}
	wantStates(t, r.feed(vTrade(vBTC, "o1", 5, "0.6", "100", "0.6", StatusPartiallyFilled)), sPartial)
	wantStates(t, r.feed(vTrade(vBTC, "o1", 6, "0.4", "101", "1", StatusFilled)), sFilled)
	if o := r.order("o1"); o.Filled != vdec("1") || o.State != sFilled || len(o.Fills) != 2 {
		t.Fatalf("order %s filled %s with %d fills", o.State, o.Filled, len(o.Fills))
	}
}

func TestVenueCancelledWaitsForTheTradesItCounts(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Sell, "1", "100"))
	wantStates(t, r.feed(vStatus(vBTC, "o1", StatusCanceled, "0.3")), sAccepted)
	rs := r.feed(vTrade(vBTC, "o1", 9, "0.3", "100", "0.3", StatusPartiallyFilled))
	wantStates(t, rs, sPartial, sCancelled)
	if rs[1].Reason != "cancelled by the venue" || rs[1].Filled != vdec("0.3") || rs[1].Remaining != vdec("0.7") {
		t.Fatalf("cancel report %+v", rs[1])
	}
	// Nothing moves an ended order, not even a trade it never counted.
	wantStates(t, r.feed(vTrade(vBTC, "o1", 10, "0.1", "100", "0.4", StatusPartiallyFilled)))
}

func TestVenueExpiredUnacknowledgedOrderEndsCancelled(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	u := vStatus(vBTC, "o1", StatusExpired, "0")
	u.Reason = "IOC"
	rs := r.feed(u)
	wantStates(t, rs, sAccepted, sCancelled)
	if rs[1].Reason != "expired: IOC" {
		t.Fatalf("reason %q", rs[1].Reason)
	}
}

func TestVenueRejectedAndNeverSent(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	r.submit("o2", vLimit(vBTC, venue.Buy, "1", "100"))
	rej := vStatus(vBTC, "o1", StatusRejected, "0")
	rej.Reason = "-2010 Account has insufficient balance"
	never := vStatus(vBTC, "o2", StatusNeverSent, "0")
	never.Reason = "the venue does not know it after its recvWindow"
	wantStates(t, r.feed(rej, never), sRejected, sRejected)
	if a, b := r.order("o1").Reason, r.order("o2").Reason; a != rej.Reason || b != "never sent: "+never.Reason {
		t.Fatalf("reasons %q, %q", a, b)
	}
	// A rejection after the venue accepted contradicts it: ignored.
	r.submit("o3", vLimit(vBTC, venue.Buy, "1", "100"))
	r.feed(vStatus(vBTC, "o3", StatusNew, "0"))
	wantStates(t, r.feed(vStatus(vBTC, "o3", StatusRejected, "0")))
	if r.order("o3").State != sAccepted {
		t.Fatal("an accepted order was rejected")
	}
}

func TestVenueCancel(t *testing.T) {
	r := newVRig(t, nil)
	if _, err := r.v.Cancel("nope", r.now, nil); !errors.Is(err, ErrNoSuchOrder) {
		t.Fatalf("cancel of an unknown id: %v", err)
	}
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	r.submit("o2", vLimit(vBTC, venue.Buy, "1", "100"))
	if rs, err := r.v.Cancel("o1", r.now, nil); err != nil || len(rs) != 0 {
		t.Fatalf("cancel: %v, %v", rs, err)
	}
	_, _ = r.v.Cancel("o1", r.now.Add(500*time.Millisecond), nil)
	if !slices.Equal(r.s.cancels, []string{"o1"}) {
		t.Fatalf("a cancel on its way was sent again: %v", r.s.cancels)
	}
	_, _ = r.v.Cancel("o1", r.now.Add(2*time.Second), nil)
	r.v.CancelAll(r.now.Add(2*time.Second), nil)
	if !slices.Equal(r.s.cancels, []string{"o1", "o1", "o2"}) {
		t.Fatalf("cancels %v", r.s.cancels)
	}
	rs := r.feed(vStatus(vBTC, "o1", StatusCanceled, "0"))
	wantStates(t, rs, sAccepted, sCancelled)
	if rs[1].Reason != "cancelled" {
		t.Fatalf("reason of a cancel we asked for: %q", rs[1].Reason)
	}
	if _, err := r.v.Cancel("o1", r.now.Add(time.Minute), nil); !errors.Is(err, ErrOrderEnded) {
		t.Fatalf("cancel of an ended order: %v", err)
	}
	r.s.full = true
	if _, err := r.v.Cancel("o2", r.now.Add(time.Minute), nil); err == nil {
		t.Fatal("a cancel the sender could not take reported success")
	}
}

func TestVenueRefusesLocally(t *testing.T) {
	cases := []struct {
		name, want string
		set        func(r *vRig)
		spec       venue.OrderSpec
	}{
		{"halted", "order entry halted: rate_limit: HTTP 429, retry after 3s", func(r *vRig) {
			r.v.Halt("rate_limit", "HTTP 429, retry after 3s")
		}, vLimit(vBTC, venue.Buy, "1", "100")},
		{"book not in sync", "order book of ETH-USD is not in sync", func(r *vRig) {
			r.v.synced = func(s string) bool { return s != "ETH-USD" }
		}, vLimit("ETH-USD", venue.Buy, "1", "100")},
		{"filter", "PERCENT_PRICE_BY_SIDE: bid 90 below", func(r *vRig) {
			r.v.check = func(_ Rules, s venue.OrderSpec, ref, avg money.Decimal, open int) string {
				if avg != vdec("100") || ref != vdec("100.01") {
					return "wrong references"
				}
				return "PERCENT_PRICE_BY_SIDE: bid 90 below 0.2 × 100"
			}
		}, vLimit(vBTC, venue.Buy, "1", "90")},
		{"lot size without a rule check", "LOT_SIZE", nil, vLimit(vBTC, venue.Buy, "0.0005", "100")},
		{"unknown symbol", "not traded on the venue", nil, vLimit("DOGE-USD", venue.Buy, "1", "1")},
		{"not trading", "not trading on the venue now", func(r *vRig) {
			rs := vRules()
			e := rs["ETH-USD"]
			e.Trading = false
			rs["ETH-USD"] = e
			r.v.SetRules(rs)
			r.drain()
		}, vLimit("ETH-USD", venue.Buy, "1", "100")},
		{"sender full", "queue is full", func(r *vRig) { r.s.full = true }, vLimit(vBTC, venue.Buy, "1", "100")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newVRig(t, nil)
			if c.set != nil {
				c.set(r)
			}
			rs := r.submit("o1", c.spec)
			wantStates(t, rs, sRejected)
			if !strings.Contains(rs[0].Reason, c.want) {
				t.Fatalf("reason %q, want it to say %q", rs[0].Reason, c.want)
			}
			if len(r.s.placed) != 0 || r.v.OpenTotal() != 0 {
				t.Fatalf("a refused order was sent (%d) or kept open (%d)", len(r.s.placed), r.v.OpenTotal())
			}
			// A halt asks the strategy to wait (a grid placed again on every
			// event through a 418 ban, a rejected order stored each time).
			if halted := c.name == "halted"; halted != rs[0].RetryAt.After(r.now) {
				t.Fatalf("%s: RetryAt %v at %v", c.name, rs[0].RetryAt, r.now)
			}
		})
	}
}

func TestVenueResumeLiftsTheHalt(t *testing.T) {
	r := newVRig(t, nil)
	r.v.Halt("clock", "our clock is 4000 ms off the venue's")
	r.v.Halt("rate_limit", "429")
	r.v.Resume("rate_limit")
	if rs := r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100")); len(rs) != 1 || !strings.Contains(rs[0].Reason, "clock: our clock") {
		t.Fatalf("with the clock halt left: %+v", rs)
	}
	r.v.Resume("clock")
	if rs := r.submit("o2", vLimit(vBTC, venue.Buy, "1", "100")); len(rs) != 0 || len(r.s.placed) != 1 {
		t.Fatalf("after every resume: reports %v, sent %d", vStates(rs), len(r.s.placed))
	}
}

func TestVenueFeesAndNetAssets(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("b", vLimit(vBTC, venue.Buy, "1", "100"))
	buy := vTrade(vBTC, "b", 1, "1", "100", "1", StatusFilled)
	buy.Trade.Fee, buy.Trade.FeeAsset = vdec("0.001"), "BTC" // a buy pays in the base
	rs := r.feed(buy)
	if f := rs[1]; f.Fee != vdec("0.1") || f.FeeAsset != "BTC" || f.FeeNative != vdec("0.001") {
		t.Fatalf("base fee: %s (%s %s)", f.Fee, f.FeeNative, f.FeeAsset)
	}
	r.submit("s", vLimit(vBTC, venue.Sell, "0.5", "110"))
	sell := vTrade(vBTC, "s", 2, "0.5", "110", "0.5", StatusFilled)
	sell.Trade.Fee = vdec("0.055")
	if f := r.feed(sell)[1]; f.Fee != vdec("0.055") || f.FeeAsset != "" || !f.FeeNative.IsZero() {
		t.Fatalf("quote fee: %s (%s %s)", f.Fee, f.FeeNative, f.FeeAsset)
	}
	r.submit("e", vLimit("ETH-USD", venue.Buy, "2", "10"))
	eth := vTrade("ETH-USD", "e", 2, "2", "10", "2", StatusFilled) // same trade id, other symbol
	eth.Trade.Fee, eth.Trade.FeeAsset, eth.Trade.Maker = vdec("0.01"), "BNB", true
	rs = r.feed(eth)
	if n, _ := vFills(rs); n != 1 || !rs[1].Fee.IsZero() || rs[1].FeeAsset != "BNB" || rs[1].Liquidity != venue.Maker {
		t.Fatalf("third-asset fee: %+v", rs)
	}
	want := map[string]money.Decimal{"BTC": vdec("0.499"), "USDT": vdec("-45.055"), "ETH": vdec("2"), "BNB": vdec("-0.01")}
	want["USDT"] = want["USDT"].Sub(vdec("20"))
	for a, w := range want {
		if got := r.v.Net()[a]; got != w {
			t.Errorf("net %s %s, want %s", a, got, w)
		}
	}
	if got := r.v.View().Expected["USDT"]; got != vdec("934.945") {
		t.Errorf("expected USDT %s, want start 1000 + net -65.055", got)
	}
}

func TestVenueRecoveredTradesApplyNoMore(t *testing.T) {
	spec := vLimit(vBTC, venue.Buy, "1", "100")
	rec := Recovered{Order: venue.OpenOrder{ClientID: "o1", Spec: spec, Filled: vdec("0.4"), Remaining: vdec("0.6"),
		State: sPartial, Submitted: vT0, Active: true}, TradeIDs: []int64{11}}
	fresh := Recovered{Order: venue.OpenOrder{ClientID: "o2", Spec: spec, Remaining: spec.Quantity, State: sNew}}
	r := newVRig(t, func(c *VenueConfig) {
		c.Recovered = []Recovered{rec, fresh}
		c.Net = map[string]money.Decimal{"BTC": vdec("0.4"), "USDT": vdec("-40")}
	})
	if err := r.book.Adopt(orders.Order{ClientID: "o1", Spec: spec, State: sPartial, Filled: vdec("0.4"),
		Remaining: vdec("0.6"), Fills: []orders.Fill{{Quantity: vdec("0.4"), Price: vdec("100")}}}); err != nil {
		t.Fatal(err)
	}
	if r.v.OpenTotal() != 2 || r.v.Open(nil)[1].Active {
		t.Fatalf("recovered open %d", r.v.OpenTotal())
	}
	wantStates(t, r.feed(vTrade(vBTC, "o1", 11, "0.4", "100", "0.4", StatusPartiallyFilled)))
	rs := r.feed(vTrade(vBTC, "o1", 12, "0.6", "100", "1", StatusFilled))
	wantStates(t, rs, sFilled)
	if rs[0].Filled != vdec("1") || r.v.Net()["BTC"] != vdec("1") {
		t.Fatalf("filled %s, net BTC %s", rs[0].Filled, r.v.Net()["BTC"])
	}
}

func TestVenueRefusesATradeBeyondTheOrderAndHalts(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	r.feed(vTrade(vBTC, "o1", 1, "0.8", "100", "0.8", StatusPartiallyFilled))
	if n, _ := vFills(r.feed(vTrade(vBTC, "o1", 2, "0.5", "100", "1.3", StatusPartiallyFilled))); n != 0 {
		t.Fatal("an overfill was applied")
	}
	if h := r.v.Halted(); !strings.Contains(h, "venue_report") || !strings.Contains(h, "exceeds the remaining 0.2") {
		t.Fatalf("halt %q", h)
	}
}

func TestVenueIgnoresUpdatesForOthersOrders(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	wantStates(t, r.feed(vTrade(vBTC, "x9", 1, "1", "100", "1", StatusFilled), vStatus("ETH-USD", "o1", StatusNew, "0")))
	if r.v.ignored != 2 {
		t.Fatalf("ignored %d", r.v.ignored)
	}
}

// The sink is fed from many goroutines while the loop drains it.
func TestVenueSinkFromManyGoroutines(t *testing.T) {
	r := newVRig(t, nil)
	const n = 50
	for i := range n {
		r.submit(string(rune('A'+i)), vLimit(vBTC, venue.Buy, "1", "100"))
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := string(rune('A' + i))
			for k := range 3 { // every update thrice
				_ = k
				r.v.Update(vTrade(vBTC, id, int64(i+1), "1", "100", "1", StatusFilled))
				r.v.Balances([]Balance{{Asset: "BTC", Free: vdec("1")}})
				r.v.Halt("x", "y")
				r.v.Resume("x")
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for loop := true; loop; {
		select {
		case <-done:
			loop = false
		default:
		}
		r.drain()
	}
	r.drain()
	if fn, q := vFills(r.all); fn != n || q != vdec("50") || r.v.OpenTotal() != 0 {
		t.Fatalf("%d fills of %s, open %d", fn, q, r.v.OpenTotal())
	}
}
