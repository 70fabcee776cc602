package backtest

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// MaxChartPoints bounds the points a chart series keeps, whatever the
// length of the run: a report of a year of ticks draws as fast, and weighs
// as little, as one of an hour. Past the bound the period doubles.
const MaxChartPoints = 2000

// chartStart is the chart's first period: fine enough for a few minutes of
// ticks; it doubles as the run goes on.
const chartStart = time.Millisecond

// Chart is what a report draws: equity, drawdown and each symbol's price,
// sampled on one grid of period Every from the first event. It is for
// drawing only; the figures of the summary come from the full run.
type Chart struct {
	// Every is the period the points were sampled at: the shortest that
	// keeps every series within MaxChartPoints.
	Every time.Duration
	// Equity holds the equity and the drawdown from the running peak (of
	// every event, not only the sampled ones) at each point.
	Equity []EquityPoint
	// Prices holds each symbol's mid price, symbols in the order they
	// first appeared.
	Prices []PriceSeries
}

// EquityPoint is the account at one sampled event.
type EquityPoint struct {
	Time     time.Time
	Equity   money.Decimal
	Drawdown money.Decimal
}

// PricePoint is a symbol's mid price at one sampled event.
type PricePoint struct {
	Time  time.Time
	Price money.Decimal
}

// PriceSeries is one symbol's sampled prices.
type PriceSeries struct {
	Symbol string
	Points []PricePoint
}

// chartRecorder samples a run for its Chart. A series takes the first event
// in each period of the grid, and always its last event (the curve ends
// where the run did). It runs on the loop for every event: the common case
// (an event inside the current period) compares two times and copies a
// point, and nothing is allocated but the rare growth of a series.
type chartRecorder struct {
	every   time.Duration
	first   time.Time
	started bool
	equity  series[EquityPoint]
	// prices are looked up by a scan: a backtest has a handful of symbols,
	// and comparing short strings beats hashing them.
	prices  []series[quote]
	symbols []string
}

// quote is a price point before its mid is worked out (at the end, for the
// points kept only).
type quote struct {
	t               time.Time
	bid, ask, price money.Decimal
}

func (q quote) point() PricePoint {
	mid := q.price
	if q.bid.IsPositive() && q.ask.IsPositive() {
		mid = q.bid.Add(q.ask).Half()
	}
	return PricePoint{Time: q.t, Price: mid}
}

// series is one curve: its kept points, the start of the next period, and
// the latest event since the last kept point.
type series[P any] struct {
	points  []P
	next    time.Time
	last    P
	hasLast bool
}

func newChartRecorder(every time.Duration) *chartRecorder {
	return &chartRecorder{every: every}
}

// nextPeriod is the start of the grid period after the one t falls in.
func (c *chartRecorder) nextPeriod(t time.Time) time.Time {
	d := max(t.Sub(c.first), 0) // saturates: far times share the last period
	n := d/c.every + 1
	if n > (1<<63-1)/c.every {
		return time.Unix(1<<62, 0) // past any event
	}
	return c.first.Add(n * c.every)
}

// add keeps p if t opens a new period of s, else remembers it as s's last.
// It reports whether s grew past MaxChartPoints.
func add[P any](c *chartRecorder, s *series[P], t time.Time, p P) bool {
	if len(s.points) > 0 && t.Before(s.next) {
		s.last, s.hasLast = p, true
		return false
	}
	s.points = append(s.points, p)
	s.hasLast = false
	s.next = c.nextPeriod(t)
	return len(s.points) > MaxChartPoints
}

func (c *chartRecorder) start(t time.Time) {
	if !c.started {
		c.first, c.started = t, true
	}
}

// onEquity runs on the loop for every event.
func (c *chartRecorder) onEquity(t time.Time, equity, peak money.Decimal) {
	c.start(t)
	if add(c, &c.equity, t, EquityPoint{Time: t, Equity: equity, Drawdown: peak.Sub(equity)}) {
		c.coarsen()
	}
}

// onMarket runs for every market event the source hands the loop.
func (c *chartRecorder) onMarket(ev *market.Event) {
	if ev.Kind == market.EventHeartbeat {
		return
	}
	c.start(ev.Time)
	i := 0
	for i < len(c.symbols) && c.symbols[i] != ev.Symbol {
		i++
	}
	if i == len(c.symbols) {
		c.symbols = append(c.symbols, ev.Symbol)
		c.prices = append(c.prices, series[quote]{})
	}
	if add(c, &c.prices[i], ev.Time, quote{t: ev.Time, bid: ev.Bid, ask: ev.Ask, price: ev.Price}) {
		c.coarsen()
	}
}

// coarsen doubles the period and keeps, in every series, the first point
// of each new period: the points a doubled period would have taken.
func (c *chartRecorder) coarsen() {
	for c.longest() > MaxChartPoints {
		c.every *= 2
		thin(c, &c.equity, func(p EquityPoint) time.Time { return p.Time })
		for i := range c.prices {
			thin(c, &c.prices[i], func(q quote) time.Time { return q.t })
		}
	}
}

func thin[P any](c *chartRecorder, s *series[P], at func(P) time.Time) {
	kept := s.points[:0]
	var next time.Time
	for _, p := range s.points {
		if len(kept) == 0 || !at(p).Before(next) {
			kept = append(kept, p)
			next = c.nextPeriod(at(p))
		}
	}
	s.points, s.next = kept, next
}

func (c *chartRecorder) longest() int {
	n := len(c.equity.points)
	for _, s := range c.prices {
		n = max(n, len(s.points))
	}
	return n
}

// finish sets the equity at the end of the run (after the last event's own
// orders filled, which its observation came before), so that the curve
// ends on the result's final equity.
func (c *chartRecorder) finish(t time.Time, equity, peak money.Decimal) {
	p := EquityPoint{Time: t, Equity: equity, Drawdown: peak.Sub(equity)}
	e := &c.equity
	switch n := len(e.points); {
	case e.hasLast:
		e.last = p
	case n > 0 && e.points[n-1].Time.Equal(t):
		e.points[n-1] = p
	default:
		e.last, e.hasLast = p, true
	}
}

// chart closes every series on its last event.
func (c *chartRecorder) chart() Chart {
	ch := Chart{Every: c.every, Equity: c.equity.points}
	if c.equity.hasLast {
		ch.Equity = append(ch.Equity, c.equity.last)
	}
	for i, s := range c.prices {
		ps := PriceSeries{Symbol: c.symbols[i], Points: make([]PricePoint, 0, len(s.points)+1)}
		for _, q := range s.points {
			ps.Points = append(ps.Points, q.point())
		}
		if s.hasLast {
			ps.Points = append(ps.Points, s.last.point())
		}
		ch.Prices = append(ch.Prices, ps)
	}
	return ch
}

// recordingSource shows the recorder every event the loop is handed.
type recordingSource struct {
	market.Source
	rec *chartRecorder
}

func (s recordingSource) Next(ctx context.Context, until time.Time) (market.Event, bool, error) {
	ev, ok, err := s.Source.Next(ctx, until)
	if ok && err == nil {
		s.rec.onMarket(&ev)
	}
	return ev, ok, err
}
