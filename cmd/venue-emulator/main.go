// Command venue-emulator is the rehearsal venue: a fake Binance Spot on
// loopback (package venueemu) serving the REST subset, the depth streams
// and the WebSocket API user data stream that tradingd's live adapter uses,
// backed by this project's simulated market and matching engine. Point
// tradingd at it with --venue-url and the same keys.
//
// It prints "venue-emulator: listening on http://127.0.0.1:PORT" on stdout
// once it serves, and stops on SIGTERM or SIGINT. GET /emulator/ledger
// shows every order request, order and trade; POST /emulator/faults sets a
// fault plan (see venueemu.Faults).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venueemu"
)

// Exit codes: 0 after a clean stop, 1 when serving failed, 2 for bad
// configuration.
const (
	exitFailed = 1
	exitConfig = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, listen, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "venue-emulator:", err)
		}
		return exitConfig
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	e, err := venueemu.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "venue-emulator:", err)
		return exitConfig
	}
	if err := e.Start(listen); err != nil {
		fmt.Fprintln(stderr, "venue-emulator:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "venue-emulator: listening on %s\n", e.URL())
	<-ctx.Done()
	_ = e.Close()
	return 0
}

func parse(args []string, stderr io.Writer) (venueemu.Config, string, error) {
	var cfg venueemu.Config
	fs := flag.NewFlagSet("venue-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to serve on (port 0 picks one)")
	symbols := fs.String("symbols", "BTC-USD", "comma-separated symbols (ours, BASE-USD), listed as BASE+quote")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the simulated market")
	fs.StringVar(&cfg.Quote, "quote", "USDT", "the quote asset USD stands for")
	apiKey := fs.String("api-key", "", "the account's API key (or --keys, or env TRADECTL_BINANCE_API_KEY)")
	secret := fs.String("secret", "", "the account's secret (or --keys, or env TRADECTL_BINANCE_SECRET)")
	keys := fs.String("keys", "", "file of api_key=... and secret=... lines, mode 0600, as tradingd's --venue-keys")
	balances := fs.String("balances", "USDT=100000", "opening balances: ASSET=AMOUNT,...")
	fee := fs.Int64("fee-bps", 10, "maker and taker commission in basis points, charged in the quote asset")
	fs.DurationVar(&cfg.Step, "step", 100*time.Millisecond, "simulated market update interval")
	fs.IntVar(&cfg.Levels, "levels", 10, "simulated book depth per side (1 to 20)")
	fs.Int64Var(&cfg.Limits.WeightPerMinute, "weight-limit", 6000, "request weight per minute before 429")
	fs.Int64Var(&cfg.Limits.OrdersPer10s, "orders-per-10s", 50, "new orders per 10 seconds before 429 -1015")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*symbols, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Symbols = append(cfg.Symbols, s)
		}
	}
	if len(cfg.Symbols) == 0 {
		return cfg, "", errors.New("--symbols is empty")
	}
	if *fee < 0 || *fee > 10_000 {
		return cfg, "", fmt.Errorf("--fee-bps %d: must be within [0, 10000]", *fee)
	}
	cfg.Fees = &venueemu.Fees{MakerBps: *fee, TakerBps: *fee}
	if cfg.Step <= 0 || cfg.Levels <= 0 || cfg.Limits.WeightPerMinute <= 0 || cfg.Limits.OrdersPer10s <= 0 {
		return cfg, "", errors.New("--step, --levels, --weight-limit and --orders-per-10s must be positive")
	}
	var err error
	if cfg.Balances, err = parseBalances(*balances); err != nil {
		return cfg, "", err
	}
	cfg.APIKey, cfg.Secret = *apiKey, *secret
	if *keys != "" {
		if cfg.APIKey != "" || cfg.Secret != "" {
			return cfg, "", errors.New("give --keys or --api-key/--secret, not both")
		}
		if cfg.APIKey, cfg.Secret, err = readKeys(*keys); err != nil {
			return cfg, "", err
		}
	}
	if cfg.APIKey == "" && cfg.Secret == "" {
		cfg.APIKey, cfg.Secret = os.Getenv("TRADECTL_BINANCE_API_KEY"), os.Getenv("TRADECTL_BINANCE_SECRET")
	}
	if cfg.APIKey == "" || cfg.Secret == "" {
		return cfg, "", errors.New("an API key and a secret are required: --keys FILE, --api-key and --secret, or the environment")
	}
	return cfg, *listen, nil
}

func parseBalances(s string) (map[string]money.Decimal, error) {
	out := map[string]money.Decimal{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		asset, amount, ok := strings.Cut(kv, "=")
		if !ok || asset == "" {
			return nil, fmt.Errorf("--balances %q: want ASSET=AMOUNT,...", s)
		}
		d, err := money.Parse(amount)
		if err != nil || d.IsNegative() {
			return nil, fmt.Errorf("--balances: %s: %q is not an amount", asset, amount)
		}
		out[strings.ToUpper(asset)] = d
	}
	return out, nil
}

// readKeys reads api_key= and secret= lines from a file that only its
// owner may read, as tradingd reads its keys.
func readKeys(path string) (key, secret string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("--keys: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", "", fmt.Errorf("--keys: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", "", fmt.Errorf("--keys %s: mode %04o, want 0600: others may read it", path, fi.Mode().Perm())
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		switch k = strings.TrimSpace(k); {
		case !ok:
			return "", "", fmt.Errorf("--keys %s: a line is not name=value", path)
		case k == "api_key":
			key = strings.TrimSpace(v)
		case k == "secret":
			secret = strings.TrimSpace(v)
		default:
			return "", "", fmt.Errorf("--keys %s: unknown name %q", path, k)
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("--keys: %w", err)
	}
	if key == "" || secret == "" {
		return "", "", fmt.Errorf("--keys %s: want both api_key= and secret=", path)
	}
	return key, secret, nil
}
