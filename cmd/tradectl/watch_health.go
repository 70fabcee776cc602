package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
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
			// All callbacks run on WatchHealth's goroutine, so no lock is needed.
			connected := false
			err := a.withClient(cmd.Context(), 0, func(ctx context.Context, c *client.Client) error {
				return c.WatchHealth(ctx,
					func(r *tradingv1.HealthReport) error {
						connected = true
						return a.printer.HealthReport(r)
					},
					client.OnDisconnect(func(err error, retryIn time.Duration) {
						what := "lost connection to"
						if !connected {
							what = "cannot reach"
						}
						fmt.Fprintf(a.stderr, "tradectl: %s %s (%v); reconnecting in %s\n",
							what, a.addr, err, retryIn.Round(10*time.Millisecond))
					}),
					client.OnReconnect(func() {
						what := "reconnected to"
						if !connected {
							what = "connected to"
						}
						fmt.Fprintf(a.stderr, "tradectl: %s %s\n", what, a.addr)
					}))
			})
			if errors.Is(err, context.Canceled) {
				return nil // Ctrl-C is how watching ends
			}
			return err
		},
	}
}
