package main

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// newKillSwitchCommand is the parent of the kill switch's verbs, so that
// more (status) can join reset without changing how reset is called.
func newKillSwitchCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kill-switch",
		Short: "Act on the risk guard's kill switch",
		Long: `The kill switch halts a session's trading when a drawdown limit is crossed
(see 'tradectl start --max-drawdown'). A halted session sends no order until
it is reset. 'tradectl portfolio' and 'tradectl status' show its state.`,
		// Runnable only so that cobra checks Args: a parent without Run would
		// answer an unknown verb with its help and exit 0.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newKillSwitchResetCommand(a))
	return cmd
}

func newKillSwitchResetCommand(a *app) *cobra.Command {
	var (
		reason string
		only   sessionID
	)
	cmd := &cobra.Command{
		Use:   "reset --reason TEXT [--session ID]",
		Short: "Return a halted session to ACTIVE",
		Long: `Return a halted session to ACTIVE and print the guard's new state. This is
the only way out of a halt; tradingd logs the reason with the reset.

With --session ID, only that session's kill switch is reset: if another one
is the current session, nothing is reset and tradectl exits 6 naming it.`,
		Example: `  tradectl kill-switch reset --reason "drawdown from a bad feed; feed fixed"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Checked here, not with MarkFlagRequired, whose error comes too
			// late to be told apart from a failed call.
			if strings.TrimSpace(reason) == "" {
				return usageError{errors.New("--reason is required: say why it is safe to trade again")}
			}
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.ResetKillSwitchResponse, error) {
				var opts []client.ResetOption
				if only != "" {
					opts = append(opts, client.ResetOnlySession(string(only)))
				}
				return c.ResetKillSwitch(ctx, reason, opts...)
			})
			if err != nil {
				return err
			}
			return a.printer.ResetKillSwitch(resp)
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why it is safe to trade again, for tradingd's log (required)")
	cmd.Flags().Var(&only, "session", "reset only this session's kill switch: another one running is left alone, exit 6")
	return cmd
}
