package service

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/health"
	"github.com/tradectl/tradectl/server/session"
)

// Translation between the wire and the domain, and nothing else.

func settingsFromProto(p *tradingv1.SessionSettings) session.Settings {
	s := session.Settings{Mode: session.ModePaper}
	if p == nil {
		return s
	}
	switch p.GetMode() {
	case tradingv1.Mode_MODE_PAPER:
		s.Mode = session.ModePaper
	case tradingv1.Mode_MODE_LIVE:
		s.Mode = session.ModeLive
	default:
		// Unspecified means the safe choice: paper.
		s.Mode = session.ModePaper
	}
	s.Symbols = p.GetSymbols()
	s.Duration = p.GetDuration().AsDuration()
	s.HealthInterval = p.GetHealthInterval().AsDuration()
	s.TickInterval = p.GetTickInterval().AsDuration()
	s.AutoRestart = p.GetAutoRestart()
	s.Seed = p.GetSeed()
	return s
}

func settingsToProto(s session.Settings) *tradingv1.SessionSettings {
	p := &tradingv1.SessionSettings{
		Mode:           tradingv1.Mode_MODE_PAPER,
		Symbols:        s.Symbols,
		HealthInterval: durationpb.New(s.HealthInterval),
		TickInterval:   durationpb.New(s.TickInterval),
		AutoRestart:    s.AutoRestart,
		Seed:           s.Seed,
	}
	if s.Mode == session.ModeLive {
		p.Mode = tradingv1.Mode_MODE_LIVE
	}
	if s.Duration > 0 {
		p.Duration = durationpb.New(s.Duration)
	}
	return p
}

func sessionToProto(s session.Snapshot) *tradingv1.Session {
	sum := s.Summary
	p := &tradingv1.Session{
		Id:        s.ID,
		State:     stateToProto(s.State),
		Settings:  settingsToProto(s.Settings),
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
		},
	}
	for _, pos := range sum.Positions {
		p.Summary.Positions = append(p.Summary.Positions, &tradingv1.Position{
			Symbol:        pos.Symbol,
			Quantity:      pos.Quantity.String(),
			AveragePrice:  pos.AveragePrice.String(),
			MarkPrice:     pos.MarkPrice.String(),
			UnrealizedPnl: pos.UnrealizedPnL.String(),
		})
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
	}
	return tradingv1.SessionState_SESSION_STATE_UNSPECIFIED
}

func statusToProto(s health.Status) tradingv1.HealthStatus {
	switch s {
	case health.StatusHealthy:
		return tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY
	case health.StatusDegraded:
		return tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED
	case health.StatusUnhealthy:
		return tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY
	case health.StatusIdle:
		return tradingv1.HealthStatus_HEALTH_STATUS_IDLE
	}
	return tradingv1.HealthStatus_HEALTH_STATUS_UNSPECIFIED
}
