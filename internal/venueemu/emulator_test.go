package venueemu

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	binance "github.com/adshao/go-binance/v2"
	"github.com/adshao/go-binance/v2/common"
	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/money"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testKey    = "emu-test-key"
	testSecret = "emu-test-secret"
)

// start runs an emulator on loopback for the test. Unless cfg says
// otherwise it lists BTC-USD, holds 100000 USDT and 1 BTC, and its
// market never moves after opening (Step an hour), so that prices read
// before an order are the prices it meets.
func start(t *testing.T, cfg Config) *Emulator {
	t.Helper()
	if cfg.Symbols == nil {
		cfg.Symbols = []string{"BTC-USD"}
	}
	cfg.APIKey, cfg.Secret = testKey, testSecret
	if cfg.Balances == nil {
		cfg.Balances = map[string]money.Decimal{"USDT": money.FromInt(100_000), "BTC": money.FromInt(1)}
	}
	if cfg.Step == 0 {
		cfg.Step = time.Hour
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// client is go-binance pointed at the emulator, with its own transport so
// that its idle connections end with the test.
func client(t *testing.T, e *Emulator, key, secret string) *binance.Client {
	c := binance.NewClient(key, secret)
	c.BaseURL = e.URL()
	tr := &http.Transport{}
	c.HTTPClient = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return c
}

func dm(s string) money.Decimal { return money.MustParse(s) }

func parse(t *testing.T, s string) money.Decimal {
	t.Helper()
	d, err := money.Parse(s)
	if err != nil {
		t.Fatalf("%q is not a decimal: %v", s, err)
	}
	return d
}

func apiCode(err error) int64 {
	var ae *common.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// TestGoBinanceParsesEveryAnswer points go-binance at the emulator and
// walks the REST surface the adapter uses: time, exchangeInfo, depth, a
// FULL order that crosses the book, query, a resting order, openOrders,
// cancel, myTrades and account, checking the figures agree.
func TestGoBinanceParsesEveryAnswer(t *testing.T) {
	e := start(t, Config{})
	c := client(t, e, testKey, testSecret)
	ctx := context.Background()

	if err := c.NewPingService().Do(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := c.NewServerTimeService().Do(ctx)
	if err != nil || st < time.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("server time = %d, %v", st, err)
	}
	info, err := c.NewExchangeInfoService().Symbols("BTCUSDT").Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Symbols) != 1 || info.Symbols[0].Symbol != "BTCUSDT" || info.Symbols[0].QuoteAsset != "USDT" {
		t.Fatalf("exchangeInfo symbols = %+v", info.Symbols)
	}
	sym := info.Symbols[0]
	if f := sym.PriceFilter(); f == nil || f.TickSize != "0.01000000" {
		t.Errorf("PRICE_FILTER = %+v", f)
	}
	if f := sym.LotSizeFilter(); f == nil || f.StepSize != "0.00001000" || f.MinQuantity != "0.00001000" {
		t.Errorf("LOT_SIZE = %+v", f)
	}
	if f := sym.NotionalFilter(); f == nil || f.MinNotional != "1.00000000" || !f.ApplyMinToMarket || f.AvgPriceMins != 5 {
		t.Errorf("NOTIONAL = %+v", f)
	}
	if f := sym.PercentPriceBySideFilter(); f == nil || f.BidMultiplierUp != "5.00000000" {
		t.Errorf("PERCENT_PRICE_BY_SIDE = %+v", f)
	}
	if f := sym.MaxNumOrdersFilter(); f == nil || f.MaxNumOrders != 200 {
		t.Errorf("MAX_NUM_ORDERS = %+v", f)
	}
	if f := sym.MarketLotSizeFilter(); f == nil || f.MaxQuantity != "100.00000000" {
		t.Errorf("MARKET_LOT_SIZE = %+v", f)
	}
	if len(info.RateLimits) == 0 || info.RateLimits[0].RateLimitType != "REQUEST_WEIGHT" || info.RateLimits[0].Limit != 6000 {
		t.Errorf("rateLimits = %+v", info.RateLimits)
	}

	book, err := c.NewDepthService().Symbol("BTCUSDT").Limit(5).Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if book.LastUpdateID <= 0 || len(book.Bids) == 0 || len(book.Asks) == 0 {
		t.Fatalf("depth = %+v", book)
	}
	bid, ask := parse(t, book.Bids[0].Price), parse(t, book.Asks[0].Price)
	if bid.Cmp(ask) >= 0 {
		t.Fatalf("bid %s not below ask %s", bid, ask)
	}

	// A buy priced through the ask fills at once against the book.
	limit := ask.Add(ask.MulBps(20)).FloorTo(dm("0.01"))
	placed, err := c.NewCreateOrderService().Symbol("BTCUSDT").Side(binance.SideTypeBuy).Type(binance.OrderTypeLimit).
		TimeInForce(binance.TimeInForceTypeIOC).Quantity("0.01").Price(limit.String()).
		NewClientOrderID("t-take-1").NewOrderRespType(binance.NewOrderRespTypeFULL).Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if placed.Status != binance.OrderStatusTypeFilled || placed.ClientOrderID != "t-take-1" || placed.OrderID != 1 || len(placed.Fills) == 0 {
		t.Fatalf("placed = %+v", placed)
	}
	var filled, cost, fees money.Decimal
	for _, f := range placed.Fills {
		q, p, fee := parse(t, f.Quantity), parse(t, f.Price), parse(t, f.Commission)
		if f.TradeID <= 0 || f.CommissionAsset != "USDT" || p.Cmp(limit) > 0 {
			t.Errorf("fill %+v", f)
		}
		if want := q.Mul(p).MulBps(10); fee != want {
			t.Errorf("commission %s, want 10 bps of %s×%s = %s", fee, q, p, want)
		}
		filled, cost, fees = filled.Add(q), cost.Add(q.Mul(p)), fees.Add(fee)
	}
	if filled != dm("0.01") || parse(t, placed.ExecutedQuantity) != filled || parse(t, placed.CummulativeQuoteQuantity) != cost {
		t.Errorf("executed %s / %s, fills %s / %s", placed.ExecutedQuantity, placed.CummulativeQuoteQuantity, filled, cost)
	}

	q, err := c.NewGetOrderService().Symbol("BTCUSDT").OrigClientOrderID("t-take-1").Do(ctx)
	if err != nil || q.OrderID != placed.OrderID || q.Status != binance.OrderStatusTypeFilled || q.ExecutedQuantity != placed.ExecutedQuantity {
		t.Fatalf("query = %+v, %v", q, err)
	}

	// A buy below the bid rests, is listed open, and cancels.
	rest := bid.Sub(bid.MulBps(100)).FloorTo(dm("0.01"))
	resting, err := c.NewCreateOrderService().Symbol("BTCUSDT").Side(binance.SideTypeBuy).Type(binance.OrderTypeLimit).
		TimeInForce(binance.TimeInForceTypeGTC).Quantity("0.02").Price(rest.String()).
		NewClientOrderID("t-rest-1").NewOrderRespType(binance.NewOrderRespTypeRESULT).Do(ctx)
	if err != nil || resting.Status != binance.OrderStatusTypeNew || resting.OrderID != 2 {
		t.Fatalf("resting = %+v, %v", resting, err)
	}
	open, err := c.NewListOpenOrdersService().Symbol("BTCUSDT").Do(ctx)
	if err != nil || len(open) != 1 || open[0].ClientOrderID != "t-rest-1" || !open[0].IsWorking {
		t.Fatalf("openOrders = %+v, %v", open, err)
	}
	acct, err := c.NewGetAccountService().Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bal := map[string]binance.Balance{}
	for _, b := range acct.Balances {
		bal[b.Asset] = b
	}
	held := dm("0.02").Mul(rest)
	held = held.Add(held.MulBps(10))
	wantUSDT := money.FromInt(100_000).Sub(cost).Sub(fees).Sub(held)
	if parse(t, bal["BTC"].Free) != dm("1.01") || parse(t, bal["USDT"].Free) != wantUSDT || parse(t, bal["USDT"].Locked) != held {
		t.Errorf("balances %+v, want BTC 1.01, USDT free %s locked %s", bal, wantUSDT, held)
	}
	if acct.AccountType != "SPOT" || !acct.CanTrade || acct.UID == 0 || acct.CommissionRates.Taker != "0.00100000" {
		t.Errorf("account = %+v", acct)
	}
	cancelled, err := c.NewCancelOrderService().Symbol("BTCUSDT").OrigClientOrderID("t-rest-1").Do(ctx)
	if err != nil || cancelled.Status != binance.OrderStatusTypeCanceled || cancelled.OrigClientOrderID != "t-rest-1" {
		t.Fatalf("cancel = %+v, %v", cancelled, err)
	}
	if open, err := c.NewListOpenOrdersService().Symbol("BTCUSDT").Do(ctx); err != nil || len(open) != 0 {
		t.Fatalf("openOrders after cancel = %+v, %v", open, err)
	}
	acct, err = c.NewGetAccountService().Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range acct.Balances {
		if b.Asset == "USDT" && (parse(t, b.Locked) != money.Decimal{} || parse(t, b.Free) != money.FromInt(100_000).Sub(cost).Sub(fees)) {
			t.Errorf("USDT after cancel = %+v", b)
		}
	}

	trades, err := c.NewListTradesService().Symbol("BTCUSDT").OrderId(placed.OrderID).Do(ctx)
	if err != nil || len(trades) != len(placed.Fills) {
		t.Fatalf("myTrades = %+v, %v", trades, err)
	}
	for i, tr := range trades {
		f := placed.Fills[i]
		if tr.ID != f.TradeID || tr.Quantity != f.Quantity || tr.Price != f.Price || tr.Commission != f.Commission || !tr.IsBuyer || tr.IsMaker {
			t.Errorf("trade %+v, fill %+v", tr, f)
		}
	}
	if from, err := c.NewListTradesService().Symbol("BTCUSDT").FromID(trades[len(trades)-1].ID).Do(ctx); err != nil || len(from) != 1 {
		t.Errorf("myTrades fromId = %+v, %v", from, err)
	}
	if avg, err := c.NewAveragePriceService().Symbol("BTCUSDT").Do(ctx); err != nil || parse(t, avg.Price) != bid.Add(ask).Half() {
		t.Errorf("avgPrice = %+v, %v", avg, err)
	}
}
