package service

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tradectl/tradectl/internal/settings/settingspb"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// Translation between the wire and the domain, and nothing else.

func sessionToProto(s session.Snapshot) *tradingv1.Session {
	sum := s.Summary
	p := &tradingv1.Session{
		Id:        s.ID,
		State:     stateToProto(s.State),
		Settings:  settingspb.ToProto(s.Settings),
		StartTime: timestamppb.New(s.StartTime),
		EndTime:   optTime(s.EndTime),
		Reason:    s.Reason,
		Summary: &tradingv1.SessionSummary{
			Ticks:               sum.Ticks,
			Orders:              sum.Orders,
			Fills:               sum.Fills,
			QuoteCurrency:       sum.QuoteCurrency,
			StartingEquity:      sum.StartingEquity.String(),
			Equity:              sum.Equity.String(),
			Cash:                sum.Cash.String(),
			RealizedPnl:         sum.RealizedPnL.String(),
			UnrealizedPnl:       sum.UnrealizedPnL.String(),
			FeesPaid:            sum.FeesPaid.String(),
			CoordinatorRestarts: sum.CoordinatorRestarts,
			MonitorRestarts:     sum.MonitorRestarts,
			UnstoppedChildren:   sum.Unstopped,
			Risk:                riskToProto(sum.Risk),
			OpenOrders:          uint32(sum.OpenOrders),
		},
	}
	for _, pos := range sum.Positions {
		p.Summary.Positions = append(p.Summary.Positions, positionToProto(pos))
	}
	return p
}

func reportToProto(r *session.Report) *tradingv1.HealthReport {
	if r == nil {
		return nil
	}
	p := &tradingv1.HealthReport{
		Time:         timestamppb.New(r.Time),
		Status:       statusToProto(r.Status),
		Reason:       r.Reason,
		SessionId:    r.SessionID,
		SessionState: stateToProto(r.State),
		Uptime:       durationpb.New(r.Uptime),
		Ticks:        r.Ticks,
		Orders:       r.Orders,
		Fills:        r.Fills,
		Equity:       r.Equity.String(),
		PeakEquity:   r.PeakEquity.String(),
		MaxDrawdown:  r.MaxDrawdown.String(),
		Pnl:          r.PnL.String(),
		Restarts:     r.Restarts,
		LastError:    r.LastError,
		Sequence:     r.Sequence,
	}
	for _, c := range r.Components {
		p.Components = append(p.Components, &tradingv1.ComponentHealth{
			Name:         c.Name,
			Status:       statusToProto(c.Status),
			Reason:       c.Reason,
			LastProgress: optTime(c.LastProgress),
		})
	}
	return p
}

func optTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func stateToProto(s session.State) tradingv1.SessionState {
	switch s {
	case session.StateStarting:
		return tradingv1.SessionState_SESSION_STATE_STARTING
	case session.StateRunning:
		return tradingv1.SessionState_SESSION_STATE_RUNNING
	case session.StateStopping:
		return tradingv1.SessionState_SESSION_STATE_STOPPING
	case session.StateStopped:
		return tradingv1.SessionState_SESSION_STATE_STOPPED
	case session.StateFailed:
		return tradingv1.SessionState_SESSION_STATE_FAILED
	case session.StateInterrupted:
		return tradingv1.SessionState_SESSION_STATE_INTERRUPTED
	case session.StateAbandoned:
		return tradingv1.SessionState_SESSION_STATE_ABANDONED
	}
	return tradingv1.SessionState_SESSION_STATE_UNSPECIFIED
}

func statusToProto(s sessionhealth.Status) tradingv1.HealthStatus {
	switch s {
	case sessionhealth.StatusHealthy:
		return tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY
	case sessionhealth.StatusDegraded:
		return tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED
	case sessionhealth.StatusUnhealthy:
		return tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY
	case sessionhealth.StatusIdle:
		return tradingv1.HealthStatus_HEALTH_STATUS_IDLE
	}
	return tradingv1.HealthStatus_HEALTH_STATUS_UNSPECIFIED
}
