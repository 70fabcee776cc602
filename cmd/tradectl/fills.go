package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newFillsCommand(a *app) *cobra.Command {
	var (
		session string
		limit   int
	)
	cmd := &cobra.Command{
		Use:   "fills [--session ID] [--limit N]",
		Short: "List a session's stored fills, oldest first",
		Long: `List the fills tradingd has stored for a session (by default the current or
last one), oldest first: time, order, the fill's number within its order
(SEQ), symbol, side, quantity, price, fee, maker or taker, and slippage.

Only committed fills are listed, so a fill of the running session may show
up a moment later than in 'tradectl watch-orders'. SLIPPAGE is per unit,
against the price the strategy saw when it decided (positive is worse for
the trader). --limit keeps the newest N, still listed oldest first, and the
number of older fills left out is shown. Needs a
tradingd with a store (else exit 6); an unknown --session exits 11.`,
		Example: "  tradectl fills\n  tradectl fills --session 0123456789abcdef --limit 50",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return usageError{errors.New("--limit must not be negative")}
			}
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.ListFillsResponse, error) {
				return c.ListFills(ctx, session, limit)
			})
			if err != nil {
				return err
			}
			return a.printer.Fills(resp)
		},
	}
	fl := cmd.Flags()
	fl.Var((*sessionID)(&session), "session", "session ID, see 'tradectl sessions' (default: the current or last session)")
	fl.IntVar(&limit, "limit", 0, "at most this many, the newest (0: daemon default 1000)")
	return cmd
}
