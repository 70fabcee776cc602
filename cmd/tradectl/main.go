// Command tradectl controls tradingd, the trading daemon, over its gRPC
// control API. It is a thin shell over package client: it parses flags,
// makes one call, prints the answer, and turns errors into exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Ctrl-C cancels the call in flight; for watch-health it is the normal
	// way to stop, so it ends cleanly with exit 0.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}
