package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newStrategiesCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "strategies",
		Short: "List tradingd's strategies and their parameters",
		Long: `List the strategies tradingd can run, each with its parameters and their
defaults. Pick one with 'tradectl start --strategy NAME --param NAME=VALUE'.

A strategy of your own, in any language, runs with 'tradectl start --strategy
remote:NAME': it attaches to tradingd's StrategyService under NAME and sends
its own parameters there. It is not listed here.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.ListStrategiesResponse, error) {
				return c.ListStrategies(ctx)
			})
			if err != nil {
				return err
			}
			return a.printer.Strategies(resp)
		},
	}
}
