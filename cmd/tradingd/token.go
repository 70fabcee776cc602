package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tradectl/tradectl/internal/endpoint"
	"github.com/tradectl/tradectl/server/daemon"
)

// runToken runs `tradingd token rotate`: it writes a fresh token where the
// daemon reads it. A running daemon picks it up within its reload interval,
// or at once on SIGHUP; from then on the old token is refused.
func runToken(args []string, stdout, stderr io.Writer) int {
	usage := func() {
		fmt.Fprintln(stderr, "usage: tradingd token rotate [--data-dir DIR | --token-file FILE]")
	}
	if len(args) == 0 || args[0] != "rotate" {
		usage()
		return exitConfig
	}
	fs := flag.NewFlagSet("tradingd token rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, _ := endpoint.DefaultDataDir()
	dir := fs.String("data-dir", envOr("TRADINGD_DATA_DIR", dataDir), "data directory (env TRADINGD_DATA_DIR)")
	file := fs.String("token-file", "", "token file (default <data-dir>/token)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tradingd token rotate: unexpected argument %q\n", fs.Arg(0))
		usage()
		return exitConfig
	}
	path := *file
	if path == "" {
		if *dir == "" {
			fmt.Fprintln(stderr, "tradingd token rotate: no data directory: set --data-dir, TRADINGD_DATA_DIR or --token-file")
			return exitConfig
		}
		path = filepath.Join(*dir, "token")
	}
	if err := daemon.RotateToken(path); err != nil {
		fmt.Fprintf(stderr, "tradingd token rotate: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "new token written to %s (mode 0600)\n"+
		"a running tradingd switches to it within %s, or at once on SIGHUP; the old token stops working then\n",
		path, daemon.DefaultReloadInterval)
	return 0
}
