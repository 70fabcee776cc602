package daemon

import (
	"context"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Config is the daemon's configuration after flags and environment. Its
// types are the daemon's own, so that tradingd fills it without importing
// the session or the store.
type Config struct {
	// Listener serves gRPC. The caller opens it, so tests can use bufconn
	// and a busy port is reported before anything starts.
	Listener net.Listener
	// MetricsListener serves /metrics; nil disables it.
	MetricsListener net.Listener
	// HTTPListener serves the dashboard and TradingService to browsers
	// (server/internal/web), over TLS when TLS is set; nil disables it.
	HTTPListener net.Listener
	// HTTPHosts are names, besides HTTPListener's address (and loopback's
	// names when it is loopback), a browser may reach the dashboard by.
	HTTPHosts []string
	Token     Token
	// TokenFile, if set, is watched: a new token written there (tradingd
	// token rotate) replaces Token without a restart.
	TokenFile string
	// TLS, if set, serves gRPC over TLS (mutual TLS if it has a client
	// CA); nil serves plaintext.
	TLS *TLS
	// Reload re-reads TokenFile and the TLS files at once (main delivers
	// SIGHUP here); they are also polled every ReloadInterval (default 3s).
	Reload         <-chan os.Signal
	ReloadInterval time.Duration
	// HealthInterval is the health report interval of sessions that name
	// none (HEALTH_CHECK_INTERVAL); zero is DefaultHealthInterval.
	HealthInterval time.Duration
	// StopTimeout bounds a session's stop that nobody gave a deadline to,
	// the daemon's shutdown included; zero is 10s.
	StopTimeout time.Duration
	// Store, from OpenStore, keeps sessions, orders and the audit log
	// durable; nil keeps them in memory. Run closes it after the last
	// session has stopped.
	Store *Store
	// ShutdownTimeout bounds GracefulStop; then open streams are cut.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// Limits bound message sizes, streams, watchers and call rates.
	Limits Limits
	// Venue is where live sessions (MODE_LIVE) trade; nil refuses them.
	// New checks it: see VenueConfig.Check.
	Venue *VenueConfig

	// session is what the sessions' options start from: the daemon's
	// tests set hooks there (a Build whose strategy hangs, say) that no
	// caller outside the daemon has a use for.
	session session.Options
	// venue replaces the venue Venue names (a test's fake).
	venue assemble.LiveVenue
}

// Health report intervals: the default, and the bounds tradingd accepts.
const (
	DefaultHealthInterval = settings.DefaultHealth
	MinHealthInterval     = settings.MinHealthInterval
	MaxHealthInterval     = settings.MaxHealthInterval
)

// sessionOptions are the options sessions run with: cfg.session, with what
// Config says on top.
func (cfg Config) sessionOptions() session.Options {
	opts := cfg.session
	if cfg.HealthInterval > 0 {
		opts.HealthInterval = cfg.HealthInterval
	}
	if cfg.StopTimeout > 0 {
		opts.StopTimeout = cfg.StopTimeout
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second
	}
	if cfg.Store != nil {
		opts.Store = cfg.Store.st
	}
	if opts.Assembler == nil {
		opts.Assembler = assemble.Paper{} // the one venue there is
	}
	return opts
}

// Durability is what a committed tick survives.
type Durability = store.Durability

// Durabilities: DurabilityProcess survives a crash or kill -9,
// DurabilityMachine power loss too (an fsync per tick).
const (
	DurabilityProcess = store.DurabilityProcess
	DurabilityMachine = store.DurabilityMachine
)

// DefaultMaxBackups is how many backups the backup directory may hold
// unless told otherwise.
const DefaultMaxBackups = store.DefaultMaxBackups

// StoreConfig says where and how the daemon keeps its state.
type StoreConfig struct {
	// Dir is the data directory; the store is a file in it.
	Dir        string
	Durability Durability
	// BackupDir is the only directory Backup writes to (default
	// <Dir>/backups); MaxBackups the most files it may hold.
	BackupDir  string
	MaxBackups int
}

// Store is the daemon's durable store, opened by OpenStore and handed to
// New in Config.Store.
type Store struct {
	st store.Store
}

// OpenStore opens the store in cfg.Dir and recovers from a crash before
// any session starts (store.OpenRecovered). Any error means the daemon
// must not trade: the caller exits.
func OpenStore(ctx context.Context, cfg StoreConfig, log *slog.Logger) (*Store, error) {
	st, err := store.OpenRecovered(ctx, cfg.Dir, store.Options{Durability: cfg.Durability, BackupDir: cfg.BackupDir,
		MaxBackups: cfg.MaxBackups}, log)
	if err != nil {
		return nil, err
	}
	return &Store{st: st}, nil
}

// Close closes the store. Run does so itself; Close is for a caller that
// gives up before Run.
func (s *Store) Close() error { return s.st.Close() }
