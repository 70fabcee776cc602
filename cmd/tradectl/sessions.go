package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newSessionsCommand(a *app) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "sessions [--limit N]",
		Short: "List the sessions tradingd has stored, newest first",
		Long: `List the sessions tradingd has stored, newest first, with their state,
strategy, symbols, ticks, fills, equity and why they ended.

History survives daemon restarts; a tradingd running without a store lists
only its current or last session. A session the daemon was running when it
crashed or was killed shows as INTERRUPTED: 'tradectl start --resume' carries
it on. Long reasons are cut to fit the table; -o json has them whole. The IDs
are what --session takes (orders, portfolio, fills).`,
		Example: "  tradectl sessions --limit 10",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return usageError{errors.New("--limit must not be negative")}
			}
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.ListSessionsResponse, error) {
				return c.ListSessions(ctx, limit)
			})
			if err != nil {
				return err
			}
			return a.printer.Sessions(resp)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many, the newest (0: daemon default 100)")
	return cmd
}
