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
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
)

// ErrBusy is a backtest asked for while another runs: each takes a core
// for as long as it runs, and the daemon's first job is its session.
var ErrBusy = errors.New("another backtest is running in the daemon: retry when it is done")

// ErrClosed is a backtest asked for, or cut short, as the daemon shuts
// down (Close).
var ErrClosed = errors.New("the daemon is shutting down: it runs no more backtests")

// MaxTrades bounds the trades a result keeps (the first ones; the result
// counts them all), as tradectl backtest --report marks at most as many:
// with the curves' bound (backtest.MaxChartPoints) it bounds RunBacktest's
// response whatever the run's length.
const MaxTrades = 5000

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
	mu     sync.Mutex
	closed bool
	// cancel ends the backtest under way; nil when none runs.
	cancel context.CancelCauseFunc
}

// Close ends the backtest under way (its Run returns ErrClosed) and
// refuses every later one: the daemon calls it as it shuts down, so that
// its graceful stop does not wait out a backtest.
func (r *Runner) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.cancel != nil {
		r.cancel(ErrClosed)
	}
}

// acquire takes the one slot, with a context that Close cancels.
func (r *Runner) acquire(ctx context.Context) (context.Context, func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return nil, nil, ErrClosed
	case r.cancel != nil:
		return nil, nil, ErrBusy
	}
	ctx, cancel := context.WithCancelCause(ctx)
	r.cancel = cancel
	return ctx, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		cancel(nil)
		r.cancel = nil
	}, nil
}

// Run validates req as StartTrading validates a session's settings, then
// runs it to the end of its market time, or until ctx is done (the error
// is then ctx's cause: context.DeadlineExceeded, context.Canceled) or
// Close is called (ErrClosed). A second Run while one is under way fails
// with ErrBusy at once.
func (r *Runner) Run(ctx context.Context, req Request) (*backtest.Result, error) {
	s := req.Settings
	if err := refuseSessionOnly(s); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkSamples(req); err != nil {
		return nil, err
	}
	ctx, release, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
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
	// The memory it holds is bounded as a session's is: a day of nine
	// symbols peaked at 195 MiB of heap keeping every order and trade, at
	// 23 MiB with these bounds, for the same figures (measured).
	res, err := backtest.Run(ctx, backtest.Config{Source: &yielding{src: src}, Settings: s,
		SampleEvery: req.SampleEvery, Chart: true, MaxTrades: MaxTrades, MaxFinishedOrders: assemble.MaxFinishedOrders})
	if err != nil || ctx.Err() != nil {
		// Why the run was cut (the caller's deadline or cancellation, or
		// Close), whatever error it surfaced as; a run that ended as its
		// deadline passed is no result the caller still waits for.
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
		return nil, err
	}
	return res, nil
}

// checkSamples refuses a Sharpe period finer than the run can keep:
// backtest.Run would double it until the samples over SimDuration fit in
// backtest.MaxSamples, and the response's Sharpe ratio would be over
// another period than the one asked for, said only in a summary row.
// samples = SimDuration/SampleEvery + 1 at most, so the least period is
// SimDuration/MaxSamples + 1ns.
func checkSamples(req Request) error {
	every := req.SampleEvery
	if every <= 0 || req.SimDuration/every < backtest.MaxSamples {
		return nil // unset is 1m: 1,441 samples over the longest run
	}
	least := req.SimDuration/backtest.MaxSamples + 1
	return &settings.InvalidError{Field: "sample_every", Reason: fmt.Sprintf(
		"%s over %s of market time would take more than %d samples: at least %s", every, req.SimDuration,
		backtest.MaxSamples, least)}
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
