package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
)

func newWatchOrdersCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "watch-orders",
		Short: "Print order events (state changes and fills) as they happen, until Ctrl-C",
		Long: `Print one line per order event (with -o json, one JSON object per line) until
interrupted: time, order id, symbol, side, new state and, for a fill, its
quantity@price, fee, liquidity and slippage.

Every event has a sequence number, kept across daemon restarts. If tradingd
goes away or ends the stream, tradectl says so on stderr and resubscribes
with a backoff of up to 5s, after the last event it printed: tradingd sends
the events in between from its store first, so none is missed or printed
twice. --timeout does not apply.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// An order stream is quiet while nothing trades: say when it is up.
			w := &watchReporter{a: a, announce: "watching orders at " + a.addr + " (Ctrl-C to stop)"}
			return runWatch(cmd, a, func(ctx context.Context, c *client.Client) error {
				return c.WatchOrders(ctx, a.printer.OrderEvent, w.options()...)
			})
		},
	}
}
