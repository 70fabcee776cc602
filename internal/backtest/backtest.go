// Package backtest runs a strategy over recorded or simulated market data
// with the same coordinator, risk guard, matching engine and portfolio as a
// live paper session, as fast as the machine allows, and measures the
// result. It owns the run and its statistics; it must never differ from a
// session in how an order is decided, checked, matched or booked.
package backtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
)

// Config is one backtest: a session's settings, and what only a backtest
// has.
type Config struct {
	Source market.Source
	// Settings are read as a session reads them: the strategy and its
	// parameters, the risk limits (nil: risk.DefaultLimits), the venue's
	// fees (nil: its defaults) and latency, the starting cash (zero:
	// settings.DefaultStartingCash) and the account. Symbols, intervals,
	// duration and seed belong to the Source, not to the run. Validate them
	// first (Settings.Validate): Run checks only what it must to run.
	Settings settings.Settings
	// Strategy, if set, is the strategy to run instead of the one the
	// settings name (a remote strategy in Lockstep, which the caller
	// hosts); the settings still name it in the result.
	Strategy strategy.Strategy
	// SampleEvery is the period of the equity samples the Sharpe ratio is
	// computed from, in event time. Zero: one minute. A period that would
	// take more than MaxSamples samples is doubled until it does not.
	SampleEvery time.Duration
	// Chart, if set, samples the run for drawing into Result.Chart (a
	// report). It costs a few tens of ns an event, so only when asked.
	Chart bool
	// MaxTrades, if positive, keeps the first MaxTrades trades in
	// Result.Trades (Result.Fills counts them all), and MaxFinishedOrders,
	// if positive, bounds the finished orders the run's order book keeps,
	// as a session's book does (open orders are always kept; nothing the
	// result shows reads the finished ones). Zero keeps every one, as
	// tradectl backtest does, which prints every trade; a run inside
	// tradingd bounds both, since it shares the daemon's memory with a
	// session (a day of nine simulated symbols holds 430,000 orders).
	MaxTrades, MaxFinishedOrders int
}

// ErrNoEvents is a run over data that held no market event: there is
// nothing to measure, and a result of zeros would look like one.
var ErrNoEvents = errors.New("no market events in the data")

// Trade is one fill.
type Trade struct {
	Time      time.Time     `json:"time"`
	OrderID   string        `json:"order_id"`
	Symbol    string        `json:"symbol"`
	Side      string        `json:"side"`
	Quantity  money.Decimal `json:"quantity"`
	Price     money.Decimal `json:"price"`
	Fee       money.Decimal `json:"fee"`
	Liquidity string        `json:"liquidity"`
	Slippage  money.Decimal `json:"slippage"`
}

// Result is what a backtest found. Everything but Performance depends only
// on the data and the configuration: the same inputs give the same bytes.
type Result struct {
	Strategy       string            `json:"strategy"`
	Params         map[string]string `json:"params"`
	FirstEvent     time.Time         `json:"first_event"`
	LastEvent      time.Time         `json:"last_event"`
	Events         uint64            `json:"events"`
	Orders         uint64            `json:"orders"`
	Rejected       uint64            `json:"rejected_by_risk"`
	Fills          int               `json:"fills"`
	StartingEquity money.Decimal     `json:"starting_equity"`
	FinalEquity    money.Decimal     `json:"final_equity"`
	NetPnL         money.Decimal     `json:"net_pnl"`
	RealizedPnL    money.Decimal     `json:"realized_pnl"`
	UnrealizedPnL  money.Decimal     `json:"unrealized_pnl"`
	Fees           money.Decimal     `json:"fees"`
	MaxDrawdown    money.Decimal     `json:"max_drawdown"`
	MaxDrawdownPct money.Decimal     `json:"max_drawdown_fraction"`
	// Sharpe is null when it is not meaningful; SharpeNote says why.
	Sharpe     *string `json:"sharpe_annualized"`
	SharpeNote string  `json:"sharpe_note,omitempty"`
	Samples    int     `json:"sharpe_samples"`
	// SampleEvery is the period the samples were taken at;
	// SampleEveryRequested is set only when that differs from the one
	// asked for, because it would have kept more than MaxSamples.
	SampleEvery          string      `json:"sharpe_sample_every"`
	SampleEveryRequested string      `json:"sharpe_sample_every_requested,omitempty"`
	KillSwitch           string      `json:"kill_switch,omitempty"`
	Positions            []Position  `json:"positions"`
	Trades               []Trade     `json:"trades"`
	Performance          Performance `json:"-"`
	// Chart is the run sampled for drawing (a report), bounded in size;
	// empty unless Config.Chart.
	Chart Chart `json:"-"`
}

// Position is what is held at the end, in the result's one casing.
type Position struct {
	Symbol        string        `json:"symbol"`
	Quantity      money.Decimal `json:"quantity"` // signed: negative is short
	AveragePrice  money.Decimal `json:"average_price"`
	MarkPrice     money.Decimal `json:"mark_price"`
	CostBasis     money.Decimal `json:"cost_basis"`
	UnrealizedPnL money.Decimal `json:"unrealized_pnl"`
	RealizedPnL   money.Decimal `json:"realized_pnl"`
	FeesPaid      money.Decimal `json:"fees_paid"`
}

// Performance is how fast the machine ran it: it varies run to run.
type Performance struct {
	Elapsed         time.Duration
	EventsPerSecond float64
}

// Run runs the backtest to the end of its source.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Source == nil {
		return nil, errors.New("backtest: no market data source")
	}
	set := cfg.Settings
	if set.StartingCash.IsZero() {
		set.StartingCash = settings.DefaultStartingCash
	}
	switch {
	case cfg.SampleEvery < 0:
		return nil, fmt.Errorf("backtest: sample period %s is negative", cfg.SampleEvery)
	case cfg.SampleEvery == 0:
		cfg.SampleEvery = time.Minute
	}
	limits := risk.DefaultLimits()
	if set.Risk != nil {
		limits = *set.Risk
	}
	if err := limits.Validate(); err != nil {
		return nil, err
	}
	// The session's venue, fees, latency and instrument rules alike.
	venue, err := matching.New(set.PaperVenue())
	if err != nil {
		return nil, err
	}
	strat := cfg.Strategy
	if strat == nil {
		if strat, err = strategy.New(set.Strategy, set.Params); err != nil {
			return nil, err
		}
	}
	guard := risk.New(limits, set.StartingCash)
	pf := portfolio.New("USD", set.StartingCash)
	if set.Params == nil {
		set.Params = map[string]string{} // {} in JSON, as with --param given
	}
	res := &Result{Strategy: set.Strategy, Params: set.Params, StartingEquity: set.StartingCash,
		Positions: []Position{}, Trades: []Trade{}}
	st := newStats(set.StartingCash, cfg.SampleEvery, MaxSamples)
	observe, source := st.observe, cfg.Source
	var rec *chartRecorder
	if cfg.Chart {
		rec = newChartRecorder(chartStart)
		source = recordingSource{cfg.Source, rec}
		observe = func(t time.Time, equity money.Decimal) {
			st.observe(t, equity)
			rec.onEquity(t, equity, st.dd.Peak)
		}
	}
	// Unbounded by default: a run is bounded by its data.
	keepFinished := math.MaxInt
	if cfg.MaxFinishedOrders > 0 {
		keepFinished = cfg.MaxFinishedOrders
	}
	coord, err := coordinator.New(coordinator.Config{
		OrderPrefix: "bt",
		Source:      source,
		Venue:       venue,
		Strategy:    strat,
		Portfolio:   pf,
		Risk:        guard,
		Orders:      orders.NewBook("backtest", keepFinished),
		Publish:     func(e orders.Event) { res.addTrade(e, cfg.MaxTrades) },
		Observe:     observe,
		Margin:      set.Margin(),
	})
	if err != nil {
		return nil, err
	}
	began := time.Now()
	if err := coord.Backtest(ctx); err != nil {
		return nil, err
	}
	elapsed := time.Since(began)
	stats := coord.Stats()
	if stats.Events == 0 {
		return nil, ErrNoEvents
	}
	snap := pf.Snapshot()
	// The last event's own orders filled after its equity was observed:
	// the final equity is one the account had, and the drawdown counts it
	// (else the final drop could exceed the max drawdown reported).
	st.observe(st.last, snap.Equity)
	res.Events, res.Orders, res.Rejected = stats.Events, stats.Orders, stats.Rejects
	res.FirstEvent, res.LastEvent = st.first, st.last
	res.FinalEquity, res.NetPnL = snap.Equity, snap.Equity.Sub(set.StartingCash)
	res.RealizedPnL, res.UnrealizedPnL, res.Fees = snap.RealizedPnL, snap.UnrealizedPnL, snap.FeesPaid
	for _, p := range snap.Positions {
		res.Positions = append(res.Positions, Position{Symbol: p.Symbol, Quantity: p.Quantity, AveragePrice: p.AveragePrice,
			MarkPrice: p.MarkPrice, CostBasis: p.CostBasis, UnrealizedPnL: p.UnrealizedPnL, RealizedPnL: p.RealizedPnL,
			FeesPaid: p.FeesPaid})
	}
	res.MaxDrawdown, res.MaxDrawdownPct = st.dd.MaxDrawdown, st.maxDDFraction()
	res.setSharpe(st)
	if rec != nil {
		rec.finish(st.last, snap.Equity, st.dd.Peak)
		res.Chart = rec.chart()
	}
	if guard.State() == risk.Halted {
		res.KillSwitch = guard.Reason()
	}
	res.Performance = Performance{Elapsed: elapsed, EventsPerSecond: float64(stats.Events) / elapsed.Seconds()}
	return res, nil
}

func (r *Result) setSharpe(st *stats) {
	ratio, n, ok := st.sharpe()
	r.Samples, r.SampleEvery = n, st.every.String()
	if st.every != st.requested {
		r.SampleEveryRequested = st.requested.String()
	}
	switch {
	case ok:
		s := fmt.Sprintf("%.4f", ratio)
		r.Sharpe = &s
	case n < MinSharpeSamples:
		r.SharpeNote = fmt.Sprintf("not meaningful from %d samples: it takes %d", n, MinSharpeSamples)
	default:
		r.SharpeNote = fmt.Sprintf("not meaningful: equity did not vary over %d samples", n)
	}
}

// addTrade counts a fill, and keeps it unless max (if positive) are kept.
func (r *Result) addTrade(e orders.Event, max int) {
	if !e.HasFill() {
		return
	}
	if r.Fills++; max > 0 && len(r.Trades) >= max {
		return
	}
	f := &e.Fill
	liq := "taker"
	if f.Liquidity == venue.Maker {
		liq = "maker"
	}
	r.Trades = append(r.Trades, Trade{
		Time: f.Time, OrderID: e.Order.ClientID, Symbol: e.Order.Spec.Symbol, Side: e.Order.Spec.Side.String(),
		Quantity: f.Quantity, Price: f.Price, Fee: f.Fee, Liquidity: liq, Slippage: f.Slippage,
	})
}
