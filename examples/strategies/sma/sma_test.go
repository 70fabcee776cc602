package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client/strategy"
	"github.com/tradectl/tradectl/client/strategy/strategytest"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	builtin "github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quoteEv is one scripted book event.
type quoteEv struct {
	symbol   string
	bid, ask money.Decimal
}

// decision is what either strategy decided, comparable across the two.
type decision struct {
	event    int // the quote's index
	symbol   string
	buy      bool
	quantity money.Decimal
}

func (d decision) String() string {
	return fmt.Sprintf("#%d %s buy=%v %s", d.event, d.symbol, d.buy, d.quantity)
}

var filters = map[string]venue.Filters{
	"BTC-USD": {TickSize: money.MustParse("0.01"), LotSize: money.MustParse("0.001"), MinNotional: money.MustParse("10")},
	// Near 2000, 1000 buys 0.50 (passes) or 0.49 (below the minimum):
	// the filter must skip some entries.
	"ETH-USD": {TickSize: money.MustParse("0.01"), LotSize: money.MustParse("0.01"), MinNotional: money.MustParse("995")},
}

// quotes is a seeded random walk of two symbols' books, with a few
// unusable quotes (no bid, crossed) that both must ignore.
func quotes(n int) []quoteEv {
	r := rand.New(rand.NewPCG(12, 34))
	mids := map[string]int64{"BTC-USD": 10_000_000, "ETH-USD": 200_000} // in cents
	out := make([]quoteEv, 0, n)
	for i := range n {
		sym := "BTC-USD"
		if i%3 == 2 {
			sym = "ETH-USD"
		}
		mids[sym] += int64(r.IntN(41)) - 20
		spread := int64(1 + r.IntN(7))
		bid, ask := money.FromUnits(mids[sym]*1_000_000), money.FromUnits((mids[sym]+spread)*1_000_000)
		switch r.IntN(60) {
		case 0:
			bid = money.Decimal{}
		case 1:
			bid, ask = ask, bid
		}
		out = append(out, quoteEv{sym, bid, ask})
	}
	return out
}

// pendingFill is an order both worlds fill lag events after it was placed,
// at the quote it was decided on.
type pendingFill struct {
	due   int
	dec   decision
	price money.Decimal
	tag   string
}

// ctx is the built-in's strategy.Context.
type ctx struct {
	positions map[string]money.Decimal
	open      map[string]int
}

func (c *ctx) Position(s string) money.Decimal         { return c.positions[s] }
func (c *ctx) OpenOrders(s string) int                 { return c.open[s] }
func (c *ctx) Cash() money.Decimal                     { return money.FromInt(1_000_000) }
func (c *ctx) Filters(s string) venue.Filters          { return filters[s] }
func (c *ctx) Sellable(s string) (money.Decimal, bool) { return c.positions[s], false }

func signed(d decision) money.Decimal {
	if d.buy {
		return d.quantity
	}
	return d.quantity.Neg()
}

func runBuiltin(t *testing.T, qs []quoteEv, lag int) []decision {
	s, err := builtin.New("sma", map[string]string{"fast": "3", "slow": "8", "notional": "1000"})
	if err != nil {
		t.Fatal(err)
	}
	c := &ctx{positions: map[string]money.Decimal{}, open: map[string]int{}}
	var out []decision
	var pending []pendingFill
	var actions []builtin.Action
	for i, q := range qs {
		for len(pending) > 0 && pending[0].due <= i {
			f := pending[0]
			pending = pending[1:]
			c.positions[f.dec.symbol] = c.positions[f.dec.symbol].Add(signed(f.dec))
			c.open[f.dec.symbol]--
		}
		actions = s.OnEvent(&market.Event{Kind: market.EventBook, Symbol: q.symbol, Bid: q.bid, Ask: q.ask}, c, actions[:0])
		for _, a := range actions {
			if a.Order.Type != venue.Market || a.Order.TIF != venue.IOC {
				t.Fatalf("built-in placed %+v", a.Order)
			}
			d := decision{i, a.Order.Symbol, a.Order.Side == venue.Buy, a.Order.Quantity}
			out = append(out, d)
			c.open[d.symbol]++
			pending = append(pending, pendingFill{due: i + 1 + lag, dec: d})
		}
	}
	return out
}

func runRemote(t *testing.T, qs []quoteEv, lag int) []decision {
	srv, err := strategytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	impl, err := newSMA(config{fast: 3, slow: 8, notional: money.FromInt(1000)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- strategy.Run(runCtx, srv.Conn(), strategy.Hello{Name: "sma"}, impl) }()
	defer func() { cancel(); <-done }()
	actx, acancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer acancel()
	st, err := srv.Accept(actx)
	if err != nil {
		t.Fatal(err)
	}
	snap := &tradingv1.StrategySnapshot{SessionId: "s", Cash: "1000000"}
	for _, sym := range []string{"BTC-USD", "ETH-USD"} {
		f := filters[sym]
		snap.Symbols = append(snap.Symbols, &tradingv1.SymbolFilters{Symbol: sym, TickSize: f.TickSize.String(),
			LotSize: f.LotSize.String(), MinNotional: f.MinNotional.String()})
	}
	seq := uint64(1)
	send := func(ev *tradingv1.StrategyEvent) {
		t.Helper()
		ev.Sequence = seq
		seq++
		if err := st.Send(ev); err != nil {
			t.Fatal(err)
		}
	}
	send(strategytest.Snapshot(0, snap))
	var out []decision
	var pending []pendingFill
	for i, q := range qs {
		for len(pending) > 0 && pending[0].due <= i {
			f := pending[0]
			pending = pending[1:]
			side := strategy.Sell
			if f.dec.buy {
				side = strategy.Buy
			}
			send(strategytest.Update(0, &tradingv1.StrategyOrder{Tag: f.tag, ClientOrderId: "c-" + f.tag,
				Symbol: f.dec.symbol, Side: side, Type: strategy.Market, TimeInForce: strategy.IOC,
				Quantity: f.dec.quantity.String(), FilledQuantity: f.dec.quantity.String(),
				State: tradingv1.OrderState_ORDER_STATE_FILLED},
				&tradingv1.Fill{Quantity: f.dec.quantity.String(), Price: f.price.String(), Fee: "0"}))
		}
		book := seq
		send(strategytest.Book(0, q.symbol, q.bid.String(), q.ask.String()))
		a, err := st.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if a.GetEventSequence() != book {
			t.Fatalf("answer names %d, want %d", a.GetEventSequence(), book)
		}
		for _, dd := range a.GetDecisions() {
			p := dd.GetPlace()
			if p == nil || p.GetType() != strategy.Market || p.GetTimeInForce() != strategy.IOC || p.GetPrice() != "" {
				t.Fatalf("remote decided %v", dd)
			}
			if p.GetTag() != "sma-"+strconv.FormatUint(book, 10) {
				t.Fatalf("tag %q for event %d", p.GetTag(), book)
			}
			d := decision{i, p.GetSymbol(), p.GetSide() == strategy.Buy, money.MustParse(p.GetQuantity())}
			out = append(out, d)
			price := q.bid
			if d.buy {
				price = q.ask
			}
			pending = append(pending, pendingFill{due: i + 1 + lag, dec: d, price: price, tag: p.GetTag()})
		}
	}
	send(strategytest.Stopped(0, "done"))
	st.End(nil)
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	done <- nil
	return out
}

// TestSameDecisionsAsTheBuiltIn feeds one quote series to the built-in sma
// and to this example through the SDK, with fills arriving before the next
// event and, to exercise the in-flight rule, some events later.
func TestSameDecisionsAsTheBuiltIn(t *testing.T) {
	qs := quotes(6000)
	for _, lag := range []int{0, 3} {
		t.Run("lag="+strconv.Itoa(lag), func(t *testing.T) {
			want, got := runBuiltin(t, qs, lag), runRemote(t, qs, lag)
			buys, sells := 0, 0
			for _, d := range want {
				if d.buy {
					buys++
				} else {
					sells++
				}
			}
			// Enough of each that agreeing is no accident.
			if buys < 20 || sells < 20 {
				t.Fatalf("the built-in made %d buys and %d sells: the series does not exercise it", buys, sells)
			}
			if !slices.Equal(want, got) {
				n := min(len(want), len(got))
				for i := range n {
					if want[i] != got[i] {
						t.Fatalf("decision %d: built-in %v, remote %v (of %d and %d)", i, want[i], got[i], len(want), len(got))
					}
				}
				t.Fatalf("built-in made %d decisions, remote %d", len(want), len(got))
			}
		})
	}
}
