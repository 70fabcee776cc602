// Package settingspb translates a session's settings between the wire
// (tradingv1.SessionSettings) and the domain (settings.Settings), with the
// refusals that only the wire can make (a zero given where zero means
// "unset", a malformed decimal) named by field as settings' own are.
// tradingd's service and tradectl's backtest both read settings through
// it, so the CLI refuses what the daemon would without linking the daemon.
//
// It owns the translation and nothing else: it must never validate what
// settings.Validate checks, nor import the session, the service or the store.
// It is apart from package settings so that the engine's users (the
// backtester) need not link the wire.
package settingspb

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// FromProto translates settings from a request; a malformed decimal, or an
// interval or cash given as zero, is a *settings.InvalidError naming the
// field. Nil is paper with every default.
func FromProto(p *tradingv1.SessionSettings) (settings.Settings, error) {
	s := settings.Settings{Mode: settings.ModePaper}
	if p == nil {
		return s, nil
	}
	switch p.GetMode() {
	case tradingv1.Mode_MODE_PAPER:
		s.Mode = settings.ModePaper
	case tradingv1.Mode_MODE_LIVE:
		s.Mode = settings.ModeLive
	default:
		// Unspecified means the safe choice: paper.
		s.Mode = settings.ModePaper
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
	}{{"settings.tick_interval", p.GetTickInterval(), settings.DefaultTick},
		{"settings.health_interval", p.GetHealthInterval(), 0},
		{"settings.attach_grace", p.GetAttachGrace(), settings.DefaultAttachGrace},
		{"settings.answer_timeout", p.GetAnswerTimeout(), settings.DefaultAnswerTimeout}} {
		if d.given != nil && d.given.AsDuration() == 0 {
			def := "the default"
			if d.def > 0 {
				def += ", " + d.def.String()
			}
			return s, &settings.InvalidError{Field: d.field, Reason: "0s: must be positive (leave it unset for " + def + ")"}
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
		return s, &settings.InvalidError{Field: "settings.starting_cash",
			Reason: fmt.Sprintf("%s: must be positive (leave it unset for the default, %s)", echo.Quote(p.GetStartingCash()), settings.DefaultStartingCash)}
	}
	if err := accountFromProto(p, &s); err != nil {
		return s, err
	}
	remoteFromProto(p, &s)
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
		return def, &settings.InvalidError{Field: field, Reason: err.Error()}
	}
	return d, nil
}

// ToProto writes settings as the daemon reports them; FromProto reads them
// back unchanged.
func ToProto(s settings.Settings) *tradingv1.SessionSettings {
	p := &tradingv1.SessionSettings{
		Mode:        tradingv1.Mode_MODE_PAPER,
		Symbols:     s.Symbols,
		AutoRestart: s.AutoRestart,
		Seed:        s.Seed,
	}
	if s.Mode == settings.ModeLive {
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
	remoteToProto(s, p)
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
