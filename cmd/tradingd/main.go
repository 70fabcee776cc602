// Command tradingd is the trading daemon: it runs one trading session at a
// time and is controlled over gRPC by tradectl or any gRPC client.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tradectl/tradectl/internal/endpoint"
	"github.com/tradectl/tradectl/server/daemon"
)

// Exit codes: 0 after a clean shutdown, 1 when serving failed, 2 for bad
// configuration.
const (
	exitFailed = 1
	exitConfig = 2
)

type config struct {
	listen, metricsListen string
	httpListen            string
	httpHosts             []string
	dataDir, tokenFile    string
	backupDir             string
	maxBackups            int
	healthInterval        time.Duration
	stopTimeout           time.Duration
	shutdownTimeout       time.Duration
	logFormat, logLevel   string
	durability            daemon.Durability
	security              securityFlags
	limits                daemon.Limits
	venueOpts             venueFlags
	venue                 *daemon.VenueConfig
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "token" {
		os.Exit(runToken(os.Args[2:], os.Stdout, os.Stderr))
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "tradingd: %v\n", err)
		os.Exit(exitConfig)
	}
	os.Exit(run(cfg))
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("tradingd", flag.ContinueOnError)
	defaultHealth, err := healthIntervalFromEnv()
	if err != nil {
		return c, err
	}
	dataDir, _ := endpoint.DefaultDataDir()
	fs.StringVar(&c.listen, "listen", envOr("TRADINGD_LISTEN", endpoint.DefaultAddr), "gRPC listen address (env TRADINGD_LISTEN)")
	fs.StringVar(&c.metricsListen, "metrics-listen", envOr("TRADINGD_METRICS_LISTEN", "127.0.0.1:7444"), "Prometheus /metrics address; empty disables (env TRADINGD_METRICS_LISTEN)")
	fs.StringVar(&c.httpListen, "http-listen", envOr("TRADINGD_HTTP_LISTEN", "127.0.0.1:7445"),
		"dashboard address: the page, and the API to browsers, over the same TLS as gRPC; empty disables (env TRADINGD_HTTP_LISTEN)")
	fs.Func("http-allowed-host", "a name browsers reach the dashboard by, besides its address (repeatable); other Host headers are refused",
		func(v string) error {
			if v == "" || (net.ParseIP(v) == nil && strings.ContainsAny(v, ":/ ")) {
				return fmt.Errorf("%q: give a host name, without a port or scheme", v)
			}
			c.httpHosts = append(c.httpHosts, v)
			return nil
		})
	fs.StringVar(&c.dataDir, "data-dir", envOr("TRADINGD_DATA_DIR", dataDir), "data directory (env TRADINGD_DATA_DIR)")
	fs.StringVar(&c.tokenFile, "token-file", "", "bearer token file (default <data-dir>/token)")
	fs.StringVar(&c.backupDir, "backup-dir", "", "the only directory Backup writes to, created 0700 and checked like the data directory (default <data-dir>/backups)")
	fs.IntVar(&c.maxBackups, "max-backups", daemon.DefaultMaxBackups, "most backups the backup directory may hold; past it Backup is refused until old ones are removed")
	fs.DurationVar(&c.healthInterval, "health-interval", defaultHealth, "default health report interval (env HEALTH_CHECK_INTERVAL: seconds or a Go duration)")
	fs.DurationVar(&c.stopTimeout, "stop-timeout", 10*time.Second, "how long a session gets to stop when nobody gave a deadline")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 5*time.Second, "how long open RPCs get at shutdown before they are cut")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.IntVar(&c.limits.MaxWatchers, "max-watchers", daemon.DefaultMaxWatchers,
		"most WatchHealth streams open at once; more are refused with RESOURCE_EXHAUSTED")
	fs.IntVar(&c.limits.MaxOrderWatchers, "max-order-watchers", daemon.DefaultMaxOrderWatchers,
		"most WatchOrders streams open at once, counted apart from WatchHealth's; more are refused with RESOURCE_EXHAUSTED")
	fs.IntVar(&c.limits.MaxConns, "max-conns", daemon.DefaultMaxConns,
		"most gRPC connections open at once; more are closed on accept")
	fs.IntVar(&c.limits.MaxConnsPerPeer, "max-conns-per-peer", daemon.DefaultMaxConnsPerPeer,
		"most gRPC connections open at once from one peer (an IPv4 address, an IPv6 /64)")
	fs.IntVar(&c.limits.MaxPublicStreams, "max-public-streams", daemon.DefaultMaxPublicStreams,
		"most streams open at once without a token (grpc.health.v1 Watch, reflection); more are refused with RESOURCE_EXHAUSTED")
	controlRate := fs.String("control-rate", daemon.DefaultControlRate.String(),
		"TradingService calls and streams per peer (loopback as a whole, an IPv4 address, an IPv6 /64) and 10 times that from all peers together: N/s, N/m or N/h (bursts of 2N, N at most 1000000), or off; health checks are never limited")
	durability := fs.String("durability", envOr("TRADINGD_DURABILITY", "process"),
		"what a committed tick survives: process (a crash or kill -9) or machine (also power loss; fsync per tick) (env TRADINGD_DURABILITY)")
	c.security.register(fs)
	c.venueOpts.register(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.dataDir == "" {
		return c, errors.New("no data directory: set --data-dir or TRADINGD_DATA_DIR")
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	// A path or address given empty is a mistake, not a request for the
	// default, which applies only to a flag left out.
	for name, v := range map[string]string{"token-file": c.tokenFile, "backup-dir": c.backupDir} {
		if given[name] && v == "" {
			return c, fmt.Errorf("--%s is empty: give a value, or leave the flag out for the default", name)
		}
	}
	if c.listen == "" {
		return c, errors.New("--listen (TRADINGD_LISTEN) is empty: give an address such as " + endpoint.DefaultAddr)
	}
	if c.tokenFile == "" {
		c.tokenFile = filepath.Join(c.dataDir, "token")
	}
	// The interval came from the flag, else from the variable, which
	// healthIntervalFromEnv checked and named.
	if given["health-interval"] {
		if err := checkHealthInterval(c.healthInterval); err != nil {
			return c, fmt.Errorf("--health-interval %s: %w", c.healthInterval, err)
		}
	}
	// Zero or negative is no timeout at all: refused, not replaced by the
	// default, which applies only when the flag is left out.
	for name, d := range map[string]time.Duration{"stop-timeout": c.stopTimeout, "shutdown-timeout": c.shutdownTimeout} {
		if d <= 0 {
			return c, fmt.Errorf("--%s %s: must be positive", name, d)
		}
	}
	switch *durability {
	case "process":
		c.durability = daemon.DurabilityProcess
	case "machine":
		c.durability = daemon.DurabilityMachine
	default:
		return c, fmt.Errorf("--durability %q: must be process or machine", *durability)
	}
	for name, n := range map[string]int{"max-watchers": c.limits.MaxWatchers, "max-conns": c.limits.MaxConns, "max-backups": c.maxBackups,
		"max-conns-per-peer": c.limits.MaxConnsPerPeer, "max-public-streams": c.limits.MaxPublicStreams} {
		if n <= 0 {
			return c, fmt.Errorf("--%s %d: must be positive", name, n)
		}
	}
	if c.limits.MaxOrderWatchers <= 0 {
		return c, fmt.Errorf("--max-order-watchers %d: must be positive", c.limits.MaxOrderWatchers)
	}
	if c.limits.ControlRate, err = daemon.ParseRate(*controlRate); err != nil {
		return c, fmt.Errorf("--control-rate: %w", err)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format %q: must be text or json", c.logFormat)
	}
	if err := c.security.check(c.listen, c.metricsListen, c.httpListen); err != nil {
		return c, err
	}
	if c.venue, err = c.venueOpts.config(given); err != nil {
		return c, err
	}
	return c, nil
}

// healthIntervalFromEnv reads HEALTH_CHECK_INTERVAL: an integer number of
// seconds (the original bot's convention) or a Go duration such as 10s.
func healthIntervalFromEnv() (time.Duration, error) {
	v, ok := os.LookupEnv("HEALTH_CHECK_INTERVAL")
	if !ok || v == "" {
		return daemon.DefaultHealthInterval, nil
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		// Checked before the multiplication, which would overflow and wrap
		// (18446744074 seconds would become 290ms).
		if n <= 0 || n > int64(daemon.MaxHealthInterval/time.Second) {
			return 0, fmt.Errorf("HEALTH_CHECK_INTERVAL=%q: %d seconds: %w", v, n, checkHealthInterval(-1))
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, fmt.Errorf("HEALTH_CHECK_INTERVAL=%q: want seconds (300) or a duration (5m)", v)
	}
	if err := checkHealthInterval(d); err != nil {
		return 0, fmt.Errorf("HEALTH_CHECK_INTERVAL=%q: %w", v, err)
	}
	return d, nil
}

func checkHealthInterval(d time.Duration) error {
	if d < daemon.MinHealthInterval || d > daemon.MaxHealthInterval {
		return fmt.Errorf("must be between %s and %s", daemon.MinHealthInterval, daemon.MaxHealthInterval)
	}
	return nil
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func run(c config) int {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "tradingd: --log-level %q: %v\n", c.logLevel, err)
		return exitConfig
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, hopts)
	if c.logFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, hopts)
	}
	log := slog.New(h)

	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		log.Error("cannot create data directory", "dir", c.dataDir, "err", err)
		return exitConfig
	}
	tok, err := daemon.LoadOrCreateToken(c.tokenFile)
	if err != nil {
		log.Error("cannot load the token", "file", c.tokenFile, "err", err)
		return exitConfig
	}
	serverTLS, err := c.security.load(log, c.listen, c.metricsListen, c.httpListen)
	if err != nil {
		log.Error("cannot load the TLS files", "err", err)
		return exitConfig
	}
	st, err := daemon.OpenStore(context.Background(), daemon.StoreConfig{Dir: c.dataDir, Durability: c.durability, BackupDir: c.backupDir,
		MaxBackups: c.maxBackups}, log)
	if err != nil {
		log.Error("cannot open the store; refusing to trade", "dir", c.dataDir, "err", err)
		return exitConfig
	}
	closeStore := func() { _ = st.Close() }
	lis, err := net.Listen("tcp", c.listen)
	if err != nil {
		closeStore()
		log.Error("cannot listen", "addr", c.listen, "err", err)
		return exitConfig
	}
	var mlis net.Listener
	if c.metricsListen != "" {
		if mlis, err = net.Listen("tcp", c.metricsListen); err != nil {
			lis.Close()
			closeStore()
			log.Error("cannot listen for metrics", "addr", c.metricsListen, "err", err)
			return exitConfig
		}
	}
	var hlis net.Listener
	if c.httpListen != "" {
		if hlis, err = net.Listen("tcp", c.httpListen); err != nil {
			lis.Close()
			if mlis != nil {
				mlis.Close()
			}
			closeStore()
			log.Error("cannot listen for the dashboard", "addr", c.httpListen, "err", err)
			return exitConfig
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup, stopHUP := reloadSignal()
	defer stopHUP()
	d := daemon.New(daemon.Config{
		Listener:        lis,
		MetricsListener: mlis,
		HTTPListener:    hlis,
		HTTPHosts:       c.httpHosts,
		Token:           tok,
		TokenFile:       c.tokenFile,
		TLS:             serverTLS,
		Reload:          hup,
		HealthInterval:  c.healthInterval,
		StopTimeout:     c.stopTimeout,
		Store:           st,
		ShutdownTimeout: c.shutdownTimeout,
		Limits:          c.limits,
		Logger:          log,
		Venue:           c.venue,
	})
	log.Info("tradingd starting", "data_dir", c.dataDir, "token_file", c.tokenFile, "health_interval", c.healthInterval)
	if err := d.Run(ctx); err != nil {
		log.Error("tradingd failed", "err", err)
		return exitFailed
	}
	return 0
}
