package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	"google.golang.org/grpc"
)

// app is the state shared by all commands: global flags, where output goes,
// and the printer chosen by -o.
type app struct {
	addr      string
	tokenFile string
	timeout   time.Duration
	output    string
	tls       tlsFlags

	stdout, stderr io.Writer
	// in is where a live start on a production venue asks for yes.
	in      input
	printer printer
	// dialOpts lets tests reach an in-memory daemon; no flag can set it.
	dialOpts []grpc.DialOption
	// started is set once flags and arguments are parsed and a command
	// begins to run: an error before that point is a usage error.
	started bool
}

// run executes tradectl with args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, dialOpts []grpc.DialOption) int {
	return runWithInput(ctx, args, stdinInput(), stdout, stderr, dialOpts)
}

// runWithInput is run asking the user on in.
func runWithInput(ctx context.Context, args []string, in input, stdout, stderr io.Writer, dialOpts []grpc.DialOption) int {
	a := &app{stdout: stdout, stderr: stderr, dialOpts: dialOpts, in: in}
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && !a.started {
		err = usageError{err}
	}
	return a.exit(err)
}

func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "tradectl",
		Short: "Control tradingd, the trading daemon",
		Long: `tradectl starts, stops and observes tradingd's trading session over gRPC:
its health, orders, portfolio and risk guard. It also lists the sessions and
fills tradingd has stored, resumes a session a crash interrupted, and backs
up tradingd's store.

It authenticates with the bearer token tradingd writes to its data directory
($XDG_STATE_HOME/tradectl/token, else ~/.local/state/tradectl/token).

` + exitCodeHelp(),
		SilenceErrors: true, // run prints errors in one format, with hints
		SilenceUsage:  true, // a failed RPC is not a reason to print usage
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := checkUTF8(cmd, args); err != nil {
				return usageError{err}
			}
			if a.timeout < 0 {
				return usageError{fmt.Errorf("--timeout %s: must not be negative (0: no time limit)", a.timeout)}
			}
			p, err := newPrinter(a.output, a.stdout)
			if err != nil {
				return usageError{err}
			}
			a.printer, a.started = p, true
			return nil
		},
	}
	// When the default cannot be computed (no home directory) the flag is
	// empty and reading the token says so, naming the flag to set.
	tokenFile, _ := client.DefaultTokenFile()
	f := root.PersistentFlags()
	f.StringVar(&a.addr, "addr", envOr("TRADECTL_ADDR", client.DefaultAddr), "tradingd address (env TRADECTL_ADDR)")
	f.StringVar(&a.tokenFile, "token-file", envOr("TRADECTL_TOKEN_FILE", tokenFile), "file holding tradingd's token (env TRADECTL_TOKEN_FILE)")
	f.DurationVar(&a.timeout, "timeout", 10*time.Second, "time limit of each call, 0 for none (stop waits at least its --deadline plus 5s)")
	f.StringVarP(&a.output, "output", "o", "table", "output format: table or json")
	a.tls.register(f)
	root.AddCommand(newStartCommand(a), newStopCommand(a), newStatusCommand(a), newWatchHealthCommand(a),
		newStrategiesCommand(a), newOrdersCommand(a), newPortfolioCommand(a), newWatchOrdersCommand(a), newBacktestCommand(a),
		newKillSwitchCommand(a), newSessionsCommand(a), newFillsCommand(a), newEquityCommand(a), newBackupCommand(a))
	return root
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// withClient connects to tradingd and runs fn with ctx bounded by timeout
// (0: bounded only by ctx).
func (a *app) withClient(ctx context.Context, timeout time.Duration, fn func(context.Context, *client.Client) error) error {
	opts := append(a.tls.options(), client.WithTokenFile(a.tokenFile), client.WithDialOptions(a.dialOpts...))
	c, err := client.New(a.addr, opts...)
	if errors.Is(err, client.ErrPlaintext) { // said with the flags that fix it
		return fmt.Errorf("%w: refusing to send the token in clear to %s: give --tls-ca (and --tls-cert/--tls-key "+
			"for mutual TLS), or --insecure on a network you trust entirely", client.ErrPlaintext, a.addr)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return fn(ctx, c)
}

// exit prints err as one line (and a hint line where one helps) on stderr
// and returns its exit code.
func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	code, hint := classify(err, a.addr)
	if h := a.tls.hint(err); h != "" {
		hint = h
	}
	fmt.Fprintf(a.stderr, "tradectl: %v\n", err)
	if hint != "" {
		fmt.Fprintf(a.stderr, "tradectl: %s\n", hint)
	}
	return code
}

// fetch makes one call with the --timeout bound and returns its answer.
func fetch[T any](ctx context.Context, a *app, call func(context.Context, *client.Client) (T, error)) (resp T, err error) {
	err = a.withClient(ctx, a.timeout, func(ctx context.Context, c *client.Client) error {
		resp, err = call(ctx, c)
		return err
	})
	return resp, err
}
