package session

import (
	"errors"
	"fmt"
	"strings"
)

// The domain's errors. The gRPC adapter maps them to status codes in one
// table (server/service/errors.go); nothing here knows about gRPC.
var (
	// ErrInvalidSettings wraps every *InvalidSettingsError.
	ErrInvalidSettings = errors.New("invalid settings")
	// ErrAlreadyRunning: a session with other settings holds the slot.
	ErrAlreadyRunning = errors.New("a trading session is already running")
	// ErrStopping: the running session is stopping; retry when it has.
	ErrStopping = errors.New("the trading session is stopping")
	// ErrLiveUnavailable: live trading needs a venue adapter, which does not
	// exist yet.
	ErrLiveUnavailable = errors.New("live trading is not available: no venue adapter is configured; start with --paper (MODE_PAPER)")
	// ErrShuttingDown: the daemon is shutting down and starts nothing new.
	ErrShuttingDown = errors.New("the daemon is shutting down")
	// ErrStore: the store could not record what a call must not do
	// without recording; nothing was started.
	ErrStore = errors.New("the store failed")
	// ErrNothingToResume: resume was asked but the last session ended
	// cleanly (or none ran).
	ErrNothingToResume = errors.New("nothing to resume: no interrupted session")
)

// InvalidSettingsError names the setting at fault.
type InvalidSettingsError struct {
	Field  string
	Reason string
}

func (e *InvalidSettingsError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }
func (e *InvalidSettingsError) Unwrap() error { return ErrInvalidSettings }

// ConflictError says which session is in the way (ErrAlreadyRunning or
// ErrStopping).
type ConflictError struct {
	SessionID string
	Err       error
	// Differences are the settings asked for that the running session
	// does not have (ErrAlreadyRunning).
	Differences []SettingDiff
}

func (e *ConflictError) Error() string {
	msg := fmt.Sprintf("%v (session %s)", e.Err, e.SessionID)
	if len(e.Differences) > 0 {
		parts := make([]string, len(e.Differences))
		for i, d := range e.Differences {
			parts[i] = d.String()
		}
		msg += " with other settings: " + strings.Join(parts, ", ")
	}
	return msg
}

// DifferentSettings names the settings that differ, comma-separated.
func (e *ConflictError) DifferentSettings() string {
	names := make([]string, len(e.Differences))
	for i, d := range e.Differences {
		names[i] = d.Name
	}
	return strings.Join(names, ",")
}
func (e *ConflictError) Unwrap() error { return e.Err }
