package settings

import (
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
)

var (
	// ErrInvalid wraps every *InvalidError.
	ErrInvalid = errors.New("invalid settings")
)

// InvalidError names the setting at fault, as the API names it.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// Validate checks the settings as requested, before defaults.
func (s Settings) Validate() error {
	switch s.Mode {
	case ModePaper, ModeLive:
		// Whether this daemon can trade live is the session manager's
		// to say: it knows whether it has a venue.
	default:
		return &InvalidError{Field: "settings.mode", Reason: "must be MODE_PAPER or MODE_LIVE"}
	}
	if len(s.Symbols) > MaxSymbols {
		return &InvalidError{Field: "settings.symbols", Reason: "at most 50 symbols"}
	}
	if s.Mode == ModeLive {
		if err := s.validateLiveOnly(); err != nil {
			return err
		}
	}
	if len(s.Symbols) > 0 && s.Mode == ModeLive {
		if err := validateLiveSymbols(s.Symbols); err != nil {
			return &InvalidError{Field: "settings.symbols", Reason: err.Error()}
		}
	} else if len(s.Symbols) > 0 {
		if err := paper.ValidateSymbols(s.Symbols); err != nil {
			return &InvalidError{Field: "settings.symbols", Reason: err.Error()}
		}
	}
	if err := bound("settings.tick_interval", s.TickInterval, MinTickInterval, MaxTickInterval); err != nil {
		return err
	}
	if err := bound("settings.health_interval", s.HealthInterval, MinHealthInterval, MaxHealthInterval); err != nil {
		return err
	}
	if s.Duration < 0 || s.Duration > MaxDuration {
		return &InvalidError{Field: "settings.duration", Reason: "must be between 0 (until stopped) and 8760h"}
	}
	if s.Duration != 0 && s.Duration < s.effectiveTick() {
		return &InvalidError{Field: "settings.duration", Reason: "must be at least one tick interval"}
	}
	return s.validateTrading()
}

// validateTrading checks strategy, risk, fees and account.
func (s Settings) validateTrading() error {
	name := s.Strategy
	if name == "" {
		name = DefaultStrategy
	}
	if err := s.validateRemote(); err != nil {
		return err
	}
	if !s.IsRemote() {
		if err := validateBuiltin(name, s.Params); err != nil {
			return err
		}
	}
	if s.Risk != nil {
		if err := s.Risk.Validate(); err != nil {
			var le *risk.LimitError
			if errors.As(err, &le) {
				return &InvalidError{Field: "settings.risk." + riskFields[le.Field], Reason: le.Reason}
			}
			return &InvalidError{Field: "settings.risk", Reason: err.Error()}
		}
	}
	for _, f := range []struct {
		name string
		bps  *int64
	}{{"settings.maker_fee_bps", s.MakerFeeBps}, {"settings.taker_fee_bps", s.TakerFeeBps}} {
		if f.bps != nil && (*f.bps < 0 || *f.bps > MaxFeeBps) {
			return &InvalidError{Field: f.name, Reason: "must be between 0 and 1000 basis points"}
		}
	}
	if s.Latency < 0 || s.Latency > MaxLatency {
		return &InvalidError{Field: "settings.latency", Reason: "must be between 0 and 1m"}
	}
	if s.StartingCash.IsNegative() || s.StartingCash.Cmp(maxStartingCash) > 0 {
		return &InvalidError{Field: "settings.starting_cash", Reason: "must be positive and at most 1000000000"}
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
	return &InvalidError{Field: field, Reason: "must be unset or between " + lo.String() + " and " + hi.String()}
}

// validateBuiltin builds a built-in strategy to check its name and
// parameters; the registry knows nothing of remote ones.
func validateBuiltin(name string, params map[string]string) error {
	_, err := strategy.New(name, params)
	if err == nil {
		return nil
	}
	var unknown *strategy.UnknownStrategyError
	var param *strategy.ParamError
	switch {
	case errors.As(err, &unknown):
		return &InvalidError{Field: "settings.strategy", Reason: err.Error() + ", or remote:NAME"}
	case errors.As(err, &param):
		return &InvalidError{Field: "settings.params[" + echo.Name(param.Param) + "]", Reason: err.Error()}
	}
	return &InvalidError{Field: "settings.params", Reason: err.Error()}
}
