// Command sma is the built-in sma strategy written as a remote strategy on
// the Go SDK (client/strategy): it makes the same decisions as
// `--strategy sma` on the same events, so a lockstep backtest gives the
// same trades either way. Start a session or backtest that waits for it,
// then run it:
//
//	tradectl start --paper --strategy remote:sma
//	go run ./examples/strategies/sma --name sma --fast 5 --slow 20 --notional 1000
//
// For `tradectl backtest --strategy remote:sma`, pass the address it
// prints with --addr. The token is found as tradectl finds it (--token-file,
// TRADECTL_TOKEN_FILE, else tradingd's data directory).
//
// It owns nothing but its own moving averages: the daemon keeps the
// account, risk and orders, and it must never trade around the daemon.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/client/strategy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sma:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// run parses args, attaches and trades until the session ends the stream
// (nil) or ctx is cancelled (nil: the user stopped it).
func run(ctx context.Context, args []string, stderr io.Writer) error {
	defaultToken, _ := client.DefaultTokenFile()
	fs := flag.NewFlagSet("sma", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("TRADECTL_ADDR", client.DefaultAddr), "tradingd (or tradectl backtest) address (env TRADECTL_ADDR)")
	tokenFile := fs.String("token-file", envOr("TRADECTL_TOKEN_FILE", defaultToken), "file holding tradingd's token (env TRADECTL_TOKEN_FILE)")
	tlsCA := fs.String("tls-ca", "", "CA bundle to verify the daemon's certificate (enables TLS)")
	tlsCert := fs.String("tls-cert", "", "client certificate, for mutual TLS")
	tlsKey := fs.String("tls-key", "", "client key, for mutual TLS")
	insecure := fs.Bool("insecure", false, "allow a plaintext connection to a non-loopback address")
	name := fs.String("name", "sma", "NAME of the session's --strategy remote:NAME")
	symbols := fs.String("symbols", "", "comma-separated symbols to trade (empty: all the session's)")
	cfg := config{}
	fs.IntVar(&cfg.fast, "fast", 5, "fast window, in book events")
	fs.IntVar(&cfg.slow, "slow", 20, "slow window, in book events; longer than fast, at most 500")
	notional := fs.String("notional", "1000", "quote currency spent per entry")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.notional, err = strategy.ParseDecimal(*notional); err != nil {
		return fmt.Errorf("--notional: %w", err)
	}
	impl, err := newSMA(cfg)
	if err != nil {
		return err
	}
	hello := strategy.Hello{Name: *name, Version: "sma-example/1", Params: cfg.params()}
	if *symbols != "" {
		hello.Symbols = strings.Split(*symbols, ",")
		if slices.Contains(hello.Symbols, "") {
			return fmt.Errorf("--symbols %q: an empty symbol", *symbols)
		}
	}
	opts := []client.Option{client.WithTokenFile(*tokenFile)}
	if *tlsCA != "" || *tlsCert != "" {
		opts = append(opts, client.WithTLS(*tlsCA, *tlsCert, *tlsKey, ""))
	}
	if *insecure {
		opts = append(opts, client.WithInsecure())
	}
	c, err := client.New(*addr, opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	err = strategy.Run(ctx, c.Conn(), hello, impl)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}
