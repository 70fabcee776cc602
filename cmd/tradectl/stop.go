package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// stopSlack is the time the daemon gets, beyond the stop deadline, to answer
// with the final summary.
const stopSlack = 5 * time.Second

func newStopCommand(a *app) *cobra.Command {
	var deadline time.Duration
	cmd := &cobra.Command{
		Use:   "stop [--deadline 10s]",
		Short: "Stop the trading session and print its final summary",
		Long: `Stop the running session gracefully and print its final summary.

tradingd waits up to --deadline for the session to wind down. The call's own
time limit is the larger of --timeout and --deadline plus 5s, so the summary
is not lost to a short --timeout. Stopping when nothing runs is not an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if deadline <= 0 {
				return usageError{errors.New("--deadline must be positive")}
			}
			var resp *tradingv1.StopTradingResponse
			err := a.withClient(cmd.Context(), stopTimeout(a.timeout, deadline), func(ctx context.Context, c *client.Client) (err error) {
				resp, err = c.StopTrading(ctx, deadline)
				return err
			})
			if err != nil {
				return err
			}
			if err := a.printer.StopTrading(resp); err != nil {
				return err
			}
			// On stderr as well, whatever -o says: a child that would not stop
			// is a goroutine still running in tradingd, which nobody should miss.
			if kids := resp.GetSession().GetSummary().GetUnstoppedChildren(); len(kids) > 0 {
				fmt.Fprintf(a.stderr, "tradectl: WARNING: did not stop within %s and may still be running in tradingd: %s\n",
					deadline, strings.Join(kids, ", "))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&deadline, "deadline", 10*time.Second, "how long tradingd may take to wind the session down (at most 5m)")
	return cmd
}

func stopTimeout(timeout, deadline time.Duration) time.Duration {
	return max(timeout, deadline+stopSlack)
}
