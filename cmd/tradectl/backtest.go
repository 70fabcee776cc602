package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/replay"
	"github.com/tradectl/tradectl/internal/report"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/settings/settingspb"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// errInvalidInput marks input tradectl itself found wrong (a backtest runs
// in-process, with no daemon to say INVALID_ARGUMENT).
var errInvalidInput = errors.New("invalid input")

type invalidInput struct{ err error }

func (e invalidInput) Error() string   { return e.err.Error() }
func (e invalidInput) Unwrap() []error { return []error{errInvalidInput, e.err} }

// reportError marks a report that could not be written (exit 14).
type reportError struct{ err error }

func (e reportError) Error() string   { return e.err.Error() }
func (e reportError) Unwrap() []error { return []error{errReport, e.err} }

type backtestFlags struct {
	startFlags
	data        string
	sim         bool
	simDuration time.Duration
	sampleEvery time.Duration
	// report is the HTML report's path, "" for none.
	report string
	// strategyListen is where a remote strategy attaches (remote:NAME).
	strategyListen string
}

func newBacktestCommand(a *app) *cobra.Command {
	var f backtestFlags
	cmd := &cobra.Command{
		Use:   "backtest (--data FILE | --sim) [flags]",
		Short: "Run a strategy over recorded or simulated data, in-process",
		Long: `Run a strategy over market data with the same coordinator, risk checks,
matching engine and accounting as a paper session, as fast as the machine
allows, and print trades, PnL, fees, max drawdown, the Sharpe ratio and
events per second. It runs here, not in tradingd.

--data replays a CSV file (format: internal/replay/FORMAT.md; a sample is in
testdata/sample.csv). --sim runs the paper market's simulator instead, from
--seed, for --sim-duration of market time. The same data and flags give
byte-identical results (-o json); only the speed line varies.`,
		Example: `  tradectl backtest --data testdata/sample.csv --strategy sma --param fast=10 --param slow=30
  tradectl backtest --data testdata/sample.csv --strategy sma --report backtest.html
  tradectl backtest --sim --seed 7 --sim-duration 1h --symbols BTC-USD,ETH-USD --strategy grid -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, closeSrc, err := f.config(cmd)
			if err != nil {
				return err
			}
			defer closeSrc()
			// The report's file first: an unwritable path is found before
			// the run, not after an hour of it.
			var out *report.File
			if f.report != "" {
				if sameFile(f.report, f.data) {
					return usageError{fmt.Errorf("--report %s is the --data file: it would be replaced", f.report)}
				}
				if out, err = report.Create(f.report); err != nil {
					return fmt.Errorf("--report %s: %w", f.report, reportError{err})
				}
				defer out.Abort() // a no-op once committed
				cfg.Chart = true
			}
			var endRemote func(error) error
			if cfg.Settings.IsRemote() {
				if endRemote, err = f.hostRemote(cmd.Context(), a, &cfg); err != nil {
					return err
				}
			}
			res, err := backtest.Run(cmd.Context(), cfg)
			if endRemote != nil {
				err = endRemote(err)
			}
			if err != nil {
				return f.runError(cmd.Context(), err)
			}
			if err := a.printer.Backtest(res); err != nil {
				return err
			}
			if out != nil {
				if err := out.Commit(res); err != nil {
					return fmt.Errorf("--report %s: %w", f.report, reportError{err})
				}
				fmt.Fprintf(a.stderr, "tradectl: report written to %s\n", f.report)
			}
			fmt.Fprintf(a.stderr, "tradectl: %d events in %s: %.0f events/s\n", res.Events,
				res.Performance.Elapsed.Round(time.Millisecond), res.Performance.EventsPerSecond)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "CSV file of quotes, trades or candles to replay")
	fl.BoolVar(&f.sim, "sim", false, "simulate the market instead of replaying a file")
	fl.Uint64Var(&f.seed, "seed", backtest.DefaultSimSeed, "--sim: seed of the simulated market")
	fl.StringSliceVar(&f.symbols, "symbols", []string{"BTC-USD"}, "instruments, BASE-QUOTE, comma-separated: those --sim simulates, and those a remote strategy (remote:NAME) may trade")
	fl.DurationVar(&f.simDuration, "sim-duration", time.Hour, "--sim: how much market time to simulate")
	fl.StringVar(&f.report, "report", "", "also write an HTML report to this file: equity, drawdown, trades on the price, the summary (self-contained: opening it needs no network)")
	fl.StringVar(&f.strategyListen, "strategy-listen", "127.0.0.1:0", "--strategy remote:NAME: loopback address the strategy attaches to (printed on stderr; it presents tradingd's token)")
	fl.DurationVar(&f.sampleEvery, "sample-every", time.Minute, fmt.Sprintf("period of the equity samples behind the Sharpe ratio (doubled while it would keep more than %d)", backtest.MaxSamples))
	addTradingFlags(fl, &f.startFlags)
	return cmd
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// config turns the flags into a backtest, through the daemon's own
// translation and settings checks (settingspb, settings), so that a
// backtest refuses exactly what a session would.
func (f *backtestFlags) config(cmd *cobra.Command) (backtest.Config, func(), error) {
	none := func() {}
	if f.sim == (f.data != "") {
		return backtest.Config{}, none, usageError{errors.New("give exactly one of --data FILE and --sim")}
	}
	// Zero or negative periods are refused, not replaced by a default.
	if f.sampleEvery <= 0 {
		return backtest.Config{}, none, usageError{fmt.Errorf("--sample-every %s: the period must be positive", f.sampleEvery)}
	}
	if f.sim && f.simDuration <= 0 {
		return backtest.Config{}, none, usageError{fmt.Errorf("--sim-duration %s: the duration must be positive", f.simDuration)}
	}
	req, err := f.settings(cmd)
	if err != nil {
		return backtest.Config{}, none, usageError{err}
	}
	req.Mode = tradingv1.Mode_MODE_PAPER
	if req.Strategy == "" {
		req.Strategy = settings.DefaultStrategy // as a session
	}
	s, err := settingspb.FromProto(req)
	if err == nil {
		err = s.Validate()
	}
	if err != nil {
		return backtest.Config{}, none, invalidInput{err}
	}
	cfg := backtest.Config{Settings: s, SampleEvery: f.sampleEvery}
	var src market.Source
	closeSrc := none
	if f.sim {
		src, err = backtest.NewSim(f.seed, f.symbols, f.simDuration)
	} else {
		var file *os.File
		if file, err = os.Open(f.data); err == nil {
			// A read from a pipe waits for data without end and sees no
			// context: closing the file is what ends it on Ctrl-C.
			unwatch := context.AfterFunc(cmd.Context(), func() { file.Close() })
			closeSrc = func() { unwatch(); file.Close() }
			src, err = replay.Open(file, replay.Options{})
		}
	}
	if err != nil {
		closeSrc()
		return backtest.Config{}, none, f.runError(cmd.Context(), err)
	}
	cfg.Source = src
	return cfg, closeSrc, nil
}

// runError classifies a failed run. Ctrl-C cancels the command's context:
// that is the user stopping it, not bad input, whatever error the
// cancellation surfaced as (a closed file, a cancelled context). Errors in
// the data name the file they are in.
func (f *backtestFlags) runError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("backtest %w", errInterrupted)
	}
	var dataErr *replay.Error
	if f.data != "" && (errors.Is(err, backtest.ErrNoEvents) || errors.As(err, &dataErr)) {
		err = fmt.Errorf("%s: %w", f.data, err)
	}
	return invalidInput{err}
}
