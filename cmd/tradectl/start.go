package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

type startFlags struct {
	paper, autoRestart, resume, yes        bool
	abandonInterrupted                     bool
	sessionID                              string
	symbols                                []string
	duration, healthInterval, tickInterval time.Duration
	seed                                   uint64
	strategy                               string
	params                                 []string
	risk                                   tradingv1.RiskLimits
	makerFeeBps, takerFeeBps               int64
	latency                                time.Duration
	startingCash                           string
	account, maxBorrow                     string
	borrowRateBps                          int64
	onDetach                               string
	attachGrace, answerTimeout             time.Duration
}

func newStartCommand(a *app) *cobra.Command {
	var f startFlags
	cmd := &cobra.Command{
		Use:   "start ([--paper] [flags] [--abandon-interrupted] [--yes] | --resume [--session ID])",
		Short: "Start a trading session, or resume an interrupted one",
		Long: `Start a trading session in tradingd and print it.

Flags left unset are not sent, so tradingd's defaults apply. Without --paper
the session is live, on the venue tradingd was started with (tradingd
--venue; without one tradingd refuses, exit 6): tradectl first shows the
venue, environment, account, symbols and limits on stderr, and on a
production venue asks you to type yes (--yes for scripts; without a
terminal and without --yes it refuses, exit 12). A production venue also
refuses a session whose risk limits are not all given (exit 5, naming each).
A venue tradingd cannot reach, or that refuses its keys, exits 13.
Starting again with the same settings reports the running session; with
other settings it fails (exit 6).

Decimal flags (notional, position, drawdowns, cash) are passed to tradingd as
written, which checks them (exit 5). 'tradectl strategies' lists the
strategies and their parameters.

While a session is INTERRUPTED a new one is refused (exit 6), so that none
is left behind with live orders: resume it, or start anyway with
--abandon-interrupted, which cancels its open orders and marks it ABANDONED
(the audit log records who did it). --resume --session ID carries on that
session rather than the newest (an unknown id exits 11).

--resume carries on the last INTERRUPTED session (tradingd stopped while it
ran: crash, kill, power cut) from its last committed state: account, open
orders and risk state (a halt stays a halt). It runs with that session's own
settings, mode included; any other flag given with it is ignored, with a
note on stderr. It also carries on a session stopped with --keep-open-orders,
or one whose stop left orders unsettled (FAILED): a paper session's orders
rest, frozen, at its paper venue until then; a live session's rest at the
venue, which may fill or cancel them meanwhile, and the resume reconciles
what became of them. With no such session it fails (exit 6).`,
		Example: `  tradectl start --paper --symbols BTC-USD,ETH-USD --duration 10m
  tradectl start --paper --strategy sma --param fast=5 --param slow=20 --max-drawdown 0.1
  tradectl start --resume
  tradectl start --resume --session 0123456789abcdef
  tradectl start --paper --abandon-interrupted
  tradectl start --paper --strategy remote:alpha --on-detach keep --attach-grace 5m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.resume {
				if f.abandonInterrupted {
					return usageError{errors.New("--abandon-interrupted starts a new session; it cannot go with --resume")}
				}
				return resume(cmd, a, f.sessionID)
			}
			if cmd.Flags().Changed("session") {
				return usageError{errors.New("--session names the session to resume; it needs --resume")}
			}
			var opts []client.StartOption
			if f.abandonInterrupted {
				opts = append(opts, client.AbandonInterrupted())
			}
			settings, err := f.settings(cmd)
			if err != nil {
				return usageError{err}
			}
			if !f.paper {
				if err := confirmLive(cmd, a, settings, f.yes); err != nil {
					return err
				}
			}
			var resp *tradingv1.StartTradingResponse
			err = a.withClient(cmd.Context(), a.timeout, func(ctx context.Context, c *client.Client) (err error) {
				resp, err = c.StartTrading(ctx, settings, opts...)
				return err
			})
			if err != nil {
				return err
			}
			return a.printer.StartTrading(resp)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.paper, "paper", false, "trade on tradingd's simulated venue; no real money moves")
	fl.BoolVar(&f.yes, "yes", false, "live on a production venue: start without asking to type yes (for scripts)")
	fl.StringSliceVar(&f.symbols, "symbols", nil, "instruments, BASE-QUOTE, comma-separated (daemon default BTC-USD)")
	fl.DurationVar(&f.duration, "duration", 0, "stop by itself after this long (default: run until stopped)")
	fl.DurationVar(&f.healthInterval, "health-interval", 0, "how often health is reported (daemon default)")
	fl.DurationVar(&f.tickInterval, "tick-interval", 0, "how often the trading loop ticks (daemon default 1s)")
	fl.BoolVar(&f.autoRestart, "auto-restart", false, "restart a failed trading loop, within a restart limit")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of the paper market's random walk, non-zero (default: daemon picks)")
	addTradingFlags(fl, &f)
	fl.BoolVar(&f.resume, "resume", false, "carry on the last INTERRUPTED session with its own settings; other flags are ignored")
	fl.Var((*sessionID)(&f.sessionID), "session", "with --resume: the INTERRUPTED session to carry on (default: the newest)")
	fl.BoolVar(&f.abandonInterrupted, "abandon-interrupted", false,
		"start although a session is INTERRUPTED: cancel its open orders and mark it ABANDONED")
	fl.StringVar(&f.onDetach, "on-detach", "", "remote strategy: cancel (the default) or keep its open orders when it detaches")
	fl.DurationVar(&f.attachGrace, "attach-grace", 0, "remote strategy: how long to wait for it to (re-)attach before stopping (daemon default 60s)")
	fl.DurationVar(&f.answerTimeout, "answer-timeout", 0, "remote strategy: an event unanswered this long turns health DEGRADED (daemon default 1s)")
	return cmd
}

// resume carries on the interrupted session. The daemon ignores settings
// then, so none are sent, and flags given anyway are named on stderr
// rather than refused: the user's intent (carry on) is clear either way.
func resume(cmd *cobra.Command, a *app, sessionID string) error {
	var ignored []string
	cmd.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && fl.Name != "resume" && fl.Name != "session" {
			ignored = append(ignored, "--"+fl.Name)
		}
	})
	if len(ignored) > 0 {
		fmt.Fprintf(a.stderr, "tradectl: NOTE: ignoring %s: --resume runs the interrupted session with its own settings\n",
			strings.Join(ignored, ", "))
	}
	resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.StartTradingResponse, error) {
		if sessionID != "" {
			return c.ResumeTrading(ctx, client.ResumeSession(sessionID))
		}
		return c.ResumeTrading(ctx)
	})
	if err != nil {
		return err
	}
	return a.printer.StartTrading(resp)
}

// addTradingFlags registers what start and backtest share: strategy,
// risk, venue and account.
func addTradingFlags(fl *pflag.FlagSet, f *startFlags) {
	fl.StringVar(&f.strategy, "strategy", "", "strategy name, see 'tradectl strategies' (default sma), or remote:NAME for one of your own")
	// StringArray, not StringSlice: a value may contain commas.
	fl.StringArrayVar(&f.params, "param", nil, "strategy parameter NAME=VALUE; repeat for more")
	fl.StringVar(&f.risk.MaxOrderNotional, "max-order-notional", "", "largest notional (quantity x price) of one order, decimal; 0 turns the limit off")
	fl.StringVar(&f.risk.MaxPosition, "max-position", "", "largest absolute position per symbol in base units, decimal; 0 turns it off")
	fl.Int32Var(&f.risk.MaxOpenOrders, "max-open-orders", 0, "most orders live at once (0: daemon default; negative: no limit)")
	fl.Int32Var(&f.risk.MaxOrdersPerSecond, "max-orders-per-second", 0, "most orders sent per second (0: daemon default; negative: no limit)")
	fl.StringVar(&f.risk.MaxDrawdown, "max-drawdown", "", "kill switch: halt when equity falls this fraction below the start (0.2 = 20%)")
	fl.StringVar(&f.risk.MaxTrailingDrawdown, "max-trailing-drawdown", "", "kill switch: halt when equity falls this fraction below its peak")
	fl.Int64Var(&f.makerFeeBps, "maker-fee-bps", 0, "paper venue maker fee in basis points of notional (daemon default 2)")
	fl.Int64Var(&f.takerFeeBps, "taker-fee-bps", 0, "paper venue taker fee in basis points of notional (daemon default 5)")
	fl.DurationVar(&f.latency, "latency", 0, "simulated time from an order's submission to its arrival at the venue")
	fl.StringVar(&f.startingCash, "starting-cash", "", "starting cash of the paper account in the quote currency, decimal (daemon default 100000)")
	fl.StringVar(&f.account, "account", "", "cash (sell only what is held; the default) or margin (sell short, borrowing up to --max-borrow)")
	fl.StringVar(&f.maxBorrow, "max-borrow", "", "margin account: largest borrowed notional (shorts at their mark) in the quote currency, decimal; required")
	fl.Int64Var(&f.borrowRateBps, "borrow-rate-bps", 0, "margin account: yearly interest on the borrowed notional, in basis points, charged as fees (default 0)")
}

// settings builds the request, leaving unset flags unset rather than
// zero so that the daemon's defaults apply.
func (f *startFlags) settings(cmd *cobra.Command) (*tradingv1.SessionSettings, error) {
	s := &tradingv1.SessionSettings{
		Mode:         tradingv1.Mode_MODE_LIVE,
		Symbols:      f.symbols,
		AutoRestart:  f.autoRestart,
		Seed:         f.seed,
		Strategy:     f.strategy,
		StartingCash: f.startingCash,
	}
	if f.paper {
		s.Mode = tradingv1.Mode_MODE_PAPER
	}
	changed := cmd.Flags().Changed
	// An empty value given is not the flag left out: the daemon's default
	// would silently stand in for what the user typed.
	for name, empty := range map[string]bool{"symbols": len(f.symbols) == 0, "starting-cash": f.startingCash == "",
		"strategy": f.strategy == "", "account": f.account == "", "on-detach": f.onDetach == ""} {
		if empty && changed(name) {
			return nil, fmt.Errorf("--%s is empty: give a value, or leave the flag out for the daemon's default", name)
		}
	}
	// On the wire a seed of 0 is no seed: the daemon would pick one, and
	// the run the user asked to reproduce would not be the one they get.
	if changed("seed") && f.seed == 0 {
		return nil, errors.New("--seed 0: 0 means 'the daemon picks'; give a non-zero seed, or leave the flag out")
	}
	duration := func(name string, d time.Duration) *durationpb.Duration {
		if !changed(name) {
			return nil
		}
		return durationpb.New(d)
	}
	s.Duration = duration("duration", f.duration)
	s.HealthInterval = duration("health-interval", f.healthInterval)
	s.TickInterval = duration("tick-interval", f.tickInterval)
	s.Latency = duration("latency", f.latency)
	s.AttachGrace = duration("attach-grace", f.attachGrace)
	s.AnswerTimeout = duration("answer-timeout", f.answerTimeout)
	// Fees are optional fields: "0 bps" is a real setting, distinct from unset.
	if changed("maker-fee-bps") {
		s.MakerFeeBps = &f.makerFeeBps
	}
	if changed("taker-fee-bps") {
		s.TakerFeeBps = &f.takerFeeBps
	}
	switch f.account {
	case "":
	case "cash":
		s.Account = tradingv1.Account_ACCOUNT_CASH
	case "margin":
		s.Account = tradingv1.Account_ACCOUNT_MARGIN
	default:
		return nil, fmt.Errorf("--account %q: want cash or margin", f.account)
	}
	switch f.onDetach {
	case "":
	case "cancel":
		s.OnDetach = tradingv1.DetachPolicy_DETACH_POLICY_CANCEL
	case "keep":
		s.OnDetach = tradingv1.DetachPolicy_DETACH_POLICY_KEEP
	default:
		return nil, fmt.Errorf("--on-detach %q: want cancel or keep", f.onDetach)
	}
	s.MaxBorrow = f.maxBorrow
	if changed("borrow-rate-bps") {
		s.BorrowRateBps = &f.borrowRateBps
	}
	for _, name := range []string{"max-order-notional", "max-position", "max-open-orders",
		"max-orders-per-second", "max-drawdown", "max-trailing-drawdown"} {
		if changed(name) {
			s.Risk = &f.risk
			break
		}
	}
	params, err := parseParams(f.params)
	if err != nil {
		return nil, err
	}
	s.Params = params
	return s, nil
}

// parseParams turns repeated --param NAME=VALUE into a map. Whether a
// name or value makes sense is the daemon's call; a missing '=', an empty
// name or a name given twice is a mistake in the command line.
func parseParams(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--param %q: want NAME=VALUE", kv)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("--param %s given twice", k)
		}
		m[k] = v
	}
	return m, nil
}
