package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newPortfolioCommand(a *app) *cobra.Command {
	var session string
	cmd := &cobra.Command{
		Use:   "portfolio [--session ID]",
		Short: "Show the account of the current or last session",
		Long: `Show the paper account of the current or last session (or of --session):
cash, equity, starting cash, realized and unrealized PnL, fees, the risk
guard's state (and why and since when it is not ACTIVE) and the positions.

The running session's account is live; an ended one's is as last stored.
An unknown --session exits 11; 'tradectl sessions' lists them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.GetPortfolioResponse, error) {
				return c.GetPortfolio(ctx, client.ForSession(session))
			})
			if err != nil {
				return err
			}
			return a.printer.Portfolio(resp)
		},
	}
	cmd.Flags().Var((*sessionID)(&session), "session", "session ID, see 'tradectl sessions' (default: the current or last session)")
	return cmd
}
