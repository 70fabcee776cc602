package strategy

import (
	"strconv"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// benchLoop stands in for the coordinator, to measure what a strategy,
// the risk guard, the matching engine and the portfolio cost together per
// event: the figures the coordinator's budget is built on.
type benchLoop struct {
	engine  *matching.Engine
	guard   *risk.Guard
	book    *portfolio.Portfolio
	strat   Strategy
	reports []venue.ExecutionReport
	actions []Action
	ids     []string
	next    int
}

func newBenchLoop(b *testing.B, s Strategy) *benchLoop {
	cfg := matching.DefaultConfig()
	cfg.FinishedIDs = 1024
	e, err := matching.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond = 0 // the events are a nanosecond apart
	l := &benchLoop{engine: e, guard: risk.New(limits, money.FromInt(100_000)), book: portfolio.New("USD", money.FromInt(100_000)),
		strat: s, reports: make([]venue.ExecutionReport, 0, 16), actions: make([]Action, 0, 16)}
	for i := range 4096 {
		l.ids = append(l.ids, "o"+strconv.Itoa(i))
	}
	return l
}

func (l *benchLoop) Position(symbol string) money.Decimal  { return l.book.Position(symbol) }
func (l *benchLoop) OpenOrders(symbol string) int          { return l.engine.OpenCount(symbol) }
func (l *benchLoop) Cash() money.Decimal                   { return l.book.Cash() }
func (l *benchLoop) Filters(symbol string) venue.Filters   { return l.engine.Filters(symbol) }
func (l *benchLoop) Sellable(string) (money.Decimal, bool) { return money.Decimal{}, false }

func (l *benchLoop) apply(reports []venue.ExecutionReport) {
	for i := range reports {
		if reports[i].FillQuantity.IsPositive() {
			if err := l.book.Apply(reports[i].Fill()); err != nil {
				panic(err)
			}
		}
	}
}

func (l *benchLoop) on(ev *market.Event) {
	l.reports = l.engine.OnEvent(ev, l.reports[:0])
	l.apply(l.reports)
	l.guard.OnEquity(l.book.Cash(), ev.Time) // the portfolio has no allocation-free equity yet
	l.actions = l.strat.OnEvent(ev, l, l.actions[:0])
	for _, a := range l.actions {
		if a.Kind != ActionPlace {
			continue
		}
		if l.guard.Check(a.Order, ev.Ask, l.book.Position(ev.Symbol), l.engine.OpenTotal(), ev.Time) != nil {
			continue
		}
		id := l.ids[l.next%len(l.ids)]
		l.next++
		l.reports = l.engine.Submit(a.Order, id, *ev, ev.Time, l.reports[:0])
		l.apply(l.reports)
	}
}

// flipper buys 0.01 on one event and sells it on the next.
type flipper struct{ long bool }

func (f *flipper) OnEvent(ev *market.Event, _ Context, dst []Action) []Action {
	side := venue.Buy
	if f.long {
		side = venue.Sell
	}
	f.long = !f.long
	return append(dst, place(venue.OrderSpec{Symbol: ev.Symbol, Side: side, Type: venue.Market, TIF: venue.IOC, Quantity: money.FromUnits(1_000_000)}))
}

func loopEvents() []market.Event {
	out := zigzag(400)
	for i := range out {
		out[i].Time = time.Unix(1_700_000_000, int64(i)*1000)
		out[i].Book = &market.Book{
			Bids: []market.Level{{Price: out[i].Bid, Size: money.FromInt(1)}},
			Asks: []market.Level{{Price: out[i].Ask, Size: money.FromInt(1)}},
		}
	}
	return out
}

func BenchmarkLoopHold(b *testing.B) {
	l, events := newBenchLoop(b, Hold{}), loopEvents()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		l.on(&events[i%len(events)])
		i++
	}
}

func BenchmarkLoopOrderPerEvent(b *testing.B) {
	l, events := newBenchLoop(b, &flipper{}), loopEvents()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		l.on(&events[i%len(events)])
		i++
	}
}
