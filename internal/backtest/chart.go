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
// where the run did).
type chartRecorder struct {
	every      time.Duration
	first      time.Time
	started    bool
	equity     []EquityPoint
	lastEquity *EquityPoint
	prices     []PriceSeries
	lastPrice  []PricePoint
	index      map[string]int
}

func newChartRecorder(every time.Duration) *chartRecorder {
	return &chartRecorder{every: every, index: map[string]int{}}
}

// bucket is the grid period t falls in.
func (c *chartRecorder) bucket(t time.Time) int64 {
	d := t.Sub(c.first) // saturates: far times share the last bucket
	return int64(max(d, 0) / c.every)
}

func (c *chartRecorder) start(t time.Time) {
	if !c.started {
		c.first, c.started = t, true
	}
}

// onEquity runs on the loop for every event.
func (c *chartRecorder) onEquity(t time.Time, equity, peak money.Decimal) {
	c.start(t)
	p := EquityPoint{Time: t, Equity: equity, Drawdown: peak.Sub(equity)}
	if n := len(c.equity); n == 0 || c.bucket(c.equity[n-1].Time) != c.bucket(t) {
		c.equity = append(c.equity, p)
		c.lastEquity = nil
		if len(c.equity) > MaxChartPoints {
			c.coarsen()
		}
		return
	}
	if c.lastEquity == nil {
		c.lastEquity = new(EquityPoint)
	}
	*c.lastEquity = p
}

// onMarket runs for every market event the source hands the loop.
func (c *chartRecorder) onMarket(ev *market.Event) {
	if ev.Kind == market.EventHeartbeat {
		return
	}
	c.start(ev.Time)
	i, ok := c.index[ev.Symbol]
	if !ok {
		i = len(c.prices)
		c.index[ev.Symbol] = i
		c.prices = append(c.prices, PriceSeries{Symbol: ev.Symbol})
		c.lastPrice = append(c.lastPrice, PricePoint{})
	}
	mid := ev.Price
	if ev.Bid.IsPositive() && ev.Ask.IsPositive() {
		mid = ev.Bid.Add(ev.Ask).Half()
	}
	if mid.IsZero() {
		return
	}
	p := PricePoint{Time: ev.Time, Price: mid}
	s := &c.prices[i]
	if n := len(s.Points); n == 0 || c.bucket(s.Points[n-1].Time) != c.bucket(ev.Time) {
		s.Points = append(s.Points, p)
		c.lastPrice[i] = PricePoint{}
		if len(s.Points) > MaxChartPoints {
			c.coarsen()
		}
		return
	}
	c.lastPrice[i] = p
}

// coarsen doubles the period and keeps, in every series, the first point
// of each new period: the points a doubled period would have taken.
func (c *chartRecorder) coarsen() {
	for len(c.equity) > MaxChartPoints || c.longestPrices() > MaxChartPoints {
		c.every *= 2
		kept := c.equity[:0]
		for _, p := range c.equity {
			if n := len(kept); n == 0 || c.bucket(kept[n-1].Time) != c.bucket(p.Time) {
				kept = append(kept, p)
			}
		}
		c.equity = kept
		for i := range c.prices {
			pts := c.prices[i].Points[:0]
			for _, p := range c.prices[i].Points {
				if n := len(pts); n == 0 || c.bucket(pts[n-1].Time) != c.bucket(p.Time) {
					pts = append(pts, p)
				}
			}
			c.prices[i].Points = pts
		}
	}
}

func (c *chartRecorder) longestPrices() int {
	n := 0
	for _, s := range c.prices {
		n = max(n, len(s.Points))
	}
	return n
}

// chart closes every series on its last event.
func (c *chartRecorder) chart() Chart {
	ch := Chart{Every: c.every, Equity: c.equity, Prices: c.prices}
	if c.lastEquity != nil {
		ch.Equity = append(ch.Equity, *c.lastEquity)
	}
	for i, p := range c.lastPrice {
		if !p.Time.IsZero() {
			ch.Prices[i].Points = append(ch.Prices[i].Points, p)
		}
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
