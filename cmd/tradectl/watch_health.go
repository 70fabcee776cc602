package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
)

func newWatchHealthCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "watch-health",
		Short: "Print health reports as tradingd publishes them, until Ctrl-C",
		Long: `Print one line per health report (with -o json, one JSON object per line)
until interrupted. If tradingd goes away, tradectl says so on stderr and
reconnects with a backoff of up to 5s; --timeout does not apply.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := &watchReporter{a: a}
			return runWatch(cmd, a, func(ctx context.Context, c *client.Client) error {
				return c.WatchHealth(ctx, a.printer.HealthReport, w.options()...)
			})
		},
	}
}
