package main

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func newBackupCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "backup NAME",
		Short: "Have tradingd copy its store to NAME in its backup directory while trading goes on",
		Long: `Have tradingd write a consistent copy of its store (sessions, orders, fills,
accounts) to the file NAME in its backup directory, without pausing trading,
and print where the file went and its size.

NAME is a file name, never a path: tradingd writes only in its own backup
directory (tradingd --backup-dir, default <data-dir>/backups), on its own
machine. Use letters, digits, '.', '-' and '_', starting with a letter or
digit. tradingd refuses to overwrite an existing file. The copy is mode 0600,
like the store: it holds everything the store does. A large store may take
longer than --timeout allows; raise it.`,
		Example: "  tradectl backup tradectl-$(date +%F).db\n  tradectl --timeout 5m backup nightly.db",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if name == "" {
				return usageError{errors.New("NAME must not be empty")}
			}
			if strings.ContainsAny(name, `/\`) {
				return usageError{errors.New("NAME is a file name, not a path: tradingd writes it in its --backup-dir")}
			}
			resp, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.BackupResponse, error) {
				return c.Backup(ctx, name)
			})
			if err != nil {
				return err
			}
			return a.printer.Backup(resp)
		},
	}
}
