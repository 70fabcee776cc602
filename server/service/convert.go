package service

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/session"
)

// Translation between the wire and the domain, and nothing else.

// SettingsFromProto translates settings; a malformed decimal is an
// *InvalidSettingsError naming the field.
func SettingsFromProto(p *tradingv1.SessionSettings) (session.Settings, error) {
	s := session.Settings{Mode: session.ModePaper}
	if p == nil {
		return s, nil
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
	// The domain reads a zero interval as unset; one given must be
	// positive, or the default would stand in for it.
	for _, d := range []struct {
		field string
		given *durationpb.Duration
		def   time.Duration
	}{{"settings.tick_interval", p.GetTickInterval(), session.DefaultTick},
		{"settings.health_interval", p.GetHealthInterval(), 0}} {
		if d.given != nil && d.given.AsDuration() == 0 {
			def := "the default"
			if d.def > 0 {
				def += ", " + d.def.String()
			}
			return s, &session.InvalidSettingsError{Field: d.field, Reason: "0s: must be positive (leave it unset for " + def + ")"}
		}
	}
	s.AutoRestart = p.GetAutoRestart()
	s.Seed = p.GetSeed()
	s.Strategy = p.GetStrategy()
	s.Params = p.GetParams()
	s.Latency = p.GetLatency().AsDuration()
	if p.MakerFeeBps != nil {
		v := p.GetMakerFeeBps()
		s.MakerFeeBps = &v
	}
	if p.TakerFeeBps != nil {
		v := p.GetTakerFeeBps()
		s.TakerFeeBps = &v
	}
	var err error
	if s.StartingCash, err = decimalField("settings.starting_cash", p.GetStartingCash(), money.Decimal{}); err != nil {
		return s, err
	}
	// The domain reads a zero cash as unset; one given must be positive.
	if p.GetStartingCash() != "" && !s.StartingCash.IsPositive() {
		return s, &session.InvalidSettingsError{Field: "settings.starting_cash",
			Reason: fmt.Sprintf("%s: must be positive (leave it unset for the default, %s)", echo.Quote(p.GetStartingCash()), session.DefaultStartingCash)}
	}
	if err := accountFromProto(p, &s); err != nil {
		return s, err
	}
	if p.GetRisk() != nil {
		l, err := riskFromProto(p.GetRisk())
		if err != nil {
			return s, err
		}
		s.Risk = &l
	}
	return s, nil
}

// riskFromProto applies the request's limits over the defaults: an empty
// decimal keeps the default, "0" turns the limit off; an int of 0 keeps the
// default and a negative one turns it off.
func riskFromProto(p *tradingv1.RiskLimits) (risk.Limits, error) {
	l := risk.DefaultLimits()
	var err error
	for _, f := range []struct {
		name string
		text string
		dst  *money.Decimal
	}{
		{"settings.risk.max_order_notional", p.GetMaxOrderNotional(), &l.MaxOrderNotional},
		{"settings.risk.max_position", p.GetMaxPosition(), &l.MaxPosition},
		{"settings.risk.max_drawdown", p.GetMaxDrawdown(), &l.MaxDrawdown},
		{"settings.risk.max_trailing_drawdown", p.GetMaxTrailingDrawdown(), &l.MaxTrailingDrawdown},
	} {
		if *f.dst, err = decimalField(f.name, f.text, *f.dst); err != nil {
			return l, err
		}
	}
	l.MaxOpenOrders = intLimit(p.GetMaxOpenOrders(), l.MaxOpenOrders)
	l.MaxOrdersPerSecond = intLimit(p.GetMaxOrdersPerSecond(), l.MaxOrdersPerSecond)
	return l, nil
}

func intLimit(v int32, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return int(v)
}

func decimalField(field, text string, def money.Decimal) (money.Decimal, error) {
	if text == "" {
		return def, nil
	}
	d, err := money.Parse(text)
	if err != nil {
		return def, &session.InvalidSettingsError{Field: field, Reason: err.Error()}
	}
	return d, nil
}

func settingsToProto(s session.Settings) *tradingv1.SessionSettings {
	p := &tradingv1.SessionSettings{
		Mode:        tradingv1.Mode_MODE_PAPER,
		Symbols:     s.Symbols,
		AutoRestart: s.AutoRestart,
		Seed:        s.Seed,
	}
	if s.Mode == session.ModeLive {
		p.Mode = tradingv1.Mode_MODE_LIVE
	}
	// Zero is unset, and sent as such: a zero given is refused.
	if s.HealthInterval > 0 {
		p.HealthInterval = durationpb.New(s.HealthInterval)
	}
	if s.TickInterval > 0 {
		p.TickInterval = durationpb.New(s.TickInterval)
	}
	if s.Duration > 0 {
		p.Duration = durationpb.New(s.Duration)
	}
	p.Strategy = s.Strategy
	p.Params = s.Params
	if s.Latency > 0 {
		p.Latency = durationpb.New(s.Latency)
	}
	p.MakerFeeBps, p.TakerFeeBps = s.MakerFeeBps, s.TakerFeeBps
	if !s.StartingCash.IsZero() {
		p.StartingCash = s.StartingCash.String()
	}
	accountToProto(s, p)
	if l := s.Risk; l != nil {
		p.Risk = &tradingv1.RiskLimits{
			MaxOrderNotional: l.MaxOrderNotional.String(), MaxPosition: l.MaxPosition.String(),
			MaxOpenOrders: offInt(l.MaxOpenOrders), MaxOrdersPerSecond: offInt(l.MaxOrdersPerSecond),
			MaxDrawdown: l.MaxDrawdown.String(), MaxTrailingDrawdown: l.MaxTrailingDrawdown.String(),
		}
	}
	return p
}

// offInt writes "no limit" (0 in the domain) as -1 on the wire, where 0
// means "the default".
func offInt(v int) int32 {
	if v == 0 {
		return -1
	}
	return int32(v)
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
