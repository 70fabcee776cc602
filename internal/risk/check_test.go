package risk

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

var (
	d  = money.MustParse
	t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
)

func buy(qty string) venue.OrderSpec {
	return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Market, TIF: venue.IOC, Quantity: d(qty)}
}

func sell(qty string) venue.OrderSpec {
	s := buy(qty)
	s.Side = venue.Sell
	return s
}

func limitAt(s venue.OrderSpec, price string) venue.OrderSpec {
	s.Type, s.TIF, s.Price = venue.Limit, venue.GTC, d(price)
	return s
}

// order is one Check call and the rule it must fail, "" to pass.
type order struct {
	spec     venue.OrderSpec
	ref, pos string
	open     int
	ms       int
	rule     string
}

func TestCheckLimits(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		orders []order
	}{{
		name:   "no limits",
		limits: Limits{},
		orders: []order{{spec: buy("1000000"), ref: "60000", pos: "5", open: 1_000_000}},
	}, {
		name:   "max order notional",
		limits: Limits{MaxOrderNotional: d("1000")},
		orders: []order{
			{spec: buy("10"), ref: "100"},                                      // exactly 1000
			{spec: buy("10.00000001"), ref: "100", rule: RuleMaxOrderNotional}, // 1000.000001
			{spec: limitAt(sell("20"), "50"), ref: "1000"},                     // limit price, not ref
			{spec: limitAt(sell("20"), "50.01"), ref: "1", rule: RuleMaxOrderNotional},
			{spec: buy("1"), ref: "0", rule: RuleMaxOrderNotional},                     // a market order needs a ref
			{spec: buy("90000000000"), ref: "90000000000", rule: RuleMaxOrderNotional}, // overflow
		},
	}, {
		name:   "max position",
		limits: Limits{MaxPosition: d("2")},
		orders: []order{
			{spec: buy("2"), pos: "0"},
			{spec: buy("0.00000001"), pos: "2", rule: RuleMaxPosition},
			{spec: sell("2.5"), pos: "0", rule: RuleMaxPosition},
			{spec: sell("3"), pos: "5"},                          // over the limit, reducing: passes
			{spec: sell("1"), pos: "5"},                          // still over, but reducing
			{spec: buy("1"), pos: "-5"},                          // short side too
			{spec: sell("6.5"), pos: "5"},                        // flips to -1.5: within
			{spec: sell("7.5"), pos: "5", rule: RuleMaxPosition}, // flips to -2.5
			{spec: buy("4"), pos: "-1.5", rule: RuleMaxPosition}, // flips to 2.5 > 1.5
		},
	}, {
		name:   "max open orders",
		limits: Limits{MaxOpenOrders: 3},
		orders: []order{
			{spec: buy("1"), open: 2},
			{spec: buy("1"), open: 3, rule: RuleMaxOpenOrders},
		},
	}, {
		name:   "max orders per second",
		limits: Limits{MaxOrdersPerSecond: 2},
		orders: []order{
			{spec: buy("1"), ms: 0},
			{spec: buy("1"), ms: 400},
			{spec: buy("1"), ms: 999, rule: RuleMaxOrdersPerSecond},
			{spec: buy("1"), ms: 1000},                               // the first left the window
			{spec: buy("1"), ms: 1399, rule: RuleMaxOrdersPerSecond}, // a refusal does not count
			{spec: buy("1"), ms: 1400},
			{spec: buy("1"), ms: 5000},
			{spec: buy("1"), ms: 5000},
			{spec: buy("1"), ms: 5000, rule: RuleMaxOrdersPerSecond},
		},
	}, {
		name:   "not an order",
		limits: Limits{},
		orders: []order{
			{spec: buy("0"), rule: RuleOrder},
			{spec: sell("-1"), rule: RuleOrder},
			{spec: venue.OrderSpec{Quantity: d("1")}, rule: RuleOrder},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(tt.limits, d("100000"))
			for i, o := range tt.orders {
				ref, pos := d("100"), money.Decimal{}
				if o.ref != "" {
					ref = d(o.ref)
				}
				if o.pos != "" {
					pos = d(o.pos)
				}
				err := g.Check(o.spec, ref, pos, o.open, t0.Add(time.Duration(o.ms)*time.Millisecond))
				checkRule(t, i, err, o.rule)
			}
		})
	}
}

func checkRule(t *testing.T, i int, err error, rule string) {
	t.Helper()
	if rule == "" {
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		return
	}
	var r *Rejection
	if !errors.As(err, &r) || r.Rule != rule || !errors.Is(err, ErrRejected) || r.Reason == "" {
		t.Fatalf("order %d: %v, want a rejection by %s", i, err, rule)
	}
	if !strings.HasPrefix(err.Error(), "risk: order rejected by "+rule+": ") {
		t.Fatalf("order %d: message %q", i, err)
	}
}

func TestRejectionReasonsGiveFigures(t *testing.T) {
	g := New(Limits{MaxOrderNotional: d("1000"), MaxPosition: d("2"), MaxOpenOrders: 4, MaxOrdersPerSecond: 1}, d("100000"))
	for _, tt := range []struct {
		err  error
		want string
	}{
		{g.Check(buy("11"), d("100"), money.Decimal{}, 0, t0), "notional 11 × 100 exceeds 1000"},
		{g.Check(buy("3"), d("1"), d("-0.5"), 0, t0), "buy 3 BTC-USD from a position of -0.5 would exceed 2"},
		{g.Check(buy("1"), d("1"), money.Decimal{}, 4, t0), "already at the limit of 4 live orders"},
		{g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0), ""},
		{g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0), "1 orders already passed in the last second"},
	} {
		if tt.want == "" {
			if tt.err != nil {
				t.Fatal(tt.err)
			}
			continue
		}
		if r := (*Rejection)(nil); !errors.As(tt.err, &r) || r.Reason != tt.want {
			t.Errorf("%v, want reason %q", tt.err, tt.want)
		}
	}
}

func TestReducingPassesOnlyReducingOrders(t *testing.T) {
	g := New(Limits{}, d("1000"))
	g.Reduce("end of session")
	g.Reduce("ignored: already reducing")
	if g.State() != Reducing || g.Reason() != "end of session" || !g.HaltedAt().IsZero() {
		t.Fatalf("%s %q %s", g.State(), g.Reason(), g.HaltedAt())
	}
	for i, o := range []order{
		{spec: sell("1"), pos: "3"},
		{spec: sell("3"), pos: "3"},
		{spec: sell("3.00000001"), pos: "3", rule: RuleReducing}, // would flip
		{spec: buy("1"), pos: "3", rule: RuleReducing},
		{spec: buy("2"), pos: "-2"},
		{spec: sell("1"), pos: "-2", rule: RuleReducing},
		{spec: buy("1"), pos: "0", rule: RuleReducing},
		{spec: sell("1"), pos: "0", rule: RuleReducing},
		{spec: sell("0"), pos: "1", rule: RuleReducing},
	} {
		err := g.Check(o.spec, d("10"), d(o.pos), 0, t0)
		checkRule(t, i, err, o.rule)
		if o.rule != "" && !strings.Contains(err.Error(), "end of session") {
			t.Fatalf("order %d: %v does not say why", i, err)
		}
	}
	// Still subject to the limits.
	g = New(Limits{MaxOrderNotional: d("5")}, d("1000"))
	g.Reduce("x")
	checkRule(t, 0, g.Check(sell("1"), d("10"), d("3"), 0, t0), RuleMaxOrderNotional)
}

func TestHaltedRefusesEverything(t *testing.T) {
	g := New(Limits{}, d("1000"))
	g.Halt("operator pulled the switch", t0)
	g.Halt("a second reason is ignored", t0.Add(time.Second))
	g.Reduce("reduce does not lift a halt")
	if g.State() != Halted || g.Reason() != "operator pulled the switch" || !g.HaltedAt().Equal(t0) {
		t.Fatalf("%s %q %s", g.State(), g.Reason(), g.HaltedAt())
	}
	for i, o := range []order{{spec: buy("1")}, {spec: sell("1"), pos: "5"}, {spec: buy("1"), pos: "-5"}} {
		err := g.Check(o.spec, d("1"), d(orZero(o.pos)), 0, t0)
		checkRule(t, i, err, RuleHalted)
		if !strings.Contains(err.Error(), "trading halted at 2026-03-02T09:30:00Z: operator pulled the switch") {
			t.Fatalf("%v", err)
		}
	}
	if err := g.Reset(t0); err != nil || g.State() != Active || g.Reason() != "" || !g.HaltedAt().IsZero() {
		t.Fatalf("reset: %v, %s %q", err, g.State(), g.Reason())
	}
	if err := g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0); err != nil {
		t.Fatal(err)
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Active: "ACTIVE", Reducing: "REDUCING", Halted: "HALTED", 0: "UNSPECIFIED"} {
		if s.String() != want {
			t.Errorf("%d: %s", s, s)
		}
	}
}
