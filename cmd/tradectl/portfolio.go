package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newPortfolioCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "portfolio",
		Short: "Show the account of the current or last session",
		Long: `Show the paper account of the current or last session: cash, equity,
starting cash, realized and unrealized PnL, fees, the risk guard's state
(and why and since when it is not ACTIVE) and the positions.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.GetPortfolioResponse, error) {
				return c.GetPortfolio(ctx)
			})
			if err != nil {
				return err
			}
			return a.printer.Portfolio(resp)
		},
	}
}
