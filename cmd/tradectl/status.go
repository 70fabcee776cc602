package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newStatusCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the current or last session and its latest health report",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var resp *tradingv1.GetStatusResponse
			err := a.withClient(cmd.Context(), a.timeout, func(ctx context.Context, c *client.Client) (err error) {
				resp, err = c.GetStatus(ctx)
				return err
			})
			if err != nil {
				return err
			}
			return a.printer.Status(resp)
		},
	}
}
