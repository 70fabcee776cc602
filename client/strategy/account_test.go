package strategy_test

import (
	"errors"
	"testing"

	"github.com/tradectl/tradectl/client/strategy"
	"github.com/tradectl/tradectl/client/strategy/strategytest"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// probes runs checks[seq] at the timer event seq; it is built before Run
// starts and only read by Run's goroutine.
type probes struct {
	scripted
	checks map[uint64]func(a strategy.Account, d *strategy.Decisions)
}

func (p *probes) OnTimer(a strategy.Account, ev strategy.Event, d *strategy.Decisions) {
	if f := p.checks[ev.Sequence]; f != nil {
		f(a, d)
	}
}

func timerEv(seq uint64) *tradingv1.StrategyEvent {
	return &tradingv1.StrategyEvent{Sequence: seq, NeedsAnswer: true, Event: &tradingv1.StrategyEvent_Timer{}}
}

func dec(s string) strategy.Decimal { return strategy.MustDecimal(s) }

func order(tag, id string, side strategy.Side, typ strategy.OrderType, qty, price string, st tradingv1.OrderState) *tradingv1.StrategyOrder {
	return &tradingv1.StrategyOrder{Tag: tag, ClientOrderId: id, Symbol: "BTC-USD", Side: side, Type: typ,
		Quantity: qty, Price: price, State: st}
}

const (
	accepted  = tradingv1.OrderState_ORDER_STATE_ACCEPTED
	partial   = tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED
	filled    = tradingv1.OrderState_ORDER_STATE_FILLED
	cancelled = tradingv1.OrderState_ORDER_STATE_CANCELLED
)

func TestAccountTracksOrdersByTagAndPositionsFromFills(t *testing.T) {
	p := &probes{}
	expect := func(seq uint64, pos, cash string, open int) {
		t.Helper()
		prev := p.checks[seq]
		p.checks[seq] = func(a strategy.Account, d *strategy.Decisions) {
			if got := a.Position("BTC-USD"); got != dec(pos) {
				t.Errorf("event %d: position %s, want %s", seq, got, pos)
			}
			if got := a.Cash(); got != dec(cash) {
				t.Errorf("event %d: cash %s, want %s", seq, got, cash)
			}
			if got := a.OpenOrders("BTC-USD"); got != open {
				t.Errorf("event %d: %d open orders, want %d (%v)", seq, got, open, a.Orders())
			}
			if prev != nil {
				prev(a, d)
			}
		}
	}
	p.checks = map[uint64]func(strategy.Account, *strategy.Decisions){}
	// 2: the snapshot's state; then buy 1 BTC (in flight at once).
	expect(2, "0.5", "1000", 1)
	p.checks[2] = func(next func(strategy.Account, *strategy.Decisions)) func(strategy.Account, *strategy.Decisions) {
		return func(a strategy.Account, d *strategy.Decisions) {
			next(a, d)
			if f := a.Filters("BTC-USD"); f.LotSize != dec("0.001") || f.MinNotional != dec("10") {
				t.Errorf("filters %+v", f)
			}
			if o, ok := a.Order("rest"); !ok || o.ClientOrderID != "c1" || o.Price != dec("200") || o.InFlight {
				t.Errorf("snapshot order rest = %+v, %v", o, ok)
			}
			if _, err := d.Place(strategy.PlaceOrder{Tag: "buy", Symbol: "BTC-USD", Side: strategy.Buy,
				Type: strategy.Market, Quantity: dec("1")}); err != nil {
				t.Error(err)
			}
			if got := a.OpenOrders("BTC-USD"); got != 2 {
				t.Errorf("right after Place: %d open orders, want 2 (in flight counts)", got)
			}
		}
	}(p.checks[2])
	expect(3, "0.5", "1000", 2) // not acknowledged yet: still in flight
	expect(6, "0.9", "959.9", 2)
	expect(8, "1.5", "899.8", 1) // filled: gone; rest filled too below
	expect(10, "1.3", "939.8", 0)
	p.checks[3] = func(next func(strategy.Account, *strategy.Decisions)) func(strategy.Account, *strategy.Decisions) {
		return func(a strategy.Account, d *strategy.Decisions) {
			next(a, d)
			if o, _ := a.Order("buy"); !o.InFlight || o.ClientOrderID != "" {
				t.Errorf("before its report, buy = %+v, want in flight", o)
			}
		}
	}(p.checks[3])
	h := start(t, strategy.Hello{Name: "x"}, p)
	h.send(snapshot(1), timerEv(2))
	if a := h.answer(2); a.GetDecisions()[0].GetPlace().GetTag() != "buy" {
		t.Fatalf("answer %v", a)
	}
	h.send(timerEv(3))
	h.answer(3)
	fee := "0.1"
	h.send(strategytest.Update(4, order("buy", "c2", strategy.Buy, strategy.Market, "1", "", accepted), nil),
		strategytest.Update(5, order("buy", "c2", strategy.Buy, strategy.Market, "1", "", partial),
			&tradingv1.Fill{Quantity: "0.4", Price: "100", Fee: fee}),
		timerEv(6))
	h.answer(6)
	h.send(strategytest.Update(7, order("buy", "c2", strategy.Buy, strategy.Market, "1", "", filled),
		&tradingv1.Fill{Quantity: "0.6", Price: "100", Fee: fee}), timerEv(8))
	h.answer(8)
	// The resting sell fills: position and cash move, the tag is gone.
	h.send(strategytest.Update(9, order("rest", "c1", strategy.Sell, strategy.Limit, "0.2", "200", filled),
		&tradingv1.Fill{Quantity: "0.2", Price: "200"}), timerEv(10))
	h.answer(10)
}

func TestAccountUndoesRefusedDecisions(t *testing.T) {
	p := &probes{checks: map[uint64]func(strategy.Account, *strategy.Decisions){}}
	p.checks[2] = func(a strategy.Account, d *strategy.Decisions) {
		if _, err := d.Place(strategy.PlaceOrder{Tag: "b", Symbol: "BTC-USD", Side: strategy.Buy, Type: strategy.Market,
			Quantity: dec("1")}); err != nil {
			t.Error(err)
		}
		if err := d.Replace("rest", dec("0.3"), dec("210")); err != nil {
			t.Error(err)
		}
	}
	p.checks[4] = func(a strategy.Account, d *strategy.Decisions) {
		// The place was refused by the risk guard: gone. The replace was
		// refused as invalid: the resting order as it was.
		if _, ok := a.Order("b"); ok {
			t.Error("refused place still open")
		}
		if o, ok := a.Order("rest"); !ok || o.ClientOrderID != "c1" || o.Price != dec("200") || o.InFlight {
			t.Errorf("after a refused replace, rest = %+v (open %v), want c1 at 200", o, ok)
		}
		if err := d.Replace("rest", dec("0.3"), dec("220")); err != nil {
			t.Error(err)
		}
	}
	p.checks[6] = func(a strategy.Account, d *strategy.Decisions) {
		// The replaced order's cancel arrived first: the tag still names
		// the new order, in flight, and still counts as open.
		if o, ok := a.Order("rest"); !ok || !o.InFlight || o.Price != dec("220") || a.OpenOrders("BTC-USD") != 1 {
			t.Errorf("after the old order's cancel, rest = %+v (open %v), want the replacement in flight", o, ok)
		}
	}
	p.checks[8] = func(a strategy.Account, d *strategy.Decisions) {
		// The old order's cancel does not close the tag; the new one's
		// acceptance names it.
		if o, ok := a.Order("rest"); !ok || o.ClientOrderID != "c7" || o.Price != dec("220") || o.InFlight {
			t.Errorf("after the replace, rest = %+v (open %v), want c7 at 220", o, ok)
		}
	}
	h := start(t, strategy.Hello{Name: "x"}, p)
	h.send(snapshot(1), timerEv(2))
	h.answer(2)
	refuse := func(seq uint64, idx int32, tag string, reason tradingv1.ErrorReason) *tradingv1.StrategyEvent {
		return &tradingv1.StrategyEvent{Sequence: seq, Event: &tradingv1.StrategyEvent_Refused{Refused: &tradingv1.DecisionRefused{
			EventSequence: 2, DecisionIndex: idx, Tag: tag, Reason: reason.Wire(), Message: "no"}}}
	}
	h.send(refuse(3, 0, "b", tradingv1.ErrorReason_ERROR_REASON_ORDER_REFUSED),
		refuse(3, 1, "rest", tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID), timerEv(4))
	h.answer(4)
	h.send(strategytest.Update(5, order("rest", "c1", strategy.Sell, strategy.Limit, "0.2", "200", cancelled), nil),
		timerEv(6))
	h.answer(6)
	h.send(strategytest.Update(7, order("rest", "c7", strategy.Sell, strategy.Limit, "0.3", "220", accepted), nil),
		timerEv(8))
	h.answer(8)
}

func TestDecisionsRefuseWhatTheDaemonWould(t *testing.T) {
	p := &probes{checks: map[uint64]func(strategy.Account, *strategy.Decisions){}}
	ok := strategy.PlaceOrder{Symbol: "BTC-USD", Side: strategy.Buy, Type: strategy.Limit, Quantity: dec("1"), Price: dec("10")}
	var kept *strategy.Decisions
	p.checks[3] = func(a strategy.Account, d *strategy.Decisions) {
		if _, err := kept.Place(ok); !errors.Is(err, strategy.ErrInvalidDecision) {
			t.Errorf("Place on an answered event's Decisions = %v", err)
		}
		if a.OpenOrders("BTC-USD") != 2 {
			t.Errorf("%d open orders, want 2: the late Place must not count", a.OpenOrders("BTC-USD"))
		}
	}
	p.checks[2] = func(a strategy.Account, d *strategy.Decisions) {
		kept = d
		bad := map[string]func(o strategy.PlaceOrder) strategy.PlaceOrder{
			"live tag":        func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Tag = "rest"; return o },
			"bad tag":         func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Tag = "a b"; return o },
			"zero quantity":   func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Quantity = strategy.Decimal{}; return o },
			"negative":        func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Quantity = dec("-1"); return o },
			"limit, no price": func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Price = strategy.Decimal{}; return o },
			"market, price":   func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Type = strategy.Market; return o },
			"no side":         func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Side = 0; return o },
			"no symbol":       func(o strategy.PlaceOrder) strategy.PlaceOrder { o.Symbol = ""; return o },
		}
		for name, f := range bad {
			if _, err := d.Place(f(ok)); !errors.Is(err, strategy.ErrInvalidDecision) {
				t.Errorf("%s: Place = %v, want ErrInvalidDecision", name, err)
			}
		}
		if err := d.Cancel("nope"); !errors.Is(err, strategy.ErrInvalidDecision) {
			t.Errorf("Cancel of an unknown tag = %v", err)
		}
		if tag, err := d.Place(ok); err != nil || tag != "2.0" {
			t.Errorf("Place without a tag = %q, %v; want 2.0", tag, err)
		}
		if err := d.Cancel("rest"); err != nil {
			t.Error(err)
		}
	}
	h := start(t, strategy.Hello{Name: "x"}, p)
	h.send(snapshot(1), timerEv(2))
	a := h.answer(2)
	if len(a.GetDecisions()) != 2 || a.GetDecisions()[0].GetPlace().GetPrice() != "10" ||
		a.GetDecisions()[1].GetCancel().GetTag() != "rest" {
		t.Fatalf("answer %v, want only the valid place and the cancel", a)
	}
	h.send(timerEv(3))
	if a := h.answer(3); len(a.GetDecisions()) != 0 {
		t.Fatalf("answer to 3 = %v, want none", a)
	}
}
