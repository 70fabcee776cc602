package assemble

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// recordingVenue opens connections on the paper simulator and remembers
// what each was opened with.
type recordingVenue struct {
	info    VenueInfo
	err     error
	start   map[string]money.Decimal
	specs   []LiveSpec
	closed  int
	healthy []sessionhealth.Component
}

func (v *recordingVenue) Info() VenueInfo { return v.info }

func (v *recordingVenue) Open(_ context.Context, s LiveSpec) (LiveSession, error) {
	v.specs = append(v.specs, s)
	if v.err != nil {
		return nil, v.err
	}
	src, err := paper.NewSim(paper.SimConfig{Seed: 1, Symbols: s.Symbols, Start: time.Now()})
	if err != nil {
		return nil, err
	}
	eng, err := matching.New(s.PaperVenue())
	if err != nil {
		return nil, err
	}
	return &recordedConn{v: v, src: src, eng: eng}, nil
}

type recordedConn struct {
	v   *recordingVenue
	src market.Source
	eng venue.Venue
}

func (c *recordedConn) Venue() venue.Venue                         { return c.eng }
func (c *recordedConn) Source() market.Source                      { return c.src }
func (c *recordedConn) Health(time.Time) []sessionhealth.Component { return c.v.healthy }
func (c *recordedConn) StartBalances() map[string]money.Decimal    { return c.v.start }
func (c *recordedConn) Close() error                               { c.v.closed++; return nil }

func liveSpec() Spec {
	s := spec()
	s.Mode = settings.ModeLive
	return s
}

func TestLiveDispatchesByMode(t *testing.T) {
	ctx := context.Background()
	v := &recordingVenue{info: VenueInfo{Venue: "binance", Environment: "testnet", Quote: "USDT"},
		start: map[string]money.Decimal{"USDT": money.FromInt(2500)},
		healthy: []sessionhealth.Component{{Name: "market_data", Status: sessionhealth.StatusHealthy},
			{Name: "clock", Status: sessionhealth.StatusDegraded, Reason: "offset 900ms"}}}
	a := Live{Venue: v}
	p, err := a.Build(ctx, spec())
	if err != nil || len(v.specs) != 0 || p.Close != nil {
		t.Fatalf("a paper session: %v, %d connections opened", err, len(v.specs))
	}
	p, err = a.Build(ctx, liveSpec())
	if err != nil || len(v.specs) != 1 {
		t.Fatalf("a live session: %v, %d connections opened", err, len(v.specs))
	}
	if ls := p.LiveStart; ls == nil || ls.Venue != "binance" || ls.Environment != "testnet" || ls.Quote != "USDT" ||
		ls.Balances["USDT"] != money.FromInt(2500) || p.Portfolio.Snapshot().Cash != money.FromInt(2500) {
		t.Errorf("a live session's start %+v, cash %s", p.LiveStart, p.Portfolio.Snapshot().Cash)
	}
	if len(p.Checks) != 2 || p.Checks[1].Name != "clock" ||
		p.Checks[1].Run(ctx, time.Now()).Reason != "offset 900ms" {
		t.Errorf("checks = %+v", p.Checks)
	}
	if err := p.Close(); err != nil || v.closed != 1 {
		t.Errorf("Close: %v, %d closed", err, v.closed)
	}
	if err := (Live{}).Preflight(liveSpec().Settings); !errors.Is(err, settings.ErrLiveUnavailable) {
		t.Errorf("no venue: %v, want ErrLiveUnavailable", err)
	}
	if _, err := (Paper{}).Build(ctx, liveSpec()); !errors.Is(err, settings.ErrLiveUnavailable) {
		t.Errorf("paper asked for a live session: %v", err)
	}
	v.err = errors.New("dial tcp: connection refused")
	if _, err := a.Build(ctx, liveSpec()); !errors.Is(err, ErrVenueUnavailable) {
		t.Errorf("an unreachable venue: %v, want ErrVenueUnavailable", err)
	}
	// A venue that answered and refused a setting (a symbol it does not
	// list) is there: the start is refused as invalid, not as unreachable.
	v.err = fmt.Errorf("%w: settings.symbols: binance: unlisted symbol: the venue does not list DOGE-USD", settings.ErrInvalid)
	if _, err := a.Build(ctx, liveSpec()); !errors.Is(err, settings.ErrInvalid) || errors.Is(err, ErrVenueUnavailable) ||
		strings.Contains(err.Error(), "unavailable") {
		t.Errorf("a symbol the venue does not list: %v, want settings.ErrInvalid only", err)
	}
}

// On production every limit must be set; testnet takes the defaults.
func TestLivePreflightOnProduction(t *testing.T) {
	v := &recordingVenue{info: VenueInfo{Environment: "production", Production: true}}
	s := liveSpec().Settings
	s.Risk = nil
	var fe *settings.FieldsError
	if err := (Live{Venue: v}).Preflight(s); !errors.As(err, &fe) || len(fe.Fields) != 6 {
		t.Fatalf("production without limits: %v", err)
	}
	if err := (Live{Venue: &recordingVenue{}}).Preflight(s); err != nil {
		t.Fatalf("testnet without limits: %v", err)
	}
	s.Mode = settings.ModePaper
	if err := (Live{Venue: v}).Preflight(s); err != nil {
		t.Fatalf("a paper session on a production daemon: %v", err)
	}
}

func fill(symbol string, side venue.Side, qty, price, fee, asset, native string, trade int64) store.FillRow {
	f := store.FillRow{Symbol: symbol, Side: side, Fill: orders.Fill{Quantity: money.MustParse(qty), Price: money.MustParse(price),
		Fee: money.MustParse(fee), FeeAsset: asset, TradeID: trade}}
	if native != "" {
		f.FeeNative = money.MustParse(native)
	}
	return f
}

func TestNetOfFills(t *testing.T) {
	got := NetOfFills([]store.FillRow{
		// A buy whose fee the venue took in the base asset.
		fill("BTC-USD", venue.Buy, "0.5", "60000", "30", "BTC", "0.0005", 1),
		// A sell, fee in the quote.
		fill("BTC-USD", venue.Sell, "0.2", "61000", "12.2", "", "", 2),
		// A fee in a third asset (BNB).
		fill("ETH-USD", venue.Buy, "1", "3000", "0", "BNB", "0.01", 7),
	}, "USDT")
	want := map[string]money.Decimal{
		"BTC":  money.MustParse("0.2995"),                                                          // 0.5 - 0.0005 - 0.2
		"USDT": money.MustParse("-30000").Add(money.MustParse("12187.8")).Sub(money.FromInt(3000)), // -30000 + 12200 - 12.2 - 3000
		"ETH":  money.FromInt(1),
		"BNB":  money.MustParse("-0.01"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("net = %v\nwant %v", got, want)
	}
}

// A resumed live session reconnects with its open orders and the trade
// ids already applied to them, its stored start balances and the net of
// its fills, and carries on its account and counters from the store.
func TestLiveRestoreHandsTheVenueWhatItApplied(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := liveSpec()
	t0 := time.Unix(1_780_000_000, 0).UTC()
	if err := st.CreateSession(ctx, store.SessionRecord{ID: s.ID, State: store.StateRunning, SettingsJSON: []byte(`{}`), Started: t0}); err != nil {
		t.Fatal(err)
	}
	buy := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.FromInt(1), Price: money.FromInt(100)}
	pf := portfolio0()
	if err := st.CommitTick(ctx, &store.Batch{SessionID: s.ID, Time: t0,
		NewOrders: []store.OrderRow{{ClientID: s.ID + "-1", Seq: 1, Spec: buy, Created: t0}},
		Transitions: []store.TransitionRow{
			{ClientID: s.ID + "-1", Seq: 1, State: venue.StateAccepted, Filled: money.Decimal{}, Remaining: money.FromInt(1), Time: t0},
			{ClientID: s.ID + "-1", Seq: 2, State: venue.StatePartiallyFilled, Filled: money.MustParse("0.4"),
				Remaining: money.MustParse("0.6"), Time: t0}},
		Fills: []store.FillRow{{ClientID: s.ID + "-1", Seq: 1, Fill: orders.Fill{Quantity: money.MustParse("0.4"),
			Price: money.FromInt(100), Fee: money.MustParse("0.04"), Time: t0, TradeID: 42, FeeAsset: "BTC",
			FeeNative: money.MustParse("0.0004")}}},
		Portfolio: &pf,
	}); err != nil {
		t.Fatal(err)
	}
	start := map[string]money.Decimal{"USDT": money.FromInt(1000), "BTC": money.Decimal{}}
	if err := st.SaveLiveStart(ctx, s.ID, store.LiveStart{Venue: "binance", Environment: "testnet", Quote: "USDT",
		Balances: start}); err != nil {
		t.Fatal(err)
	}
	rec, err := st.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Another environment, or another quote asset, would look for the
	// session's orders where they are not.
	for _, other := range []VenueInfo{{Venue: "binance", Environment: "production", Quote: "USDT"},
		{Venue: "binance", Environment: "testnet", Quote: "USDC"}} {
		v := &recordingVenue{info: other}
		if _, _, err := (Live{Venue: v}).Restore(ctx, st, rec, s); !errors.Is(err, settings.ErrLiveUnavailable) ||
			!strings.Contains(err.Error(), "traded on binance testnet (quote USDT)") || len(v.specs) != 0 ||
			strings.Contains(err.Error(), "no venue configured") || strings.Contains(err.Error(), "--paper") {
			t.Errorf("resumed on %+v: %v, %d connections opened", other, err, len(v.specs))
		}
	}
	v := &recordingVenue{info: VenueInfo{Venue: "binance", Environment: "testnet", Quote: "USDT"},
		start: map[string]money.Decimal{"USDT": money.FromInt(999)}}
	parts, r, err := Live{Venue: v}.Restore(ctx, st, rec, s)
	if err != nil {
		t.Fatal(err)
	}
	defer parts.Close()
	if len(v.specs) != 1 {
		t.Fatalf("%d connections opened", len(v.specs))
	}
	got := v.specs[0]
	if len(got.Recovered) != 1 || got.Recovered[0].Order.ClientID != s.ID+"-1" ||
		!reflect.DeepEqual(got.Recovered[0].TradeIDs, []int64{42}) || got.Recovered[0].Order.Filled != money.MustParse("0.4") {
		t.Errorf("recovered = %+v", got.Recovered)
	}
	if !reflect.DeepEqual(got.StartBalances, start) {
		t.Errorf("start balances = %v, want the stored %v", got.StartBalances, start)
	}
	wantNet := map[string]money.Decimal{"BTC": money.MustParse("0.3996"), "USDT": money.FromInt(-40)}
	if !reflect.DeepEqual(got.Net, wantNet) {
		t.Errorf("net = %v, want %v", got.Net, wantNet)
	}
	if parts.LiveStart != nil {
		t.Errorf("the stored start would be stored again: %+v", parts.LiveStart)
	}
	if parts.Portfolio.Snapshot().Cash != pf.Cash || len(r.Open) != 1 || r.OrderSeq != 1 || parts.Orders.OpenCount() != 1 {
		t.Errorf("restored cash %s, open %+v, seq %d", parts.Portfolio.Snapshot().Cash, r.Open, r.OrderSeq)
	}
}

func portfolio0() store.PortfolioRow {
	return store.PortfolioRow{QuoteCurrency: "USD", StartingCash: money.FromInt(1000), Cash: money.FromInt(960),
		Positions: []portfolio.PositionState{{Symbol: "BTC-USD", Quantity: money.MustParse("0.4"), CostBasis: money.FromInt(40),
			Mark: money.FromInt(100), Marked: true}}}
}
