package matching

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string // "" means valid
	}{
		{DefaultConfig(), ""},
		{Config{}, ""},
		{Config{MakerFeeBps: 10_000, TakerFeeBps: 10_000, Latency: time.Second, TopOfBookSize: d("1"), FinishedIDs: 1}, ""},
		{Config{MakerFeeBps: -1}, "MakerFeeBps must be in [0, 10000], got -1"},
		{Config{TakerFeeBps: 10_001}, "TakerFeeBps must be in [0, 10000], got 10001"},
		{Config{Latency: -time.Millisecond}, "Latency must not be negative, got -1ms"},
		{Config{TopOfBookSize: d("-1")}, "TopOfBookSize must not be negative, got -1"},
		{Config{FinishedIDs: -1}, "FinishedIDs must not be negative, got -1"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if tt.want == "" {
			if err != nil {
				t.Errorf("New(%+v): %v", tt.cfg, err)
			}
		} else if err == nil || err.Error() != "matching: "+tt.want {
			t.Errorf("New(%+v) error = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestSubmitRejects(t *testing.T) {
	decision := quote(0, "100", "101")
	marketWithPrice := mkt(venue.Buy, "1")
	marketWithPrice.Price = d("100")
	marketPostOnly := mkt(venue.Buy, "1")
	marketPostOnly.PostOnly = true
	postOnlyIOC := limit(venue.Buy, "1", "99", venue.IOC)
	postOnlyIOC.PostOnly = true
	noSymbol := mkt(venue.Buy, "1")
	noSymbol.Symbol = ""
	tests := []struct {
		name   string
		id     string
		spec   venue.OrderSpec
		reason string
	}{
		{"no client id", "", mkt(venue.Buy, "1"), reasonNoClientID},
		{"no symbol", "x", noSymbol, reasonNoSymbol},
		{"no side", "x", venue.OrderSpec{Symbol: sym, Type: venue.Market, Quantity: d("1")}, reasonBadSide},
		{"zero quantity", "x", mkt(venue.Buy, "0"), reasonBadQuantity},
		{"negative quantity", "x", mkt(venue.Sell, "-1"), reasonBadQuantity},
		{"no type", "x", venue.OrderSpec{Symbol: sym, Side: venue.Buy, Quantity: d("1")}, reasonBadType},
		{"market with a price", "x", marketWithPrice, reasonMarketPrice},
		{"market post-only", "x", marketPostOnly, reasonMarketPostOnly},
		{"market too large", "x", mkt(venue.Buy, "1000000000"), reasonTooLarge},
		{"limit without price", "x", limit(venue.Buy, "1", "0", venue.GTC), reasonBadPrice},
		{"limit negative price", "x", limit(venue.Buy, "1", "-5", venue.GTC), reasonBadPrice},
		{"limit without TIF", "x", limit(venue.Buy, "1", "99", 0), reasonBadTIF},
		{"post-only IOC", "x", postOnlyIOC, reasonPostOnlyIOC},
		{"limit too large", "x", limit(venue.Buy, "1000000", "1000000", venue.GTC), reasonTooLarge},
		{"post-only buy at the ask", "x", postOnly(venue.Buy, "1", "101"), reasonPostOnlyCross},
		{"post-only sell through the bid", "x", postOnly(venue.Sell, "1", "99.5"), reasonPostOnlyCross},
		{"duplicate of a live order", "live", limit(venue.Buy, "1", "90", venue.GTC), reasonDuplicateID},
		{"duplicate of a finished order", "done", mkt(venue.Buy, "1"), reasonDuplicateID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, DefaultConfig())
			e.Submit(limit(venue.Buy, "1", "90", venue.GTC), "live", decision, at(0), nil)
			e.Submit(mkt(venue.Buy, "1"), "done", decision, at(0), nil)
			got := e.Submit(tt.spec, tt.id, decision, at(0), nil)
			if len(got) != 1 || got[0].State != venue.StateRejected || got[0].Reason != tt.reason {
				t.Fatalf("reports %q, want one REJECTED (%s)", briefs(got), tt.reason)
			}
			if got[0].ClientID != tt.id || got[0].Remaining != tt.spec.Quantity || !got[0].Filled.IsZero() || got[0].Time != at(0) {
				t.Fatalf("rejection %+v", got[0])
			}
			if e.OpenTotal() != 1 {
				t.Fatalf("%d live orders after a rejection, want the 1 resting", e.OpenTotal())
			}
		})
	}
}

// step is one call in a scripted scenario: a submit, an event or a cancel.
type step struct {
	id     string
	submit *venue.OrderSpec
	event  *market.Event
	cancel bool
	want   []string
}

func sub(id string, s venue.OrderSpec, want ...string) step {
	return step{id: id, submit: &s, want: want}
}
func on(ev market.Event, want ...string) step { return step{event: &ev, want: want} }
func cancel(id string, want ...string) step   { return step{id: id, cancel: true, want: want} }

func run(t *testing.T, e *Engine, steps []step) {
	t.Helper()
	last := quote(0, "100", "101")
	for i, st := range steps {
		var got []venue.ExecutionReport
		switch {
		case st.submit != nil:
			got = e.Submit(*st.submit, st.id, last, last.Time, nil)
		case st.event != nil:
			last = *st.event
			got = e.OnEvent(st.event, nil)
		case st.cancel:
			var err error
			if got, err = e.Cancel(st.id, last.Time, nil); err != nil {
				t.Fatalf("step %d: cancel %s: %v", i, st.id, err)
			}
		}
		wantReports(t, "step "+strconv.Itoa(i), got, st.want...)
	}
}

func TestStateTransitions(t *testing.T) {
	tests := []struct {
		name    string
		latency time.Duration
		steps   []step
	}{{
		name: "accepted, filled",
		steps: []step{sub("A", mkt(venue.Buy, "1"),
			"A ACCEPTED 0/1",
			"A FILLED 1/0 1@101 fee 0.0505 taker")},
	}, {
		name: "accepted, partially filled, filled",
		steps: []step{
			sub("A", limit(venue.Sell, "3", "102", venue.GTC), "A ACCEPTED 0/3"),
			on(trade(1, "102", "1", +1, "100", "101"), "A PARTIALLY_FILLED 1/2 1@102 fee 0.0204 maker"),
			on(trade(2, "103", "5", +1, "100", "101"), "A FILLED 3/0 2@102 fee 0.0408 maker"),
		},
	}, {
		name: "accepted, cancelled",
		steps: []step{
			sub("A", limit(venue.Buy, "1", "99", venue.GTC), "A ACCEPTED 0/1"),
			cancel("A", "A CANCELLED 0/1 (cancelled on request)"),
		},
	}, {
		name: "accepted, partially filled, cancelled",
		steps: []step{
			sub("A", limit(venue.Buy, "2", "99", venue.GTC), "A ACCEPTED 0/2"),
			on(trade(1, "98", "0.5", -1, "98", "99"), "A PARTIALLY_FILLED 0.5/1.5 0.5@99 fee 0.0099 maker"),
			cancel("A", "A CANCELLED 0.5/1.5 (cancelled on request)"),
		},
	}, {
		name: "IOC accepted, partially filled, cancelled",
		steps: []step{
			on(depth(1, levels("100x1"), levels("101x1", "102x1"))),
			sub("A", limit(venue.Buy, "3", "101", venue.IOC),
				"A ACCEPTED 0/3",
				"A PARTIALLY_FILLED 1/2 1@101 fee 0.0505 taker",
				"A CANCELLED 1/2 ("+reasonIOCRemainder+")"),
		},
	}, {
		name: "IOC not marketable: accepted, cancelled",
		steps: []step{sub("A", limit(venue.Sell, "1", "100.5", venue.IOC),
			"A ACCEPTED 0/1",
			"A CANCELLED 0/1 ("+reasonIOCRemainder+")")},
	}, {
		name: "market order into an empty side: accepted, cancelled",
		steps: []step{
			on(depth(1, nil, levels("101x1"))),
			sub("A", mkt(venue.Sell, "1"), "A ACCEPTED 0/1", "A CANCELLED 0/1 ("+reasonMarketRemainder+")"),
		},
	}, {
		name:    "post-only crossing on arrival: accepted, cancelled",
		latency: 10 * time.Millisecond,
		steps: []step{
			sub("A", postOnly(venue.Buy, "1", "100.5"), "A ACCEPTED 0/1"),
			on(quote(10, "99", "100.5"), "A CANCELLED 0/1 ("+reasonPostOnlyCrossed+")"),
		},
	}, {
		name:    "in flight, cancelled before arrival",
		latency: 10 * time.Millisecond,
		steps: []step{
			sub("A", mkt(venue.Buy, "1"), "A ACCEPTED 0/1"),
			cancel("A", "A CANCELLED 0/1 (cancelled on request)"),
			on(quote(10, "100", "101")),
		},
	}, {
		name: "resting order crossed by the book: filled as maker at its limit",
		steps: []step{
			sub("A", limit(venue.Buy, "2", "100.5", venue.GTC), "A ACCEPTED 0/2"),
			on(depth(1, levels("99x5"), levels("100x0.5", "100.5x1", "101x9")),
				"A PARTIALLY_FILLED 0.5/1.5 0.5@100.5 fee 0.01005 maker",
				"A PARTIALLY_FILLED 1.5/0.5 1@100.5 fee 0.0201 maker"),
			on(depth(2, levels("99x5"), levels("100.5x3")), "A FILLED 2/0 0.5@100.5 fee 0.01005 maker"),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Latency = tt.latency
			e := newEngine(t, cfg)
			run(t, e, tt.steps)
			if n := e.OpenTotal(); n != 0 {
				t.Fatalf("%d orders still live", n)
			}
		})
	}
}

func TestCancelErrors(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	if _, err := e.Cancel("nope", at(0), nil); !errors.Is(err, ErrUnknownOrder) || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown: %v", err)
	}
	e.Submit(mkt(venue.Buy, "1"), "A", quote(0, "100", "101"), at(0), nil)
	got, err := e.Cancel("A", at(0), nil)
	if !errors.Is(err, ErrOrderFinal) || len(got) != 0 || !strings.Contains(err.Error(), `"A" is FILLED`) {
		t.Fatalf("filled: %v, %q", err, briefs(got))
	}
	e.Submit(limit(venue.Buy, "1", "90", venue.GTC), "B", quote(0, "100", "101"), at(0), nil)
	if _, err := e.Cancel("B", at(0), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Cancel("B", at(0), nil); !errors.Is(err, ErrOrderFinal) || !strings.Contains(err.Error(), "CANCELLED") {
		t.Fatalf("cancelled twice: %v", err)
	}
}

func TestFinishedIDsAreForgottenOldestFirst(t *testing.T) {
	e := newEngine(t, Config{FinishedIDs: 2})
	q := quote(0, "100", "101")
	for _, id := range []string{"A", "B", "C"} {
		e.Submit(mkt(venue.Buy, "1"), id, q, at(0), nil)
	}
	// A was forgotten when C finished; B and C are remembered.
	if _, err := e.Cancel("A", at(0), nil); !errors.Is(err, ErrUnknownOrder) {
		t.Fatalf("A: %v", err)
	}
	for _, id := range []string{"B", "C"} {
		if got := e.Submit(mkt(venue.Buy, "1"), id, q, at(0), nil); got[0].Reason != reasonDuplicateID {
			t.Fatalf("%s reused: %q", id, briefs(got))
		}
	}
	if got := e.Submit(mkt(venue.Buy, "1"), "A", q, at(0), nil); got[0].State != venue.StateAccepted {
		t.Fatalf("A after it was forgotten: %q", briefs(got))
	}
}

func TestOpenAndCancelAll(t *testing.T) {
	e := newEngine(t, Config{Latency: 5 * time.Millisecond})
	q := quote(0, "100", "101")
	e.Submit(limit(venue.Buy, "1", "99", venue.GTC), "A", q, at(0), nil)
	e.Submit(limit(venue.Sell, "2", "102", venue.GTC), "B", q, at(1), nil)
	other := limit(venue.Buy, "3", "10", venue.GTC)
	other.Symbol = "ETH-USD"
	e.Submit(other, "C", q, at(2), nil)
	e.OnEvent(ptr(quote(5, "100", "101")), nil) // A arrives; B is due at 6
	// B arrives on this trade, after it printed, so only the next fills it.
	e.OnEvent(ptr(trade(6, "102", "0.5", +1, "100", "101")), nil)
	e.OnEvent(ptr(trade(7, "102", "0.5", +1, "100", "101")), nil)

	open := e.Open(nil)
	if len(open) != 3 {
		t.Fatalf("open %+v", open)
	}
	want := []struct {
		id        string
		filled    string
		state     venue.OrderState
		submitted time.Time
		active    bool
	}{
		{"A", "0", venue.StateAccepted, at(0), true},
		{"B", "0.5", venue.StatePartiallyFilled, at(1), true},
		{"C", "0", venue.StateAccepted, at(2), false},
	}
	for i, w := range want {
		o := open[i]
		if o.ClientID != w.id || o.Filled != d(w.filled) || o.Filled.Add(o.Remaining) != o.Spec.Quantity ||
			o.State != w.state || o.Submitted != w.submitted || o.Arrival != w.submitted.Add(5*time.Millisecond) || o.Active != w.active {
			t.Errorf("open[%d] = %+v, want %+v", i, o, w)
		}
	}
	if e.OpenCount(sym) != 2 || e.OpenCount("ETH-USD") != 1 || e.OpenCount("SOL-USD") != 0 || e.OpenTotal() != 3 {
		t.Fatalf("counts %d %d %d", e.OpenCount(sym), e.OpenCount("ETH-USD"), e.OpenTotal())
	}
	wantReports(t, "CancelAll", e.CancelAll(at(8), nil),
		"A CANCELLED 0/1 (cancelled on request)",
		"B CANCELLED 0.5/1.5 (cancelled on request)",
		"C CANCELLED 0/3 (cancelled on request)")
	if len(e.Open(nil)) != 0 || e.OpenTotal() != 0 || e.OpenCount(sym) != 0 {
		t.Fatal("orders left after CancelAll")
	}
	// Nothing is left to fill.
	if got := e.OnEvent(ptr(trade(9, "1", "100", -1, "1", "2")), nil); len(got) != 0 {
		t.Fatalf("reports after CancelAll: %q", briefs(got))
	}
}

func TestDecisionPriceAndTimes(t *testing.T) {
	e := newEngine(t, Config{Latency: 10 * time.Millisecond, TakerFeeBps: 5})
	decision := quote(0, "100", "101")
	got := e.Submit(mkt(venue.Sell, "1"), "A", decision, at(3), nil)
	if got[0].DecisionPrice != d("100") || got[0].Time != at(3) {
		t.Fatalf("accepted %+v", got[0])
	}
	got = e.OnEvent(ptr(quote(12, "99", "100")), nil) // due at 13: not yet
	if len(got) != 0 {
		t.Fatalf("filled before arrival: %q", briefs(got))
	}
	got = e.OnEvent(ptr(quote(13, "98", "99")), nil)
	wantReports(t, "arrival", got, "A FILLED 1/0 1@98 fee 0.049 taker")
	if r := got[0]; r.DecisionPrice != d("100") || r.Time != at(13) || r.Slippage() != d("2") {
		t.Fatalf("fill %+v, slippage %s", r, r.Slippage())
	}
	// An order decided on another symbol's event has no decision price.
	other := quote(20, "5", "6")
	other.Symbol = "ETH-USD"
	got = e.Submit(mkt(venue.Buy, "1"), "B", other, at(20), nil)
	if !got[0].DecisionPrice.IsZero() {
		t.Fatalf("decision price %s from another symbol", got[0].DecisionPrice)
	}
}

func TestEventsOfOtherSymbolsDoNothing(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	e.Submit(limit(venue.Buy, "1", "100", venue.GTC), "A", quote(0, "100", "101"), at(0), nil)
	ev := trade(1, "1", "100", -1, "1", "2")
	ev.Symbol = "ETH-USD"
	if got := e.OnEvent(&ev, nil); len(got) != 0 {
		t.Fatalf("%q", briefs(got))
	}
	ev.Aggressor = 0
	ev.Symbol = sym
	if got := e.OnEvent(&ev, nil); len(got) != 0 {
		t.Fatalf("a trade without an aggressor filled: %q", briefs(got))
	}
}

func ptr[T any](v T) *T { return &v }
