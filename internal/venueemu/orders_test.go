package venueemu

import (
	"context"
	"testing"
	"time"

	binance "github.com/adshao/go-binance/v2"

	"github.com/tradectl/tradectl/internal/money"
)

// touch reads the book's best bid and ask.
func touch(t *testing.T, c *binance.Client, symbol string) (bid, ask money.Decimal) {
	t.Helper()
	book, err := c.NewDepthService().Symbol(symbol).Limit(5).Do(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, book.Bids[0].Price), parse(t, book.Asks[0].Price)
}

func limitOrder(c *binance.Client, side binance.SideType, qty string, price money.Decimal, id string) *binance.CreateOrderService {
	return c.NewCreateOrderService().Symbol("BTCUSDT").Side(side).Type(binance.OrderTypeLimit).
		TimeInForce(binance.TimeInForceTypeGTC).Quantity(qty).Price(price.String()).NewClientOrderID(id)
}

// TestRefusals: each refusal the adapter must tell apart comes with the
// venue's code.
func TestRefusals(t *testing.T) {
	e := start(t, Config{})
	c := client(t, e, testKey, testSecret)
	ctx := context.Background()
	bid, _ := touch(t, c, "BTCUSDT")
	low := bid.Sub(bid.MulBps(100)).FloorTo(dm("0.01"))

	if _, err := limitOrder(c, binance.SideTypeBuy, "0.01", low, "dup-1").Do(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		do   func() error
		code int64
	}{
		{"client id already open", func() error {
			_, err := limitOrder(c, binance.SideTypeBuy, "0.01", low, "dup-1").Do(ctx)
			return err
		}, -2010},
		{"insufficient balance", func() error {
			_, err := limitOrder(c, binance.SideTypeBuy, "5", low, "big-1").Do(ctx)
			return err
		}, -2010},
		{"lot size", func() error {
			_, err := limitOrder(c, binance.SideTypeBuy, "0.000001", low, "lot-1").Do(ctx)
			return err
		}, -1013},
		{"tick size", func() error {
			_, err := limitOrder(c, binance.SideTypeBuy, "0.01", low.Add(dm("0.001")), "tick-1").Do(ctx)
			return err
		}, -1013},
		{"post-only that would take", func() error {
			_, err := c.NewCreateOrderService().Symbol("BTCUSDT").Side(binance.SideTypeBuy).Type(binance.OrderTypeLimitMaker).
				Quantity("0.01").Price(bid.Add(bid.MulBps(50)).FloorTo(dm("0.01")).String()).NewClientOrderID("lm-1").Do(ctx)
			return err
		}, -2010},
		{"query unknown", func() error {
			_, err := c.NewGetOrderService().Symbol("BTCUSDT").OrigClientOrderID("never").Do(ctx)
			return err
		}, -2013},
		{"cancel unknown", func() error {
			_, err := c.NewCancelOrderService().Symbol("BTCUSDT").OrigClientOrderID("never").Do(ctx)
			return err
		}, -2011},
		{"unknown symbol", func() error {
			_, err := c.NewGetOrderService().Symbol("ETHUSDT").OrigClientOrderID("x").Do(ctx)
			return err
		}, -1121},
		{"wrong secret", func() error {
			_, err := client(t, e, testKey, "not-the-secret").NewGetAccountService().Do(ctx)
			return err
		}, -1022},
		{"wrong key", func() error {
			_, err := client(t, e, "not-the-key", testSecret).NewGetAccountService().Do(ctx)
			return err
		}, -2015},
		{"timestamp outside recvWindow", func() error {
			late := client(t, e, testKey, testSecret)
			late.TimeOffset = 10_000 // our clock 10 s behind the venue's
			_, err := late.NewGetAccountService().Do(ctx)
			return err
		}, -1021},
		{"timestamp ahead", func() error {
			early := client(t, e, testKey, testSecret)
			early.TimeOffset = -3_000
			_, err := early.NewGetAccountService().Do(ctx)
			return err
		}, -1021},
	} {
		if err := tc.do(); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want code %d", tc.name, err, tc.code)
		}
	}
	// A client id is unique among open orders only: once cancelled, it
	// may come again, and a query finds the newest.
	if _, err := c.NewCancelOrderService().Symbol("BTCUSDT").OrigClientOrderID("dup-1").Do(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := limitOrder(c, binance.SideTypeBuy, "0.01", low, "dup-1").Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.NewGetOrderService().Symbol("BTCUSDT").OrigClientOrderID("dup-1").Do(ctx)
	if err != nil || q.OrderID != again.OrderID || q.Status != binance.OrderStatusTypeNew {
		t.Fatalf("query of the reused id = %+v, %v", q, err)
	}
}

// TestRestingOrderFillsAsTheMarketMoves: a buy resting at the bid fills
// as a maker at its own price once the simulated market trades through
// it, and the ledger shows it as the REST answers do.
func TestRestingOrderFillsAsTheMarketMoves(t *testing.T) {
	e := start(t, Config{Step: 5 * time.Millisecond})
	c := client(t, e, testKey, testSecret)
	ctx := context.Background()
	bid, _ := touch(t, c, "BTCUSDT")
	o, err := limitOrder(c, binance.SideTypeBuy, "0.01", bid, "rest-1").Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var q *binance.Order
	for {
		q, err = c.NewGetOrderService().Symbol("BTCUSDT").OrderID(o.OrderID).Do(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if q.Status == binance.OrderStatusTypeFilled || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if q.Status != binance.OrderStatusTypeFilled {
		t.Fatalf("order still %s after the market moved for 20 s", q.Status)
	}
	trades, err := c.NewListTradesService().Symbol("BTCUSDT").OrderId(o.OrderID).Do(ctx)
	if err != nil || len(trades) == 0 {
		t.Fatalf("myTrades = %v, %v", trades, err)
	}
	for _, tr := range trades {
		if !tr.IsMaker || parse(t, tr.Price) != bid {
			t.Errorf("trade %+v: want a maker fill at %s", tr, bid)
		}
	}
	l := e.Ledger()
	if len(l.Orders) != 1 || l.Orders[0].ClientID != "rest-1" || l.Orders[0].Status != "FILLED" || l.Orders[0].Executed != dm("0.01") {
		t.Fatalf("ledger orders = %+v", l.Orders)
	}
	if len(l.Trades) != len(trades) {
		t.Fatalf("ledger trades = %+v, REST %d", l.Trades, len(trades))
	}
	for i, tr := range l.Trades {
		if tr.ID != trades[i].ID || tr.Quantity.String() != parse(t, trades[i].Quantity).String() ||
			tr.Commission != parse(t, trades[i].Commission) || tr.ClientID != "rest-1" {
			t.Errorf("ledger trade %+v, REST %+v", tr, trades[i])
		}
	}
}

// TestLedgerRecordsEveryRequest: accepted and refused requests are
// recorded with their verdicts, and an id sent twice is named.
func TestLedgerRecordsEveryRequest(t *testing.T) {
	e := start(t, Config{})
	c := client(t, e, testKey, testSecret)
	ctx := context.Background()
	bid, _ := touch(t, c, "BTCUSDT")
	low := bid.Sub(bid.MulBps(100)).FloorTo(dm("0.01"))
	for _, id := range []string{"a-1", "b-1", "a-1"} {
		_, _ = limitOrder(c, binance.SideTypeBuy, "0.01", low, id).Do(ctx)
	}
	_, _ = client(t, e, testKey, "wrong").NewCreateOrderService().Symbol("BTCUSDT").Side(binance.SideTypeBuy).
		Type(binance.OrderTypeMarket).Quantity("0.01").NewClientOrderID("c-1").Do(ctx)
	l := e.Ledger()
	if len(l.Requests) != 4 {
		t.Fatalf("requests = %+v", l.Requests)
	}
	want := []struct {
		id       string
		accepted bool
		verdict  string
	}{
		{"a-1", true, "accepted"}, {"b-1", true, "accepted"},
		{"a-1", false, "HTTP 400 -2010 Duplicate order sent."},
		{"c-1", false, "HTTP 400 -1022 Signature for this request is not valid."},
	}
	for i, w := range want {
		r := l.Requests[i]
		if r.ClientID != w.id || r.Accepted != w.accepted || r.Verdict != w.verdict || r.Symbol != "BTCUSDT" {
			t.Errorf("request %d = %+v, want %+v", i, r, w)
		}
	}
	if got := l.Resubmitted(); len(got) != 1 || got[0] != "a-1" {
		t.Errorf("Resubmitted = %v, want [a-1]", got)
	}
	if len(l.Orders) != 2 || l.Orders[1].OrderID != 2 || l.Orders[1].ClientID != "b-1" {
		t.Errorf("orders = %+v", l.Orders)
	}
	held := dm("0.02").Mul(low)
	held = held.Add(held.MulBps(10))
	if b := l.Balances["USDT"]; b.Locked != held || b.Free != money.FromInt(100_000).Sub(held) {
		t.Errorf("USDT %+v, want %s held", b, held)
	}
	// The same record over HTTP, for a test that runs the command.
	var got Ledger
	getJSON(t, e.URL()+"/emulator/ledger", &got)
	if len(got.Requests) != 4 || len(got.Orders) != 2 || got.Orders[0].Quantity != dm("0.01") || got.Balances["USDT"] != l.Balances["USDT"] {
		t.Errorf("GET /emulator/ledger = %+v", got)
	}
}
