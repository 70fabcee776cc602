// Package daemon is tradingd's single entry point: it wires the daemon
// together and runs it. It builds the gRPC server (the order of its
// interceptor chain, grpc.health.v1 following the session, reflection), the
// metrics server and the session manager from a Config of its own types,
// and runs them as a group of actors with the shutdown sequence.
//
// The pieces it wires live elsewhere: who may call and what is kept of it
// in server/internal/security, what a client can make the daemon hold in
// server/internal/transport, the store (opened and recovered by OpenStore)
// in server/internal/store, the RPCs in server/internal/service. It owns the order and the
// lifecycle, and must never hold trading logic, nor a mechanism one of
// those packages could own.
package daemon

import (
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/tradectl/tradectl/internal/remote"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/service"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
	"github.com/tradectl/tradectl/server/internal/transport"
	"github.com/tradectl/tradectl/server/internal/web"
)

// Daemon is a configured tradingd.
type Daemon struct {
	cfg     Config
	log     *slog.Logger
	Manager *session.Manager
	health  *health.Server
	grpc    *grpc.Server
	metrics *http.Server
	web     *http.Server // the dashboard; nil when off
	webRPCs *web.Handler // its RPCs, drained at shutdown
	token   *security.CurrentToken
	reload  *security.Reloader
	refused *security.Refusals
	failed  *security.Refusals // failed health checks, summed in the log
	// store is the sessions' (nil: in memory only), closed last by Run.
	store store.Store
	// strategies serves remote strategies (StrategyService) over the
	// registry the sessions register theirs in.
	strategies *remote.Service
	// trading is the TradingService, whose backtests end at shutdown.
	trading *service.Trading
	// stopTimeout bounds the session's stop at shutdown.
	stopTimeout time.Duration
}

// New builds the daemon; Run serves it.
func New(cfg Config) *Daemon {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	opts := cfg.sessionOptions()
	lv, err := cfg.liveVenue()
	if err != nil {
		panic("daemon: Config.Venue is invalid (check it with VenueConfig.Check first): " + err.Error())
	}
	if lv != nil {
		opts.Assembler = assemble.Live{Paper: assemble.Paper{}, Venue: lv}
		if p, ok := cfg.session.Assembler.(assemble.Paper); ok {
			opts.Assembler = assemble.Live{Paper: p, Venue: lv} // a test's hooks on paper sessions
		}
		info := lv.Info()
		cfg.Logger.Info("live venue configured", "venue", info.Venue, "environment", info.Environment,
			"production", info.Production, "quote", info.Quote, "keys", cfg.venueKeys())
	}
	if opts.Remote == nil {
		opts.Remote = remote.NewRegistry()
	}
	d := &Daemon{cfg: cfg, log: cfg.Logger, health: health.NewServer(), store: opts.Store, stopTimeout: opts.StopTimeout,
		strategies: remote.NewService(opts.Remote)}
	d.token = security.NewCurrentToken(cfg.Token)
	d.reload = security.NewReloader(security.ReloadConfig{Logger: cfg.Logger, TokenFile: cfg.TokenFile, TLS: cfg.TLS,
		Signals: cfg.Reload, Interval: cfg.ReloadInterval}, d.token)
	opts.Logger = cfg.Logger
	opts.OnReport = chainReports(followReports(d.health), opts.OnReport)
	d.Manager = session.NewManager(opts)

	rpcMetrics := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	cfg.Limits = cfg.Limits.WithDefaults()
	d.refused = security.NewRefusals(d.store, cfg.Logger)
	d.failed = security.NewFailures(cfg.Logger)
	codec := transport.NewUTF8Codec()
	conns := transport.NewConnCap(cfg.Listener, cfg.Limits.MaxConns, cfg.Limits.MaxConnsPerPeer)
	d.cfg.Listener = conns
	unary, stream := serverInterceptors(cfg.Logger, d.token, rpcMetrics, d.store, transport.NewGuards(cfg.Limits, d.token), d.refused, d.failed, codec)
	d.grpc = grpc.NewServer(append(cfg.Limits.ServerOptions(d.token), unary, stream, grpc.ForceServerCodecV2(codec),
		cfg.TLS.ServerOption(d.refused),
		// Handlers use the store (queries, the audit log): Stop must
		// not return, and the store be closed, while one still runs.
		grpc.WaitForHandlers(true),
	)...)
	trading := service.NewTrading(d.Manager, d.store, cfg.Logger)
	if lv != nil {
		trading.WithLiveVenue(lv)
	}
	d.trading = trading
	tradingv1.RegisterTradingServiceServer(d.grpc, trading)
	tradingv1.RegisterStrategyServiceServer(d.grpc, d.strategies)
	healthpb.RegisterHealthServer(d.grpc, d.health)
	reflection.Register(d.grpc)
	rpcMetrics.InitializeMetrics(d.grpc)
	d.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	d.health.SetServingStatus(TradingHealthService, healthpb.HealthCheckResponse_NOT_SERVING)

	if cfg.MetricsListener != nil {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(newRegistry(d.Manager, rpcMetrics, d.reload.TokenRefusedMetric(), connMetrics(conns)), promhttp.HandlerOpts{}))
		d.metrics = newMetricsServer(mux)
		d.cfg.MetricsListener = transport.NewConnCap(cfg.MetricsListener, metricsMaxConns, metricsMaxConnsPerPeer)
	}
	if cfg.HTTPListener != nil {
		d.web, d.webRPCs, d.cfg.HTTPListener = newWebServer(cfg, d.grpc, d.token)
	}
	return d
}

// newWebServer serves the dashboard over the gRPC server itself, so that a
// browser's calls pass the same interceptors. The listener is capped like
// the others: ServeHTTP gets none of the gRPC transport's own limits.
func newWebServer(cfg Config, g *grpc.Server, tok security.TokenMatcher) (*http.Server, *web.Handler, net.Listener) {
	h, err := web.New(web.Config{GRPC: g, Hosts: web.Hosts(cfg.HTTPListener.Addr(), cfg.HTTPHosts...), TLS: cfg.TLS != nil,
		MaxRequestBytes: int64(cfg.Limits.MaxRecvMsgSize), MaxResponseBytes: uint32(min(cfg.Limits.MaxSendMsgSize, math.MaxUint32)),
		MaxAwaiting: cfg.Limits.MaxAwaiting, MaxAwaitingPerPeer: cfg.Limits.MaxAwaitingPerPeer, Spare: bearerOf(tok),
		Log: cfg.Logger})
	if err != nil {
		panic("daemon: the dashboard's handler: " + err.Error()) // only a wiring mistake gets here
	}
	if host, _, _ := net.SplitHostPort(cfg.HTTPListener.Addr().String()); net.ParseIP(host).IsUnspecified() && len(cfg.HTTPHosts) == 0 {
		// No browser sends Host: 0.0.0.0, so every page load would be refused.
		cfg.Logger.Warn("the dashboard listens on every address but accepts no host name: give --http-allowed-host",
			"http_addr", cfg.HTTPListener.Addr().String())
	}
	srv := web.NewServer(h, cfg.Logger)
	if cfg.TLS != nil {
		srv.TLSConfig = cfg.TLS.HTTPConfig()
	}
	return srv, h, transport.NewConnCap(cfg.HTTPListener, web.MaxConns, web.MaxConnsPerPeer)
}

// bearerOf reports whether a dashboard request carries the token (the
// login cookie has become its Authorization header by then), as the gRPC
// port's count of waiting calls spares such calls. A bearer longer than
// any token is not hashed.
func bearerOf(tok security.TokenMatcher) func(*http.Request) bool {
	return func(r *http.Request) bool {
		scheme, presented, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		return ok && strings.EqualFold(scheme, "bearer") && len(presented) <= 4<<10 && tok.Matches(presented)
	}
}

func chainReports(fs ...func(*session.Report)) func(*session.Report) {
	return func(r *session.Report) {
		for _, f := range fs {
			if f != nil {
				f(r)
			}
		}
	}
}
