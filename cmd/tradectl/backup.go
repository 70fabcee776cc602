package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newBackupCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Have tradingd copy its store to FILE while trading goes on",
		Long: `Have tradingd write a consistent copy of its store (sessions, orders, fills,
accounts) to FILE, without pausing trading, and print the file's path and
size.

tradingd writes the file itself, on its own machine: for a local tradingd
that is this machine, but for a remote one (--addr) FILE is a path over
there. A relative FILE is made absolute against this shell's current
directory before it is sent. tradingd must be able to write there, and it
refuses to overwrite an existing file. The copy is mode 0600, like the
store: it holds everything the store does. A large store may take longer than
--timeout allows; raise it.`,
		Example: "  tradectl backup tradectl-$(date +%F).db\n  tradectl --timeout 5m backup /var/backups/tradectl.db",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "" {
				return usageError{errors.New("FILE must not be empty")}
			}
			path, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.BackupResponse, error) {
				return c.Backup(ctx, path)
			})
			if err != nil {
				return err
			}
			return a.printer.Backup(resp)
		},
	}
}
