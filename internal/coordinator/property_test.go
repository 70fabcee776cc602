package coordinator

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

// randomActions places and cancels orders as rapid draws them.
type randomActions struct {
	t    *rapid.T
	live []string
}

func (r *randomActions) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	for range rapid.IntRange(0, 2).Draw(r.t, "actions") {
		if len(r.live) > 0 && rapid.Bool().Draw(r.t, "cancel") {
			i := rapid.IntRange(0, len(r.live)-1).Draw(r.t, "which")
			dst = append(dst, strategy.Action{Kind: strategy.ActionCancel, CancelID: r.live[i]})
			continue
		}
		spec := venue.OrderSpec{
			Symbol:   ev.Symbol,
			Side:     rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(r.t, "side"),
			Type:     venue.Market,
			Quantity: money.FromUnits(rapid.Int64Range(1, 5_00000000).Draw(r.t, "qty")),
		}
		if rapid.Bool().Draw(r.t, "limit") {
			spec.Type, spec.TIF = venue.Limit, rapid.SampledFrom([]venue.TimeInForce{venue.GTC, venue.IOC}).Draw(r.t, "tif")
			spec.Price = money.FromInt(rapid.Int64Range(90, 110).Draw(r.t, "price"))
		}
		dst = append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: spec})
	}
	return dst
}

func (r *randomActions) OnReport(rep *venue.ExecutionReport) {
	if rep.State == venue.StateAccepted {
		r.live = append(r.live, rep.ClientID)
	}
}

// Over random markets and random order flows, the books reconcile exactly:
// every position is the sum of its signed fills, cash moved by exactly the
// fills' notional and fees, every order's fills add up to what it says is
// filled, cash never goes negative, and once the kill switch trips no
// order is placed. At every event, open buys promise no more than the
// cash held, and no position goes short: the account is a cash account.
func TestAccountingInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var evs []market.Event
		for i := range rapid.IntRange(1, 60).Draw(rt, "events") {
			mid := rapid.Int64Range(80, 120).Draw(rt, "mid")
			ev := book(i, mid)
			if rapid.Bool().Draw(rt, "trade") {
				ev.Kind, ev.Price, ev.Size = market.EventTrade, money.FromInt(mid), money.FromInt(rapid.Int64Range(1, 20).Draw(rt, "size"))
				ev.Aggressor = rapid.SampledFrom([]int8{1, -1}).Draw(rt, "aggressor")
			}
			evs = append(evs, ev)
		}
		eng, _ := matching.New(matching.Config{MakerFeeBps: 2, TakerFeeBps: 5,
			Latency: time.Duration(rapid.IntRange(0, 2).Draw(rt, "latency")) * time.Second})
		limits := risk.Limits{MaxDrawdown: money.MustParse("0.001")}
		start := money.FromInt(10_000)
		pf, book := portfolio.New("USD", start), orders.NewBook("p", 1<<20)
		guard := risk.New(limits, start)
		var haltedAt time.Time
		var broken string
		c, err := New(Config{OrderPrefix: "p", Source: &script{evs: evs}, Venue: eng, Strategy: &randomActions{t: rt},
			Portfolio: pf, Risk: guard, Orders: book,
			Observe: func(t time.Time, _ money.Decimal) {
				if haltedAt.IsZero() && guard.State() == risk.Halted {
					haltedAt = t
				}
				if broken == "" && pf.FreeCash().IsNegative() {
					broken = fmt.Sprintf("at %s open buys promise %s of %s cash", t, pf.ReservedCash(), pf.Cash())
				}
				for _, sym := range []string{"BTC-USD"} {
					if broken == "" && pf.Position(sym).IsNegative() {
						broken = fmt.Sprintf("at %s a cash account is short %s %s", t, pf.Position(sym), sym)
					}
				}
			}})
		if err != nil {
			rt.Fatal(err)
		}
		if err := c.Backtest(context.Background()); err != nil {
			rt.Fatal(err)
		}
		if broken != "" {
			rt.Fatal(broken)
		}
		list, _ := book.List(false, 0)
		cash, fees := start, money.Decimal{}
		pos := map[string]money.Decimal{}
		for _, o := range list {
			var filled money.Decimal
			for _, f := range o.Fills {
				signed := f.Quantity
				if o.Spec.Side == venue.Sell {
					signed = signed.Neg()
				}
				pos[o.Spec.Symbol] = pos[o.Spec.Symbol].Add(signed)
				notional := f.Quantity.Mul(f.Price)
				if o.Spec.Side == venue.Buy {
					cash = cash.Sub(notional)
				} else {
					cash = cash.Add(notional)
				}
				cash, fees, filled = cash.Sub(f.Fee), fees.Add(f.Fee), filled.Add(f.Quantity)
			}
			if filled != o.Filled || o.Filled.Add(o.Remaining) != o.Spec.Quantity {
				rt.Fatalf("order %s: fills %s, filled %s, remaining %s, quantity %s", o.ClientID, filled, o.Filled, o.Remaining, o.Spec.Quantity)
			}
			if !haltedAt.IsZero() && o.Created.After(haltedAt) {
				rt.Fatalf("order %s placed at %s, after the halt at %s", o.ClientID, o.Created, haltedAt)
			}
		}
		for sym, q := range pos {
			if pf.Position(sym) != q {
				rt.Fatalf("%s: position %s, fills say %s", sym, pf.Position(sym), q)
			}
		}
		snap := pf.Snapshot()
		if snap.Cash.IsNegative() {
			rt.Fatalf("cash went negative: %s (a cash account cannot spend what it does not hold)", snap.Cash)
		}
		if eng.OpenTotal() == 0 && (pf.Reservations() != 0 || !pf.ReservedCash().IsZero()) {
			rt.Fatalf("%d reservations (%s cash) left with no open order", pf.Reservations(), pf.ReservedCash())
		}
		if snap.Cash != cash || snap.FeesPaid != fees {
			rt.Fatalf("cash %s fees %s, fills say %s and %s", snap.Cash, snap.FeesPaid, cash, fees)
		}
		if got := start.Add(snap.RealizedPnL).Add(snap.UnrealizedPnL).Sub(snap.FeesPaid); got != snap.Equity {
			rt.Fatalf("start + pnl - fees = %s, equity %s", got, snap.Equity)
		}
	})
}
