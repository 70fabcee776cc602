package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newStatusCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the current or last session and its latest health report",
		Long: `Show the current or last session (state, settings, risk guard, open orders)
and tradingd's latest health report with its components.

A session tradingd was running when it crashed or was killed shows as
INTERRUPTED, with the reason; 'tradectl start --resume' carries it on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var resp *tradingv1.GetStatusResponse
			err := a.withClient(cmd.Context(), a.timeout, func(ctx context.Context, c *client.Client) (err error) {
				resp, err = c.GetStatus(ctx)
				return err
			})
			if err != nil {
				return err
			}
			if err := a.printer.Status(resp); err != nil {
				return err
			}
			// On stderr, whatever -o says: an interrupted session trades no
			// more, and no new one starts, until someone resumes or
			// abandons it.
			if s := resp.GetSession(); s.GetState() == tradingv1.SessionState_SESSION_STATE_INTERRUPTED {
				fmt.Fprintf(a.stderr, "tradectl: resume it with: tradectl start --resume --session %s "+
					"(or start anew with --abandon-interrupted, which cancels its open orders)\n", s.GetId())
			}
			return nil
		},
	}
}
