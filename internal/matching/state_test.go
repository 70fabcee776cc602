package matching

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
	"pgregory.net/rapid"
)

// twins drives engines with the same random orders, cancels and events and
// fails as soon as their reports, errors or open orders differ.
type twins struct {
	t       *rapid.T
	engines []*Engine
	markets []*simMarket
	ids     []string
	now     time.Time
	n       int
}

func (w *twins) same(what string, f func(e *Engine) ([]venue.ExecutionReport, error)) {
	got0, err0 := f(w.engines[0])
	for _, e := range w.engines[1:] {
		got, err := f(e)
		if !reflect.DeepEqual(got, got0) || (err == nil) != (err0 == nil) || (err != nil && err.Error() != err0.Error()) {
			w.t.Fatalf("%s: restored engine gave\n%+v %v\noriginal\n%+v %v", what, got, err, got0, err0)
		}
		if open, open0 := e.Open(nil), w.engines[0].Open(nil); !reflect.DeepEqual(open, open0) {
			w.t.Fatalf("after %s: restored engine has open\n%+v\noriginal\n%+v", what, open, open0)
		}
	}
}

func (w *twins) book(m *simMarket) {
	m.newBook(w.t, w.now)
	w.same("book", func(e *Engine) ([]venue.ExecutionReport, error) { return e.OnEvent(&m.last, nil), nil })
}

func (w *twins) step() {
	t := w.t
	w.n++
	w.now = w.now.Add(time.Duration(rapid.IntRange(0, 15).Draw(t, "dt")) * time.Millisecond)
	m := rapid.SampledFrom(w.markets).Draw(t, "market")
	switch rapid.IntRange(0, 9).Draw(t, "action") {
	case 0, 1, 2:
		w.book(m)
	case 3, 4:
		if m.last.Kind == 0 {
			return
		}
		ev := m.last
		ev.Kind, ev.Time = market.EventTrade, w.now
		ev.Price = half(m.mid + rapid.Int64Range(-6, 6).Draw(t, "tradeAt"))
		ev.Size = tenth(rapid.Int64Range(1, 40).Draw(t, "tradeSize"))
		ev.Aggressor = int8(rapid.SampledFrom([]int{-1, 1, 0}).Draw(t, "aggressor"))
		m.last = ev
		w.same("trade", func(e *Engine) ([]venue.ExecutionReport, error) { return e.OnEvent(&ev, nil), nil })
	case 5, 6, 7, 8:
		spec := randomSpec(t, m)
		id := "o" + strconv.Itoa(w.n)
		if len(w.ids) > 0 && rapid.IntRange(0, 4).Draw(t, "reuse") == 0 {
			id = rapid.SampledFrom(w.ids).Draw(t, "reused")
		} else {
			w.ids = append(w.ids, id)
		}
		// Decided on the latest event of any symbol: on another
		// symbol's, the order goes in flight even without latency.
		decision := rapid.SampledFrom(w.markets).Draw(t, "decidedOn").last
		w.same("submit "+id, func(e *Engine) ([]venue.ExecutionReport, error) {
			return e.Submit(spec, id, decision, w.now, nil), nil
		})
	case 9:
		if len(w.ids) == 0 {
			return
		}
		id := rapid.SampledFrom(w.ids).Draw(t, "cancel")
		w.same("cancel "+id, func(e *Engine) ([]venue.ExecutionReport, error) { return e.Cancel(id, w.now, nil) })
	}
}

// TestPropStateRoundTrip: any reachable engine survives State, a JSON
// store and Restore, and then, once each symbol has had its fresh book,
// answers every further order, cancel and event exactly as the original.
func TestPropStateRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := Config{
			MakerFeeBps: rapid.Int64Range(0, 50).Draw(t, "maker"),
			TakerFeeBps: rapid.Int64Range(0, 50).Draw(t, "taker"),
			Latency:     time.Duration(rapid.IntRange(0, 3).Draw(t, "latency")) * 10 * time.Millisecond,
			FinishedIDs: rapid.IntRange(1, 10).Draw(t, "finished"),
		}
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		w := &twins{t: t, engines: []*Engine{e}, now: t0,
			markets: []*simMarket{{symbol: "A-USD", mid: 200}, {symbol: "B-USD", mid: 40}}}
		for range rapid.IntRange(0, 100).Draw(t, "before") {
			w.step()
		}
		s := w.engines[0].State()
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back State
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		r, err := Restore(cfg, back)
		if err != nil {
			t.Fatalf("Restore(%s): %v", b, err)
		}
		if !reflect.DeepEqual(r.State(), s) {
			t.Fatalf("State after restore\n%+v\nwant\n%+v", r.State(), s)
		}
		w.engines = append(w.engines, r)
		for _, m := range w.markets {
			w.book(m) // the restarted feed's first event
		}
		for range rapid.IntRange(0, 100).Draw(t, "after") {
			w.step()
		}
	})
}

func TestRestoreRefusesInconsistentState(t *testing.T) {
	e := newEngine(t, Config{Latency: 10 * time.Millisecond})
	e.Submit(limit(venue.Buy, "1", "100", venue.GTC), "b1", market.Event{}, at(0), nil)
	e.Submit(limit(venue.Buy, "1", "99", venue.GTC), "b2", market.Event{}, at(0), nil)
	e.Submit(limit(venue.Buy, "2", "100", venue.GTC), "b3", market.Event{}, at(1), nil)
	e.Submit(mkt(venue.Sell, "1"), "done", market.Event{}, at(1), nil)
	ev := depth(20, levels("98x1"), levels("101x1"))
	e.OnEvent(&ev, nil) // b1, b2, b3 rest; done fills
	e.Submit(limit(venue.Sell, "1", "105", venue.GTC), "s1", market.Event{}, at(21), nil)
	if _, err := Restore(e.Config(), e.State()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		edit       func(s *State)
	}{
		{"bad spec", `"b1": Spec: quantity`, func(s *State) { s.Orders[0].Spec.Quantity = d("0") }},
		{"live id reused", `"b1": Spec: duplicate`, func(s *State) { s.Orders[1].ClientID = "b1" }},
		{"finished id live", `"done": Spec: duplicate`, func(s *State) { s.Orders[1].ClientID = "done" }},
		{"seq order", `"b2": Seq`, func(s *State) { s.Orders[1].Seq = s.Orders[0].Seq }},
		{"seq beyond", `"s1": Seq`, func(s *State) { s.Seq-- }},
		{"overfilled", `"b1": Filled`, func(s *State) { s.Orders[0].Filled, s.Orders[0].State = d("1"), venue.StatePartiallyFilled }},
		{"state", `"b1": State`, func(s *State) { s.Orders[0].State = venue.StatePartiallyFilled }},
		{"arrival", `"s1": Arrival`, func(s *State) { s.Orders[3].Arrival = at(0) }},
		{"in flight fill", `"s1": in flight`, func(s *State) { s.Orders[3].Filled, s.Orders[3].State = d("0.5"), venue.StatePartiallyFilled }},
		{"resting IOC", `"b1": Active`, func(s *State) { s.Orders[0].Spec.TIF = venue.IOC }},
		{"queue gap", `Queue 3`, func(s *State) { s.Orders[1].Queue = 3 }},
		{"queue priority", `"b3": Queue 2: price`, func(s *State) { s.Orders[1].Queue, s.Orders[2].Queue = 1, 2 }},
		{"finished state", `finished order "done"`, func(s *State) { s.Finished[0].State = venue.StateRejected }},
		{"finished twice", `finished order "done"`, func(s *State) { s.Finished = append(s.Finished, s.Finished[0]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := e.State()
			tc.edit(&s)
			if _, err := Restore(e.Config(), s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Restore = %v, want an error containing %s", err, tc.want)
			}
		})
	}
	// An id seen finished is refused even when a smaller FinishedIDs
	// forgets it on restore: no engine ever held both.
	s := e.State()
	s.Finished = append([]FinishedOrder{{ClientID: "b1", State: venue.StateFilled}}, s.Finished...)
	if _, err := Restore(Config{FinishedIDs: 1}, s); err == nil || !strings.Contains(err.Error(), `"b1": ClientID is already used`) {
		t.Fatalf("Restore = %v, want b1 refused as already used", err)
	}
}
