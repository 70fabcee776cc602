package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

type startFlags struct {
	paper, autoRestart                     bool
	symbols                                []string
	duration, healthInterval, tickInterval time.Duration
	seed                                   uint64
}

func newStartCommand(a *app) *cobra.Command {
	var f startFlags
	cmd := &cobra.Command{
		Use:   "start --paper [flags]",
		Short: "Start a trading session",
		Long: `Start a trading session in tradingd and print it.

Flags left unset are not sent, so tradingd's defaults apply. Without --paper
the session is requested in live mode, which tradingd refuses until a live
venue exists. Starting again with the same settings reports the running
session; with other settings it fails (exit 6).`,
		Example: "  tradectl start --paper --symbols BTC-USD,ETH-USD --duration 10m",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			settings := f.settings(cmd)
			var resp *tradingv1.StartTradingResponse
			err := a.withClient(cmd.Context(), a.timeout, func(ctx context.Context, c *client.Client) (err error) {
				resp, err = c.StartTrading(ctx, settings)
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
	fl.StringSliceVar(&f.symbols, "symbols", nil, "instruments, BASE-QUOTE, comma-separated (daemon default BTC-USD)")
	fl.DurationVar(&f.duration, "duration", 0, "stop by itself after this long (default: run until stopped)")
	fl.DurationVar(&f.healthInterval, "health-interval", 0, "how often health is reported (daemon default)")
	fl.DurationVar(&f.tickInterval, "tick-interval", 0, "how often the trading loop ticks (daemon default 1s)")
	fl.BoolVar(&f.autoRestart, "auto-restart", false, "restart a failed trading loop, within a restart limit")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of the paper market's random walk (default: daemon picks)")
	return cmd
}

// settings builds the request, leaving unset flags unset rather than
// zero so that the daemon's defaults apply.
func (f *startFlags) settings(cmd *cobra.Command) *tradingv1.SessionSettings {
	s := &tradingv1.SessionSettings{
		Mode:        tradingv1.Mode_MODE_LIVE,
		Symbols:     f.symbols,
		AutoRestart: f.autoRestart,
		Seed:        f.seed,
	}
	if f.paper {
		s.Mode = tradingv1.Mode_MODE_PAPER
	}
	changed := func(name string, d time.Duration) *durationpb.Duration {
		if !cmd.Flags().Changed(name) {
			return nil
		}
		return durationpb.New(d)
	}
	s.Duration = changed("duration", f.duration)
	s.HealthInterval = changed("health-interval", f.healthInterval)
	s.TickInterval = changed("tick-interval", f.tickInterval)
	return s
}
