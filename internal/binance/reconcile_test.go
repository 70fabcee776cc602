package binance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

var rcD = money.MustParse

// recOrder is one of our orders as the loop's side knows it.
func recOrder(id, sym string, filled string, active bool, trades ...int64) Recovered {
	return Recovered{Order: venue.OpenOrder{ClientID: id, Spec: venue.OrderSpec{Symbol: sym, Side: venue.Buy,
		Type: venue.Limit, Quantity: rcD("1"), Price: rcD("100")}, Filled: rcD(filled), Active: active}, TradeIDs: trades}
}

func TestCompareHandsOverMissedTradesOnceBeforeTheStatus(t *testing.T) {
	snap := Snapshot{Open: []Recovered{
		recOrder("tA-1", "BTC-USD", "0.1", true, 11),
		recOrder("tA-2", "BTC-USD", "0", true),
	}}
	v := venueView{
		Open:    []OrderUpdate{{ClientID: "tA-2", OrderID: 2, Status: StatusNew, Executed: rcD("0")}},
		Queried: map[string]OrderUpdate{"tA-1": {ClientID: "tA-1", OrderID: 1, Status: StatusFilled, Executed: rcD("1")}},
		Trades: map[string][]Trade{"tA-1": {
			{ID: 11, Quantity: rcD("0.1"), Price: rcD("100")},
			{ID: 12, Quantity: rcD("0.5"), Price: rcD("99")},
			{ID: 12, Quantity: rcD("0.5"), Price: rcD("99")}, // listed twice: still one
			{ID: 13, Quantity: rcD("0.4"), Price: rcD("98")},
		}},
	}
	if got := needTrades(snap, v); len(got) != 1 || got[0].Order.ClientID != "tA-1" {
		t.Fatalf("needTrades %+v: want tA-1 only (executed 1 > applied 0.1)", got)
	}
	p := rcCompare(t, snap, v, money.Decimal{})
	if len(p.Missed) != 2 || p.Missed[0].ID != 12 || p.Missed[1].ID != 13 {
		t.Fatalf("missed %+v: want trades 12 and 13, once each", p.Missed)
	}
	if len(p.Updates) != 4 {
		t.Fatalf("updates %+v: want 2 trades and 2 statuses", p.Updates)
	}
	for i, u := range p.Updates[:2] {
		if u.Trade == nil || u.Symbol != "BTC-USD" || u.ClientID != "tA-1" || u.Trade.ClientID != "tA-1" ||
			u.Trade.Symbol != "BTC-USD" || u.Trade.OrderID != 1 || u.Status != StatusFilled {
			t.Fatalf("update %d %+v: want a trade of tA-1 carrying the order's status", i, u)
		}
	}
	if u := p.Updates[2]; u.Trade != nil || u.ClientID != "tA-1" || u.Status != StatusFilled || u.Executed != rcD("1") {
		t.Fatalf("status after the trades: %+v", u)
	}
	if u := p.Updates[3]; u.ClientID != "tA-2" || u.Status != StatusNew || u.Symbol != "BTC-USD" {
		t.Fatalf("open order's status: %+v", u)
	}
}

func rcCompare(t *testing.T, snap Snapshot, v venueView, tol money.Decimal) reconcilePlan {
	t.Helper()
	p, err := reconcileCompare(snap, v, "USDT", tol)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// After a crash, the venue's balances include fills the store never saw;
// the trades the pass hands over explain them: no drift, no halt.
func TestCompareMissedFillsExplainTheBalances(t *testing.T) {
	snap := Snapshot{
		Open:     []Recovered{recOrder("tA-1", "BTC-USD", "0", true), recOrder("tA-2", "ETH-USD", "0", true)},
		Expected: map[string]money.Decimal{"USDT": rcD("1000"), "BTC": rcD("0"), "ETH": rcD("2")},
	}
	snap.Open[1].Order.Spec.Side = venue.Sell
	v := venueView{
		Queried: map[string]OrderUpdate{
			"tA-1": {OrderID: 1, Status: StatusFilled, Executed: rcD("0.5")},
			"tA-2": {OrderID: 2, Status: StatusPartiallyFilled, Executed: rcD("1")},
		},
		Trades: map[string][]Trade{
			"tA-1": {{ID: 1, Quantity: rcD("0.5"), Price: rcD("100"), Fee: rcD("0.0005"), FeeAsset: "BTC"}},
			"tA-2": {{ID: 9, Side: venue.Sell, Quantity: rcD("1"), Price: rcD("10"), Fee: rcD("0.01"), FeeAsset: "USDT"}},
		},
		// 1000 - 50 + 10 - 0.01 USDT; 0.5 - 0.0005 BTC; 2 - 1 ETH.
		Balances: []Balance{{Asset: "USDT", Free: rcD("959.99")}, {Asset: "BTC", Free: rcD("0.4995")}, {Asset: "ETH", Locked: rcD("1")}},
	}
	if p := rcCompare(t, snap, v, money.Decimal{}); len(p.Drift) != 0 || len(p.Missed) != 2 {
		t.Fatalf("drift %v with missed %v: the missed fills explain the balances", p.Drift, p.Missed)
	}
	v.Balances[0].Free = rcD("959.98")
	if p := rcCompare(t, snap, v, money.Decimal{}); len(p.Drift) != 1 || p.Drift[0].Expected != rcD("959.99") {
		t.Fatalf("drift %v: want USDT 0.01 short of 959.99", p.Drift)
	}
}

func TestCompareOrdersTheVenueDoesNotKnow(t *testing.T) {
	snap := Snapshot{Open: []Recovered{
		recOrder("tA-1", "BTC-USD", "0", false), // never acknowledged
		recOrder("tA-2", "BTC-USD", "0", true),  // acknowledged, now unknown
		recOrder("tA-3", "BTC-USD", "0", true),  // its query failed
	}}
	v := venueView{NotFound: map[string]bool{"tA-1": true, "tA-2": true}}
	p := rcCompare(t, snap, v, money.Decimal{})
	if fmt.Sprint(p.Unacknowledged) != "[tA-1]" || fmt.Sprint(p.Vanished) != "[tA-2]" || len(p.Updates) != 1 ||
		p.Updates[0].ClientID != "tA-2" || p.Updates[0].Status != StatusExpired || p.Updates[0].Reason != vanishedReason {
		t.Fatalf("unacknowledged %v, vanished %v, updates %+v: want tA-1 left to the sender, tA-2 reported and ended, no verdict on tA-3",
			p.Unacknowledged, p.Vanished, p.Updates)
	}
}

func TestCompareFindsStraysByPrefix(t *testing.T) {
	taken := time.UnixMilli(1_700_000_000_000)
	old, recent := taken.Add(-time.Minute), taken.Add(-time.Second)
	v := venueView{Open: []OrderUpdate{
		{ClientID: "tA-1", Time: old},     // known
		{ClientID: "tA-9", Time: old},     // ours, unknown: a stray
		{ClientID: "web_123", Time: old},  // the operator's own: not ours
		{ClientID: "tA-10", Time: recent}, // maybe placed since the snapshot
	}}
	snap := Snapshot{Open: []Recovered{recOrder("tA-1", "BTC-USD", "0", true)}, Prefix: "tA-", Taken: taken}
	p := rcCompare(t, snap, v, money.Decimal{})
	if len(p.Strays) != 1 || p.Strays[0].ClientID != "tA-9" {
		t.Fatalf("strays %+v: want tA-9 only", p.Strays)
	}
	snap.Prefix = ""
	if p := rcCompare(t, snap, v, money.Decimal{}); len(p.Strays) != 0 {
		t.Fatalf("without a prefix nothing is ours to cancel, got %+v", p.Strays)
	}
}

func TestCompareBalanceDrift(t *testing.T) {
	expected := map[string]money.Decimal{"USDT": rcD("1000"), "BTC": rcD("1")}
	external := map[string]money.Decimal{"USDT": rcD("50")} // a deposit seen on the stream
	bal := func(usdt string) []Balance {
		return []Balance{{Asset: "USDT", Free: rcD(usdt)}, {Asset: "BTC", Free: rcD("0.9"), Locked: rcD("0.1")},
			{Asset: "BNB", Free: rcD("3")}}
	}
	tol := rcD("0.1")
	if d, beyond := balanceDrift(expected, external, bal("1050"), tol); len(d) != 0 || beyond {
		t.Fatalf("agreeing balances (free+locked, deposit counted, BNB not ours) drift %v %v", d, beyond)
	}
	d, beyond := balanceDrift(expected, external, bal("1049.95"), tol)
	if len(d) != 1 || d[0].Asset != "USDT" || d[0].Beyond || beyond || d[0].Expected != rcD("1050") {
		t.Fatalf("a drift within tolerance: %v %v", d, beyond)
	}
	if d, beyond := balanceDrift(expected, external, bal("1040"), tol); len(d) != 1 || !d[0].Beyond || !beyond {
		t.Fatalf("a drift beyond tolerance: %v %v", d, beyond)
	}
	if d, _ := balanceDrift(map[string]money.Decimal{"ETH": rcD("2")}, nil, bal("1"), tol); len(d) != 1 || !d[0].Actual.IsZero() {
		t.Fatalf("an expected asset the venue lacks counts as zero: %v", d)
	}
}

// recAPI is a venue held in memory: open orders per symbol, every order by
// client id, trades by order id, the account. It counts the calls.
type recAPI struct {
	mu        sync.Mutex
	open      map[string][]OrderUpdate
	orders    map[string]OrderUpdate
	trades    map[int64][]Trade
	account   Account
	failOpen  error
	failQuery error
	calls     map[string]int
	canceled  []string
}

func newRecAPI() *recAPI {
	return &recAPI{open: map[string][]OrderUpdate{}, orders: map[string]OrderUpdate{}, trades: map[int64][]Trade{},
		calls: map[string]int{}}
}

func (a *recAPI) count(name string) { a.mu.Lock(); a.calls[name]++; a.mu.Unlock() }

func (a *recAPI) ServerTime(context.Context) (time.Time, error) {
	return time.Time{}, errors.New("unused")
}
func (a *recAPI) ExchangeInfo(context.Context, []string) (map[string]Rules, []RateLimit, error) {
	return nil, nil, errors.New("unused")
}
func (a *recAPI) Depth(context.Context, string, int) (DepthSnapshot, error) {
	return DepthSnapshot{}, errors.New("unused")
}
func (a *recAPI) Place(context.Context, OrderRequest) (OrderUpdate, error) {
	return OrderUpdate{}, errors.New("the reconciler never places")
}
func (a *recAPI) Query(_ context.Context, _, id string) (OrderUpdate, error) {
	a.count("query")
	if a.failQuery != nil {
		return OrderUpdate{}, a.failQuery
	}
	if u, ok := a.orders[id]; ok {
		return u, nil
	}
	return OrderUpdate{}, &APIError{HTTPStatus: 400, Code: -2013, Msg: "Order does not exist."}
}
func (a *recAPI) Cancel(_ context.Context, _, id string) (OrderUpdate, error) {
	a.count("cancel")
	a.mu.Lock()
	a.canceled = append(a.canceled, id)
	a.mu.Unlock()
	return OrderUpdate{ClientID: id, Status: StatusCanceled}, nil
}
func (a *recAPI) OpenOrders(_ context.Context, sym string) ([]OrderUpdate, error) {
	a.count("open")
	if a.failOpen != nil {
		return nil, a.failOpen
	}
	return a.open[sym], nil
}
func (a *recAPI) MyTrades(_ context.Context, _ string, orderID, _ int64) ([]Trade, error) {
	a.count("trades")
	return a.trades[orderID], nil
}
func (a *recAPI) Account(context.Context) (Account, error) { a.count("account"); return a.account, nil }

func TestReconcileAppliesMissedFillsCancelsStraysAndHaltsOnDrift(t *testing.T) {
	api := newRecAPI()
	// tA-1 filled while we were away (one trade missed); tA-2 still open;
	// tA-7 is a stray of ours; ETH-USD has nothing open.
	api.orders["tA-1"] = OrderUpdate{ClientID: "tA-1", OrderID: 1, Status: StatusFilled, Executed: rcD("1")}
	api.trades[1] = []Trade{{ID: 5, Quantity: rcD("1"), Price: rcD("100"), Fee: rcD("0.1"), FeeAsset: "USDT"}}
	api.open["BTC-USD"] = []OrderUpdate{
		{Symbol: "BTC-USD", ClientID: "tA-2", OrderID: 2, Status: StatusNew, Executed: rcD("0")},
		{Symbol: "BTC-USD", ClientID: "tA-7", OrderID: 7, Status: StatusNew, Executed: rcD("0")},
	}
	api.account = Account{Balances: []Balance{{Asset: "USDT", Free: rcD("899.9")}, {Asset: "BTC", Free: rcD("1")}}}
	sink := newUSSink()
	now := time.UnixMilli(1_700_000_000_000)
	rc := NewReconciler(api, sink, ReconcileConfig{Symbols: []string{"ETH-USD"}, Tolerance: rcD("0.01"),
		Now: func() time.Time { return now }})
	if h := rc.Health(now); h.Name != "reconcile" || h.Level == Healthy {
		t.Fatalf("health before any pass: %+v", h)
	}
	// Our view before tA-1's fill: 1000 USDT, no BTC. The fill (1 BTC at
	// 100, fee 0.1 USDT) explains the venue's 899.9 USDT and 1 BTC.
	snap := Snapshot{Prefix: "tA-", Settled: true, Open: []Recovered{
		recOrder("tA-1", "BTC-USD", "0", true), recOrder("tA-2", "BTC-USD", "0", true)},
		Expected: map[string]money.Decimal{"USDT": rcD("1000"), "BTC": rcD("0")}}
	rep, err := rc.Reconcile(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	if api.calls["open"] != 2 || api.calls["query"] != 1 || api.calls["trades"] != 1 || api.calls["account"] != 1 {
		t.Fatalf("calls %v: want open orders per symbol (2), one query (tA-1 only), one trades call, one account", api.calls)
	}
	if len(rep.Missed) != 1 || rep.Missed[0].ID != 5 || fmt.Sprint(api.canceled) != "[tA-7]" || len(rep.Strays) != 1 {
		t.Fatalf("report %+v, cancelled %v", rep, api.canceled)
	}
	if len(rep.Drift) != 0 || rep.Halted {
		t.Fatalf("drift %v, halted %v: the missed fill explains the balances", rep.Drift, rep.Halted)
	}
	sink.mu.Lock()
	var trades int
	for _, u := range sink.updates {
		if u.Trade != nil {
			trades++
		}
	}
	sink.mu.Unlock()
	if trades != 1 || len(sink.balances) != 1 {
		t.Fatalf("sink got %d trades and %d balance sets", trades, len(sink.balances))
	}
	if h := rc.Health(now); h.Level != Healthy || !strings.Contains(h.Reason, "1 missed trades applied, 1 strays cancelled") {
		t.Fatalf("health after the first pass: %+v", h)
	}

	// The loop applied the fill. Then 50 USDT go missing while trading:
	// one pass may be a fill in flight, two in a row halt.
	halted := func() (string, bool) {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		r, ok := sink.halts["reconcile"]
		return r, ok
	}
	snap.Open, snap.Settled = snap.Open[1:], false
	snap.Expected = map[string]money.Decimal{"USDT": rcD("949.9"), "BTC": rcD("1")}
	if rep, err := rc.Reconcile(context.Background(), snap); err != nil || rep.Halted || len(rep.Drift) != 1 {
		t.Fatalf("first pass seeing the drift: %+v %v", rep, err)
	}
	if _, ok := halted(); ok {
		t.Fatal("halted on one unsettled pass")
	}
	if h := rc.Health(now); h.Level != Healthy || !strings.Contains(h.Reason, "seen once, checking again") {
		t.Fatalf("health after one pass with a drift: %+v", h)
	}
	if rep, err := rc.Reconcile(context.Background(), snap); err != nil || !rep.Halted {
		t.Fatalf("second pass seeing the drift: %+v %v", rep, err)
	}
	if why, ok := halted(); !ok || !strings.Contains(why, "USDT: venue 899.9, expected 949.9") {
		t.Fatalf("halt %q (%v): want order entry halted naming the USDT drift", why, ok)
	}
	if h := rc.Health(now); h.Level != Unhealthy || !strings.Contains(h.Reason, "USDT") {
		t.Fatalf("health on a drift beyond tolerance: %+v", h)
	}

	// The operator explains it (a withdrawal): the next pass agrees and resumes.
	snap.Expected["USDT"] = rcD("899.9")
	if _, err := rc.Reconcile(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	if _, ok := halted(); ok {
		t.Fatal("a pass that agrees did not resume order entry")
	}
	if h := rc.Health(now); h.Level != Healthy {
		t.Fatalf("health after agreeing: %+v", h)
	}

	// A settled snapshot (at start) halts on the first pass.
	snap.Expected["USDT"], snap.Settled = rcD("1000"), true
	if rep, _ := rc.Reconcile(context.Background(), snap); !rep.Halted {
		t.Fatal("a settled pass with a drift did not halt")
	}
	snap.Expected["USDT"] = rcD("899.9")
	if _, err := rc.Reconcile(context.Background(), snap); err != nil {
		t.Fatal(err)
	}

	// A pass that cannot see the venue says so and changes nothing.
	api.failOpen = &APIError{HTTPStatus: 503, Msg: "unavailable"}
	if _, err := rc.Reconcile(context.Background(), snap); err == nil {
		t.Fatal("a failed open-orders call passed")
	}
	if h := rc.Health(now); h.Level != Degraded || !strings.Contains(h.Reason, "last pass failed") {
		t.Fatalf("health after a failed pass: %+v", h)
	}
}

func TestReconcileStopsQueryingWhenRateLimited(t *testing.T) {
	api := newRecAPI()
	api.failQuery = &APIError{HTTPStatus: 429, Code: -1003, Msg: "Too many requests", RetryAfter: time.Second}
	rc := NewReconciler(api, recNopSink{}, ReconcileConfig{})
	snap := Snapshot{Open: []Recovered{recOrder("tA-1", "BTC-USD", "0", true), recOrder("tA-2", "BTC-USD", "0", true),
		recOrder("tA-3", "BTC-USD", "0", true)}}
	if _, err := rc.Reconcile(context.Background(), snap); Classify(err) != ClassRateLimited {
		t.Fatalf("err %v: want the pass to fail rate limited", err)
	}
	if api.calls["query"] != 1 {
		t.Fatalf("%d queries after a 429: want the pass to stop at the first", api.calls["query"])
	}
}

// BenchmarkReconcile1000OpenOrders is reconciliation at start with 1,000
// of our orders open on four symbols, 100 of them with a fill the stream
// missed, against an in-memory venue: the pass's own cost, no network.
func BenchmarkReconcile1000OpenOrders(b *testing.B) {
	api := newRecAPI()
	syms := []string{"BTC-USD", "ETH-USD", "SOL-USD", "BNB-USD"}
	var snap Snapshot
	snap.Prefix = "tA-"
	snap.Expected = map[string]money.Decimal{"USDT": rcD("100000")}
	api.account = Account{Balances: []Balance{{Asset: "USDT", Free: rcD("100000")}}}
	for i := range 1000 {
		id, sym := fmt.Sprintf("tA-%d", i), syms[i%len(syms)]
		u := OrderUpdate{Symbol: sym, ClientID: id, OrderID: int64(i), Status: StatusNew, Executed: rcD("0")}
		if i%10 == 0 {
			u.Status, u.Executed = StatusPartiallyFilled, rcD("0.5")
			api.trades[int64(i)] = []Trade{{ID: int64(i), Quantity: rcD("0.5"), Price: rcD("100")}}
		}
		api.open[sym] = append(api.open[sym], u)
		snap.Open = append(snap.Open, recOrder(id, sym, "0", true))
	}
	rc := NewReconciler(api, recNopSink{}, ReconcileConfig{})
	b.ReportAllocs()
	for b.Loop() {
		rep, err := rc.Reconcile(context.Background(), snap)
		if err != nil || len(rep.Missed) != 100 || rep.Orders != 1000 {
			b.Fatalf("report %+v, err %v", rep, err)
		}
	}
}

type recNopSink struct{}

func (recNopSink) Update(OrderUpdate)  {}
func (recNopSink) Balances([]Balance)  {}
func (recNopSink) Halt(string, string) {}
func (recNopSink) Resume(string)       {}

// While orders flow, each pass may catch a different fill on its way to
// the loop: drifts that change from pass to pass are not confirmed by a
// second pass, only by a third in a row (or by the same drift twice).
func TestReconcileDriftThatKeepsChangingNeedsThreePasses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		usdt   []string // expected USDT per pass; the venue holds 1000
		halted []bool
	}{
		{"changing", []string{"1100", "1050", "1200"}, []bool{false, false, true}},
		{"the same twice", []string{"1100", "1100"}, []bool{false, true}},
		{"cleared between", []string{"1100", "1000", "1050", "1020"}, []bool{false, false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newRecAPI()
			api.account = Account{Balances: []Balance{{Asset: "USDT", Free: rcD("1000")}}, CanTrade: true}
			sink := newUSSink()
			rc := NewReconciler(api, sink, ReconcileConfig{Symbols: []string{"BTC-USD"}, Tolerance: rcD("1")})
			for i, e := range tc.usdt {
				rep, err := rc.Reconcile(context.Background(), Snapshot{Prefix: "tA-",
					Expected: map[string]money.Decimal{"USDT": rcD(e)}})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Halted != tc.halted[i] {
					t.Fatalf("pass %d (expected %s): halted %v, want %v", i+1, e, rep.Halted, tc.halted[i])
				}
				if want := !tc.halted[i] && e != "1000"; rc.Suspect() != want {
					t.Fatalf("pass %d: suspect %v, want %v", i+1, rc.Suspect(), want)
				}
				// One unconfirmed pass is news, not a degradation; two
				// in a row are.
				if h := rc.Health(time.Now()); tc.name == "changing" && i == 1 && (h.Level != Degraded || !strings.Contains(h.Reason, "2 passes in a row")) {
					t.Fatalf("health after two unconfirmed passes: %+v", h)
				}
			}
		})
	}
}
