package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newEquityCommand(a *app) *cobra.Command {
	var (
		session   string
		maxPoints uint32
	)
	cmd := &cobra.Command{
		Use:   "equity [--session ID] [--max-points N]",
		Short: "Show a session's recorded equity curve, with drawdown",
		Long: `Show the equity curve tradingd recorded for a session (by default the current
or last one): a point every few seconds while it ran, and one at its end,
oldest first. Time the daemon was down is a gap between two points. Each
point's DRAWDOWN is how far equity was below the session's highest equity
up to then, in the quote currency; MAX DRAWDOWN is the session's largest
fall from a peak. Both are taken from every tick, not only from the points
shown, so a dip between two points counts; MAX DRAWDOWN is the figure
'tradectl status' shows. --max-points thins the curve evenly, keeping
the first and the newest point (0: the daemon's default, 1000; at most
10000). Needs a tradingd with a store (else exit 6); an unknown --session
exits 11.`,
		Example: "  tradectl equity\n  tradectl equity --session 0123456789abcdef --max-points 20\n  tradectl equity -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.GetEquityCurveResponse, error) {
				return c.GetEquityCurve(ctx, maxPoints, client.ForSession(session))
			})
			if err != nil {
				return err
			}
			return a.printer.Equity(resp)
		},
	}
	fl := cmd.Flags()
	fl.Var((*sessionID)(&session), "session", "session ID, see 'tradectl sessions' (default: the current or last session)")
	fl.Uint32Var(&maxPoints, "max-points", 0, "at most this many points, thinned evenly (0: daemon default 1000; at most 10000)")
	return cmd
}
