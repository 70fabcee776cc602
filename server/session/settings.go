package session

import (
	"slices"
	"time"

	"github.com/tradectl/tradectl/server/paper"
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
)

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
	return nil
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
	return s
}

// sameAs reports whether a request (defaults applied) asks for the session
// that runs with s. A request without a seed accepts any seed.
func (s Settings) sameAs(req Settings) bool {
	return s.Mode == req.Mode && slices.Equal(s.Symbols, req.Symbols) && s.Duration == req.Duration &&
		s.HealthInterval == req.HealthInterval && s.TickInterval == req.TickInterval &&
		s.AutoRestart == req.AutoRestart && (req.Seed == 0 || req.Seed == s.Seed)
}
