package daemon

import (
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// TradingHealthService is the grpc.health.v1 service name whose status
// follows the trading session: SERVING while a session runs and its work is
// fresh (HEALTHY or DEGRADED), NOT_SERVING otherwise. Probe "" for "is the
// daemon up" and this name for "is it trading".
const TradingHealthService = "tradectl.trading"

// servingStatus maps a report onto grpc.health.v1. DEGRADED still serves:
// the loop is late but trading, and an orchestrator restarting the daemon
// over a few late ticks would do more harm than the lateness.
func servingStatus(r *session.Report) healthpb.HealthCheckResponse_ServingStatus {
	if r.State != session.StateRunning {
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
	switch r.Status {
	case sessionhealth.StatusHealthy, sessionhealth.StatusDegraded:
		return healthpb.HealthCheckResponse_SERVING
	}
	return healthpb.HealthCheckResponse_NOT_SERVING
}

// followReports returns an OnReport hook that keeps hs in step.
func followReports(hs *health.Server) func(*session.Report) {
	return func(r *session.Report) {
		hs.SetServingStatus(TradingHealthService, servingStatus(r))
	}
}
