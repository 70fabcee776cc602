// Package backtests runs backtests inside the daemon (RunBacktest): the
// paper market's simulator under internal/backtest, the engine of a paper
// session and of tradectl backtest, so that the same settings give the
// same figures everywhere. It owns the one-at-a-time slot and the refusals
// of what only a running session has. It must never touch a session, the
// store or the trading loop: a backtest shares only the CPU with them.
package backtests

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/settings"
)

// ErrBusy is a backtest asked for while another runs: each takes a core
// for as long as it runs, and the daemon's first job is its session.
var ErrBusy = errors.New("another backtest is running in the daemon: retry when it is done")

// Request is one backtest: the settings as a paper session takes them
// (validated here, by the session's rules), and the market time to
// simulate.
type Request struct {
	Settings    settings.Settings
	SimDuration time.Duration
	// SampleEvery is the period of the Sharpe ratio's samples; 0: 1m.
	SampleEvery time.Duration
}

// Runner runs one backtest at a time. The zero value is ready.
type Runner struct {
	busy atomic.Bool
}

// Run validates req as StartTrading validates a session's settings, then
// runs it to the end of its market time, or until ctx is done (its error
// then wraps ctx.Err()). A second Run while one is under way fails with
// ErrBusy at once.
func (r *Runner) Run(ctx context.Context, req Request) (*backtest.Result, error) {
	s := req.Settings
	if err := refuseSessionOnly(s); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if !r.busy.CompareAndSwap(false, true) {
		return nil, ErrBusy
	}
	defer r.busy.Store(false)
	// As tradectl backtest reads them: what a session would default is
	// defaulted alike (its strategy, its symbols), and the seed, which a
	// session picks at random, is a fixed one so that a run repeats.
	if s.Strategy == "" {
		s.Strategy = settings.DefaultStrategy
	}
	symbols := s.Symbols
	if len(symbols) == 0 {
		symbols = settings.DefaultSymbols
	}
	seed := s.Seed
	if seed == 0 {
		seed = backtest.DefaultSimSeed
	}
	src, err := backtest.NewSim(seed, symbols, req.SimDuration)
	if err != nil {
		return nil, err
	}
	res, err := backtest.Run(ctx, backtest.Config{Source: &yielding{src: src}, Settings: s,
		SampleEvery: req.SampleEvery, Chart: true})
	if err == nil {
		err = ctx.Err() // a run that ended as its deadline passed is not a result the caller waits for
	}
	return res, err
}

// refuseSessionOnly refuses what a backtest cannot honour: a live venue,
// the timing of a running session, and a strategy outside the daemon (it
// would have to attach to the daemon for the run: tradectl backtest hosts
// one in lockstep instead).
func refuseSessionOnly(s settings.Settings) error {
	const why = "is a running session's; a backtest runs for sim_duration of market time, as fast as it can"
	switch {
	case s.Mode == settings.ModeLive:
		return &settings.InvalidError{Field: "settings.mode", Reason: "a backtest runs on the paper market's simulator: MODE_PAPER or unset"}
	case s.Duration != 0:
		return &settings.InvalidError{Field: "settings.duration", Reason: why}
	case s.HealthInterval != 0:
		return &settings.InvalidError{Field: "settings.health_interval", Reason: why}
	case s.TickInterval != 0:
		return &settings.InvalidError{Field: "settings.tick_interval", Reason: why}
	case s.AutoRestart:
		return &settings.InvalidError{Field: "settings.auto_restart", Reason: why}
	case s.IsRemote():
		return &settings.InvalidError{Field: "settings.strategy",
			Reason: "a remote strategy cannot be backtested in the daemon: use tradectl backtest --strategy " + s.Strategy}
	case s.OnDetach != 0:
		return &settings.InvalidError{Field: "settings.on_detach", Reason: "is a remote strategy's; a backtest runs a built-in one"}
	case s.AttachGrace != 0:
		return &settings.InvalidError{Field: "settings.attach_grace", Reason: "is a remote strategy's; a backtest runs a built-in one"}
	case s.AnswerTimeout != 0:
		return &settings.InvalidError{Field: "settings.answer_timeout", Reason: "is a remote strategy's; a backtest runs a built-in one"}
	}
	return nil
}

// yieldEvery is how many events a backtest runs before it lets the
// scheduler run another goroutine. Go preempts a busy goroutine after 10ms;
// with every core busy, a session's tick that wakes meanwhile waits up to
// that long. Yielding every 1024 events (about 0.8ms at the 1.3M events/s
// tradectl backtest --sim measures) bounds the wait near 1ms, for a yield
// (~100ns) per 1024 events: nothing a backtest would notice.
const yieldEvery = 1024

// yielding is a source that yields the processor every yieldEvery events.
type yielding struct {
	src market.Source
	n   int
}

func (y *yielding) Next(ctx context.Context, until time.Time) (market.Event, bool, error) {
	if y.n++; y.n%yieldEvery == 0 {
		runtime.Gosched()
	}
	return y.src.Next(ctx, until)
}
