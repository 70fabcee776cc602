package daemon

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/transport"
)

// newRegistry holds everything /metrics serves: RPC metrics, the Go
// runtime (go_goroutines is the first thing to graph when hunting a leak),
// the process, and the session's gauges, read at scrape time so that the
// trading loop does no metrics work of its own.
func newRegistry(m *session.Manager, rpc prometheus.Collector, extra ...prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), rpc)
	reg.MustRegister(extra...)
	latest := func(f func(*session.Report) float64) func() float64 {
		return func() float64 {
			_, _, r := m.Status()
			if r == nil {
				return 0
			}
			return f(r)
		}
	}
	opts := func(name, help string) prometheus.GaugeOpts {
		return prometheus.GaugeOpts{Namespace: "tradectl", Subsystem: "session", Name: name, Help: help}
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(opts("state", "Session state: 0 none, 1 starting, 2 running, 3 stopping, 4 stopped, 5 failed."),
			latest(func(r *session.Report) float64 { return float64(r.State) })),
		prometheus.NewGaugeFunc(opts("health_status", "Health: 1 idle, 2 healthy, 3 degraded, 4 unhealthy."),
			latest(func(r *session.Report) float64 { return float64(r.Status) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "tradectl", Subsystem: "session", Name: "ticks_total",
			Help: "Ticks completed by the current session."},
			func() float64 { snap, _, _ := m.Status(); return float64(snap.Summary.Ticks) }),
		prometheus.NewGaugeFunc(opts("last_tick_age_seconds", "Seconds since the trading loop last completed a tick (0 when no session runs)."),
			func() float64 {
				// Read live, not from the last report: reports are
				// published on change, so theirs may be minutes old.
				snap, ok, _ := m.Status()
				if !ok || snap.State != session.StateRunning || snap.Summary.LastTick.IsZero() {
					return 0
				}
				return time.Since(snap.Summary.LastTick).Seconds()
			}),
		prometheus.NewGaugeFunc(opts("restarts", "Child restarts in the current session."),
			latest(func(r *session.Report) float64 { return float64(r.Restarts) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "tradectl", Subsystem: "session", Name: "stop_failures_total",
			Help: "Children (trading loop, monitor) that failed, a panic say, while being stopped, in every session since tradingd started."},
			func() float64 { return float64(m.StopFailures()) }),
		prometheus.NewGaugeFunc(opts("health_watchers", "Open WatchHealth subscriptions."),
			func() float64 { return float64(m.Watchers()) }),
		prometheus.NewGaugeFunc(opts("order_watchers", "Open WatchOrders subscriptions."),
			func() float64 { return float64(m.OrderWatchers()) }),
	)
	return reg
}

// The metrics server is open to whoever reaches its address, so it is
// bounded like the gRPC one: a scraper needs one connection and answers in
// well under a second, and a client that opens sockets and sends nothing,
// or keeps them alive idle, must not hold them (or the file descriptors
// the gRPC server needs) for long.
const (
	metricsMaxConns        = 64
	metricsMaxConnsPerPeer = 16
)

func newMetricsServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    8 << 10,
	}
}

// connMetrics reports the gRPC listener's connections.
func connMetrics(c *transport.ConnCap) prometheus.Collector {
	return &collectorList{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "tradectl", Subsystem: "grpc", Name: "connections_open",
			Help: "gRPC connections open now (at most --max-conns)."},
			func() float64 { return float64(c.Open()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "tradectl", Subsystem: "grpc", Name: "connections_refused_total",
			Help: "gRPC connections closed on accept because --max-conns or --max-conns-per-peer was reached."},
			func() float64 { return float64(c.Refused()) }),
	}
}

// collectorList is several collectors registered as one.
type collectorList []prometheus.Collector

func (l *collectorList) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range *l {
		c.Describe(ch)
	}
}

func (l *collectorList) Collect(ch chan<- prometheus.Metric) {
	for _, c := range *l {
		c.Collect(ch)
	}
}
