package session

import (
	"github.com/tradectl/tradectl/internal/settings"
)

// The settings live in internal/settings, shared with the backtester and
// tradectl. These aliases keep session's files and its callers compiling
// unchanged while the packages are reshaped; they are to be removed.
type (
	Settings             = settings.Settings
	Mode                 = settings.Mode
	Account              = settings.Account
	SettingDiff          = settings.Diff
	InvalidSettingsError = settings.InvalidError
)

const (
	ModeUnspecified = settings.ModeUnspecified
	ModePaper       = settings.ModePaper
	ModeLive        = settings.ModeLive

	AccountUnspecified = settings.AccountUnspecified
	AccountCash        = settings.AccountCash
	AccountMargin      = settings.AccountMargin
	MaxBorrowRateBps   = settings.MaxBorrowRateBps

	MaxSymbols        = settings.MaxSymbols
	MinTickInterval   = settings.MinTickInterval
	MaxTickInterval   = settings.MaxTickInterval
	MinHealthInterval = settings.MinHealthInterval
	MaxHealthInterval = settings.MaxHealthInterval
	MaxDuration       = settings.MaxDuration
	DefaultTick       = settings.DefaultTick
	DefaultHealth     = settings.DefaultHealth
	DefaultStrategy   = settings.DefaultStrategy
	MaxFeeBps         = settings.MaxFeeBps
	MaxLatency        = settings.MaxLatency
)

var (
	DefaultStartingCash = settings.DefaultStartingCash
	DefaultSymbols      = settings.DefaultSymbols

	// ErrInvalidSettings wraps every *InvalidSettingsError.
	ErrInvalidSettings = settings.ErrInvalid
	// ErrLiveUnavailable: live trading needs a venue adapter.
	ErrLiveUnavailable = settings.ErrLiveUnavailable
)
