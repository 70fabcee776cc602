package session

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
)

// Mode is paper or live.
type Mode int

const (
	ModeUnspecified Mode = iota
	ModePaper
	ModeLive
)

// Limits on settings: generous, but they keep a typo from starting a loop
// that ticks every nanosecond or a session that reports once a year.
const (
	MaxSymbols        = 50
	MinTickInterval   = 10 * time.Millisecond
	MaxTickInterval   = time.Hour
	MinHealthInterval = 100 * time.Millisecond
	MaxHealthInterval = 24 * time.Hour
	MaxDuration       = 365 * 24 * time.Hour
	DefaultTick       = time.Second
	DefaultHealth     = 300 * time.Second
	DefaultStrategy   = "sma"
	MaxFeeBps         = 1000
	MaxLatency        = time.Minute
)

// DefaultStartingCash of a paper account, in USD.
var DefaultStartingCash = money.FromInt(100_000)

// maxStartingCash keeps every notional far inside money.Decimal's range.
var maxStartingCash = money.FromInt(1_000_000_000)

// DefaultSymbols is what a session trades when none are named.
var DefaultSymbols = []string{"BTC-USD"}

// Settings are a session's parameters. Zero durations mean "default", except
// Duration, where zero means "until stopped".
type Settings struct {
	Mode           Mode
	Symbols        []string
	Duration       time.Duration
	HealthInterval time.Duration
	TickInterval   time.Duration
	AutoRestart    bool
	// Seed of the paper market; zero lets the daemon pick one.
	Seed uint64
	// Strategy and its parameters (see strategy.Specs); "" is sma.
	Strategy string
	Params   map[string]string
	// Risk limits; nil takes risk.DefaultLimits.
	Risk *risk.Limits
	// Venue fees in basis points; nil takes the venue's defaults.
	MakerFeeBps, TakerFeeBps *int64
	// Latency from submission to the venue.
	Latency time.Duration
	// StartingCash of the paper account; zero takes DefaultStartingCash.
	StartingCash money.Decimal
	// Account is cash (the default) or margin, with a margin account's
	// borrowing limit (notional at the marks) and yearly interest.
	Account       Account
	MaxBorrow     money.Decimal
	BorrowRateBps int64
}

// Validate checks the settings as requested, before defaults.
func (s Settings) Validate() error {
	switch s.Mode {
	case ModePaper:
	case ModeLive:
		return ErrLiveUnavailable
	default:
		return &InvalidSettingsError{Field: "settings.mode", Reason: "must be MODE_PAPER or MODE_LIVE"}
	}
	if len(s.Symbols) > MaxSymbols {
		return &InvalidSettingsError{Field: "settings.symbols", Reason: "at most 50 symbols"}
	}
	if len(s.Symbols) > 0 {
		if err := paper.ValidateSymbols(s.Symbols); err != nil {
			return &InvalidSettingsError{Field: "settings.symbols", Reason: err.Error()}
		}
	}
	if err := bound("settings.tick_interval", s.TickInterval, MinTickInterval, MaxTickInterval); err != nil {
		return err
	}
	if err := bound("settings.health_interval", s.HealthInterval, MinHealthInterval, MaxHealthInterval); err != nil {
		return err
	}
	if s.Duration < 0 || s.Duration > MaxDuration {
		return &InvalidSettingsError{Field: "settings.duration", Reason: "must be between 0 (until stopped) and 8760h"}
	}
	if s.Duration != 0 && s.Duration < s.effectiveTick() {
		return &InvalidSettingsError{Field: "settings.duration", Reason: "must be at least one tick interval"}
	}
	return s.validateTrading()
}

// validateTrading checks strategy, risk, fees and account.
func (s Settings) validateTrading() error {
	name := s.Strategy
	if name == "" {
		name = DefaultStrategy
	}
	if _, err := strategy.New(name, s.Params); err != nil {
		var unknown *strategy.UnknownStrategyError
		var param *strategy.ParamError
		switch {
		case errors.As(err, &unknown):
			return &InvalidSettingsError{Field: "settings.strategy", Reason: err.Error()}
		case errors.As(err, &param):
			return &InvalidSettingsError{Field: "settings.params[" + echo.Name(param.Param) + "]", Reason: err.Error()}
		}
		return &InvalidSettingsError{Field: "settings.params", Reason: err.Error()}
	}
	if s.Risk != nil {
		if err := s.Risk.Validate(); err != nil {
			var le *risk.LimitError
			if errors.As(err, &le) {
				return &InvalidSettingsError{Field: "settings.risk." + riskFields[le.Field], Reason: le.Reason}
			}
			return &InvalidSettingsError{Field: "settings.risk", Reason: err.Error()}
		}
	}
	for _, f := range []struct {
		name string
		bps  *int64
	}{{"settings.maker_fee_bps", s.MakerFeeBps}, {"settings.taker_fee_bps", s.TakerFeeBps}} {
		if f.bps != nil && (*f.bps < 0 || *f.bps > MaxFeeBps) {
			return &InvalidSettingsError{Field: f.name, Reason: "must be between 0 and 1000 basis points"}
		}
	}
	if s.Latency < 0 || s.Latency > MaxLatency {
		return &InvalidSettingsError{Field: "settings.latency", Reason: "must be between 0 and 1m"}
	}
	if s.StartingCash.IsNegative() || s.StartingCash.Cmp(maxStartingCash) > 0 {
		return &InvalidSettingsError{Field: "settings.starting_cash", Reason: "must be positive and at most 1000000000"}
	}
	return s.validateAccount()
}

// riskFields names risk.Limits' fields as the API does.
var riskFields = map[string]string{
	"MaxOrderNotional": "max_order_notional", "MaxPosition": "max_position", "MaxOpenOrders": "max_open_orders",
	"MaxOrdersPerSecond": "max_orders_per_second", "MaxDrawdown": "max_drawdown", "MaxTrailingDrawdown": "max_trailing_drawdown",
}

func bound(field string, d, lo, hi time.Duration) error {
	if d == 0 || (d >= lo && d <= hi) {
		return nil
	}
	return &InvalidSettingsError{Field: field, Reason: "must be unset or between " + lo.String() + " and " + hi.String()}
}

func (s Settings) effectiveTick() time.Duration {
	if s.TickInterval == 0 {
		return DefaultTick
	}
	return s.TickInterval
}

// withDefaults fills what the client left unset.
func (s Settings) withDefaults(health time.Duration) Settings {
	if len(s.Symbols) == 0 {
		s.Symbols = slices.Clone(DefaultSymbols)
	} else {
		s.Symbols = slices.Clone(s.Symbols)
	}
	s.TickInterval = s.effectiveTick()
	if s.HealthInterval == 0 {
		s.HealthInterval = health
	}
	if s.Strategy == "" {
		s.Strategy = DefaultStrategy
	}
	// The strategy's parameters with their defaults, so that asking for
	// a default explicitly is asking for the same session. Validate has
	// built the strategy already, so this cannot fail.
	if p, err := strategy.Effective(s.Strategy, s.Params); err == nil {
		s.Params = p
	} else {
		s.Params = maps.Clone(s.Params)
	}
	if s.Risk == nil {
		l := risk.DefaultLimits()
		s.Risk = &l
	}
	venue := matching.DefaultConfig()
	if s.MakerFeeBps == nil {
		s.MakerFeeBps = &venue.MakerFeeBps
	}
	if s.TakerFeeBps == nil {
		s.TakerFeeBps = &venue.TakerFeeBps
	}
	if s.StartingCash.IsZero() {
		s.StartingCash = DefaultStartingCash
	}
	if s.Account == AccountUnspecified {
		s.Account = AccountCash
	}
	return s
}

// sameAs reports whether a request (defaults applied) asks for the session
// that runs with s (see differences).
func (s Settings) sameAs(req Settings) bool { return len(s.differences(req)) == 0 }
