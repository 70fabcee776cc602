package matching

import (
	"strconv"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"pgregory.net/rapid"
)

// tracked is what the property test knows of one order from its reports.
type tracked struct {
	spec   venue.OrderSpec
	state  venue.OrderState
	filled money.Decimal
}

// market is one symbol's simulated market in the property test, and what
// our fills took from its current book.
type simMarket struct {
	symbol   string
	mid      int64 // in halves of 1
	last     market.Event
	book     market.Book
	consumed map[venue.Side]money.Decimal                   // by fills that take from the book
	atPrice  map[venue.Side]map[money.Decimal]money.Decimal // by taker fills, per level
}

func rank(s venue.OrderState) int {
	switch s {
	case venue.StateAccepted:
		return 1
	case venue.StatePartiallyFilled:
		return 2
	case venue.StateFilled, venue.StateCancelled:
		return 3
	}
	return 0
}

func half(n int64) money.Decimal  { return money.FromUnits(n * 50_000_000) }
func tenth(n int64) money.Decimal { return money.FromUnits(n * 10_000_000) }

func TestPropEngineInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := Config{
			MakerFeeBps: rapid.Int64Range(0, 50).Draw(t, "maker"),
			TakerFeeBps: rapid.Int64Range(0, 50).Draw(t, "taker"),
			Latency:     time.Duration(rapid.IntRange(0, 3).Draw(t, "latency")) * 10 * time.Millisecond,
			FinishedIDs: rapid.IntRange(1, 20).Draw(t, "finished"),
		}
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		markets := []*simMarket{{symbol: "A-USD", mid: 200}, {symbol: "B-USD", mid: 40}}
		orders := map[string]*tracked{}
		var ids []string
		now := t0

		// check applies the invariants to every report of one call.
		// trigger is the event the call processed, or nil for Submit and
		// Cancel.
		check := func(rs []venue.ExecutionReport, trigger *market.Event, m *simMarket) {
			var tradeFilled money.Decimal
			for _, r := range rs {
				o := orders[r.ClientID]
				if o == nil || o.state.Final() {
					t.Fatalf("report for %s after it was final: %+v", r.ClientID, r)
				}
				if rank(r.State) < rank(o.state) || (rank(r.State) == rank(o.state) && r.State != venue.StatePartiallyFilled) {
					t.Fatalf("%s went from %s to %s", r.ClientID, o.state, r.State)
				}
				if r.Filled.Add(r.Remaining) != o.spec.Quantity || r.Remaining.IsNegative() {
					t.Fatalf("%s: filled %s + remaining %s != %s", r.ClientID, r.Filled, r.Remaining, o.spec.Quantity)
				}
				if r.FillQuantity.IsNegative() {
					t.Fatalf("negative fill %+v", r)
				}
				if r.FillQuantity.IsPositive() {
					checkFill(t, cfg, o, r, trigger, m)
					if trigger != nil && trigger.Kind == market.EventTrade && r.Liquidity == venue.Maker {
						tradeFilled = tradeFilled.Add(r.FillQuantity)
					}
				}
				o.filled = o.filled.Add(r.FillQuantity)
				if o.filled != r.Filled {
					t.Fatalf("%s: fills sum to %s, report says %s", r.ClientID, o.filled, r.Filled)
				}
				switch {
				case r.State == venue.StateFilled && r.Filled != o.spec.Quantity,
					r.State == venue.StatePartiallyFilled && (r.Filled.IsZero() || r.Filled == o.spec.Quantity):
					t.Fatalf("%s: %s with %s of %s filled", r.ClientID, r.State, r.Filled, o.spec.Quantity)
				}
				o.state = r.State
			}
			if trigger != nil && trigger.Kind == market.EventTrade && tradeFilled.Cmp(trigger.Size) > 0 {
				t.Fatalf("a trade of %s filled %s of resting orders", trigger.Size, tradeFilled)
			}
		}

		var dst []venue.ExecutionReport
		for i := range rapid.IntRange(1, 120).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(0, 15).Draw(t, "dt")) * time.Millisecond)
			m := markets[rapid.IntRange(0, len(markets)-1).Draw(t, "market")]
			switch rapid.IntRange(0, 9).Draw(t, "action") {
			case 0, 1, 2: // the book moves
				m.newBook(t, now)
				dst = e.OnEvent(&m.last, dst[:0])
				check(dst, &m.last, m)
			case 3, 4: // a trade prints
				if m.last.Kind == 0 {
					continue
				}
				ev := m.last
				ev.Kind, ev.Time = market.EventTrade, now // with the depth it traded against
				ev.Price = half(m.mid + rapid.Int64Range(-6, 6).Draw(t, "tradeAt"))
				ev.Size = tenth(rapid.Int64Range(1, 40).Draw(t, "tradeSize"))
				ev.Aggressor = int8(rapid.SampledFrom([]int{-1, 1, 0}).Draw(t, "aggressor"))
				m.last = ev
				dst = e.OnEvent(&ev, dst[:0])
				check(dst, &ev, m)
			case 5, 6, 7, 8: // an order
				spec := randomSpec(t, m)
				id := "o" + strconv.Itoa(i)
				if len(ids) > 0 && rapid.IntRange(0, 9).Draw(t, "reuse") == 0 {
					id = rapid.SampledFrom(ids).Draw(t, "reused")
				}
				prev := orders[id]
				dst = e.Submit(spec, id, m.last, now, dst[:0])
				if len(dst) == 0 || dst[0].ClientID != id {
					t.Fatalf("submit of %s: %+v", id, dst)
				}
				if r := dst[0]; r.State == venue.StateRejected {
					// A refusal is about this submission, not the order
					// that may already have the id.
					if len(dst) != 1 || !r.Filled.IsZero() || r.Remaining != spec.Quantity || r.Reason == "" {
						t.Fatalf("rejection %+v", dst)
					}
					continue
				}
				if prev != nil && !prev.state.Final() {
					t.Fatalf("%s accepted twice while live", id)
				}
				if prev == nil {
					ids = append(ids, id)
				}
				orders[id] = &tracked{spec: spec} // a forgotten id may be reused
				var trigger *market.Event
				if m.last.Kind != 0 && spec.Symbol == m.last.Symbol && !m.last.Time.Before(now.Add(cfg.Latency)) {
					trigger = &m.last
				}
				check(dst, trigger, m)
			case 9: // a cancel
				if len(ids) == 0 {
					continue
				}
				id := rapid.SampledFrom(ids).Draw(t, "cancel")
				var err error
				dst, err = e.Cancel(id, now, dst[:0])
				if o := orders[id]; err == nil && (o.state.Final() || len(dst) != 1 || dst[0].State != venue.StateCancelled) {
					t.Fatalf("cancel of %s in %s: %+v", id, o.state, dst)
				} else if err != nil && o.state != 0 && !o.state.Final() {
					t.Fatalf("cancel of live %s: %v", id, err)
				}
				check(dst, nil, m)
			}
			live := 0
			for _, o := range orders {
				if o.state != 0 && !o.state.Final() {
					live++
				}
			}
			open := e.Open(nil)
			if len(open) != live || e.OpenTotal() != live {
				t.Fatalf("%d open, %d total, %d live by the reports", len(open), e.OpenTotal(), live)
			}
			for _, o := range open {
				if tr := orders[o.ClientID]; tr.state != o.State || tr.filled != o.Filled || o.Filled.Add(o.Remaining) != o.Spec.Quantity {
					t.Fatalf("open %+v, reports say %s %s", o, tr.state, tr.filled)
				}
			}
		}
	})
}

// checkFill checks one fill's price, fee and the liquidity it took.
func checkFill(t *rapid.T, cfg Config, o *tracked, r venue.ExecutionReport, trigger *market.Event, m *simMarket) {
	s := o.spec
	bps := cfg.TakerFeeBps
	if r.Liquidity == venue.Maker {
		bps = cfg.MakerFeeBps
		if s.Type != venue.Limit || r.FillPrice != s.Price {
			t.Fatalf("maker fill %+v of %+v not at its limit", r, s)
		}
	} else if s.PostOnly {
		t.Fatalf("post-only order took liquidity: %+v", r)
	}
	if r.Fee != r.FillQuantity.Mul(r.FillPrice).MulBps(bps) {
		t.Fatalf("fee %s on %s@%s at %d bps", r.Fee, r.FillQuantity, r.FillPrice, bps)
	}
	if s.Type == venue.Limit && !within(s.Side, r.FillPrice, s.Price) {
		t.Fatalf("%s fill at %s beyond limit %s", s.Side, r.FillPrice, s.Price)
	}
	if trigger == nil {
		t.Fatalf("fill outside of an event's processing: %+v", r)
	}
	if r.Time != trigger.Time {
		t.Fatalf("fill time %s, event %s", r.Time, trigger.Time)
	}
	if r.Liquidity == venue.Maker && trigger.Kind == market.EventTrade {
		if int8(-s.Side) != trigger.Aggressor || !within(s.Side, trigger.Price, s.Price) {
			t.Fatalf("%s at %s filled by a trade at %s, aggressor %d", s.Side, s.Price, trigger.Price, trigger.Aggressor)
		}
		return
	}
	// Everything else took from the book: never more than it held.
	side := m.book.Asks
	if s.Side == venue.Sell {
		side = m.book.Bids
	}
	var total money.Decimal
	for _, lv := range side {
		total = total.Add(lv.Size)
	}
	m.consumed[s.Side] = m.consumed[s.Side].Add(r.FillQuantity)
	if m.consumed[s.Side].Cmp(total) > 0 {
		t.Fatalf("%s fills took %s from a side holding %s", s.Side, m.consumed[s.Side], total)
	}
	if r.Liquidity == venue.Taker {
		at := m.atPrice[s.Side]
		at[r.FillPrice] = at[r.FillPrice].Add(r.FillQuantity)
		var size money.Decimal
		for _, lv := range side {
			if lv.Price == r.FillPrice {
				size = lv.Size
			}
		}
		if at[r.FillPrice].Cmp(size) > 0 {
			t.Fatalf("took %s at %s from a level of %s", at[r.FillPrice], r.FillPrice, size)
		}
	}
}

// newBook moves the mid by a random walk and draws up to 4 levels a side.
func (m *simMarket) newBook(t *rapid.T, now time.Time) {
	m.mid = max(10, m.mid+rapid.Int64Range(-3, 3).Draw(t, "move"))
	m.book = market.Book{}
	for i := range rapid.IntRange(0, 4).Draw(t, "bids") {
		m.book.Bids = append(m.book.Bids, market.Level{Price: half(m.mid - 1 - int64(i)), Size: tenth(rapid.Int64Range(1, 30).Draw(t, "size"))})
	}
	for i := range rapid.IntRange(0, 4).Draw(t, "asks") {
		m.book.Asks = append(m.book.Asks, market.Level{Price: half(m.mid + 1 + int64(i)), Size: tenth(rapid.Int64Range(1, 30).Draw(t, "size"))})
	}
	m.last = market.Event{Kind: market.EventBook, Symbol: m.symbol, Time: now, Book: &m.book}
	if len(m.book.Bids) > 0 {
		m.last.Bid = m.book.Bids[0].Price
	}
	if len(m.book.Asks) > 0 {
		m.last.Ask = m.book.Asks[0].Price
	}
	m.consumed = map[venue.Side]money.Decimal{}
	m.atPrice = map[venue.Side]map[money.Decimal]money.Decimal{venue.Buy: {}, venue.Sell: {}}
}

func randomSpec(t *rapid.T, m *simMarket) venue.OrderSpec {
	s := venue.OrderSpec{
		Symbol:   m.symbol,
		Side:     rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(t, "side"),
		Quantity: tenth(rapid.Int64Range(0, 40).Draw(t, "qty")), // 0 is rejected
	}
	if rapid.IntRange(0, 3).Draw(t, "type") == 0 {
		s.Type, s.TIF = venue.Market, venue.IOC
		return s
	}
	s.Type = venue.Limit
	s.Price = half(max(1, m.mid+rapid.Int64Range(-6, 6).Draw(t, "price")))
	s.TIF = rapid.SampledFrom([]venue.TimeInForce{venue.GTC, venue.IOC}).Draw(t, "tif")
	s.PostOnly = s.TIF == venue.GTC && rapid.Bool().Draw(t, "postOnly")
	return s
}
