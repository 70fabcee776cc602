package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newOrdersCommand(a *app) *cobra.Command {
	var (
		open, fills bool
		limit       int
		session     string
	)
	cmd := &cobra.Command{
		Use:   "orders [--session ID] [--open] [--limit N] [--fills]",
		Short: "List the orders of the current or last session",
		Long: `List the orders of the current or last session (or of --session), oldest
first. An unknown --session exits 11; 'tradectl sessions' lists them.

TYPE shows the time in force and post-only. SLIPPAGE is per unit, against the
price the strategy saw when it decided (positive is worse for the trader):
for an order, the quantity-weighted average over its fills; --fills lists
each fill under its order with its own. When the list is cut (--limit, or the
daemon's bounded history) the number of older orders left out is shown.`,
		Example: "  tradectl orders --open\n  tradectl orders --limit 20 --fills\n  tradectl orders --session 0123456789abcdef",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return usageError{errors.New("--limit must not be negative")}
			}
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.ListOrdersResponse, error) {
				return c.ListOrders(ctx, open, limit, client.ForSession(session))
			})
			if err != nil {
				return err
			}
			return a.printer.Orders(resp, fills)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&open, "open", false, "only orders that are not final (not filled, cancelled or rejected)")
	fl.IntVar(&limit, "limit", 0, "at most this many, the newest (0: daemon default 1000)")
	fl.BoolVar(&fills, "fills", false, "list each order's fills under it")
	fl.Var((*sessionID)(&session), "session", "session ID, see 'tradectl sessions' (default: the current or last session)")
	return cmd
}
