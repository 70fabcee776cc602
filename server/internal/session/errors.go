package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/settings"
)

// The domain's errors. The gRPC adapter maps them to status codes in one
// table (server/internal/service/errors.go); nothing here knows about gRPC.
var (
	// ErrAlreadyRunning: a session with other settings holds the slot.
	ErrAlreadyRunning = errors.New("a trading session is already running")
	// ErrStopping: the running session is stopping; retry when it has.
	ErrStopping = errors.New("the trading session is stopping")
	// ErrShuttingDown: the daemon is shutting down and starts nothing new.
	ErrShuttingDown = errors.New("the daemon is shutting down")
	// ErrStore: the store could not record what a call must not do
	// without recording; nothing was started.
	ErrStore = errors.New("the store failed")
	// ErrNothingToResume: resume was asked but the last session ended
	// cleanly (or none ran).
	ErrNothingToResume = errors.New("nothing to resume: no interrupted session")
	// ErrInterrupted: a new session was asked for while an interrupted one
	// waits to be resumed or abandoned (*InterruptedError names it).
	ErrInterrupted = errors.New("a session is INTERRUPTED")
	// ErrNotInterrupted: resume named a session that cannot be carried on.
	ErrNotInterrupted = errors.New("only an INTERRUPTED session, or one that ended with orders open (kept by its stop, or unsettled), can be resumed")
	// ErrNoStore: the call needs the durable store and the daemon runs
	// without one.
	ErrNoStore = errors.New("the daemon runs without a store")
	// ErrUnknownSession: no stored session has that id.
	ErrUnknownSession = errors.New("no such session")
	// ErrSessionChanged: a stop or kill-switch reset named a session that
	// is not the current (or last) one; nothing was done
	// (*SessionChangedError names both).
	ErrSessionChanged = errors.New("the session has changed")
)

// SessionChangedError says which session a call named and which one is
// there instead ("" when none ran).
type SessionChangedError struct {
	Asked, Current string
}

func (e *SessionChangedError) Error() string {
	cur := "no session has run"
	if e.Current != "" {
		cur = "the current session is " + e.Current
	}
	// The asked id is the caller's text, quoted and cut as every echo is.
	return fmt.Sprintf("%v: the call named session %s, but %s; nothing was done", ErrSessionChanged, echo.Quote(e.Asked), cur)
}
func (e *SessionChangedError) Unwrap() error { return ErrSessionChanged }

// currentID is the id a call's session_id is checked against: the current
// (or last) session's, or, before any ran since the daemon started, the
// newest stored one's ("" if none).
func currentID(cur *Session, stored Snapshot) string {
	if cur != nil {
		return cur.id
	}
	return stored.ID
}

// checkSession refuses a call that named a session (asked) other than the
// current one; asked "" names none and passes.
func checkSession(asked, current string) error {
	if asked == "" || asked == current {
		return nil
	}
	return &SessionChangedError{Asked: asked, Current: current}
}

// InterruptedError names the interrupted sessions in the way of a start,
// oldest first.
type InterruptedError struct {
	SessionIDs []string
}

func (e *InterruptedError) Error() string {
	if len(e.SessionIDs) == 1 {
		return fmt.Sprintf("session %s is INTERRUPTED: resume it (resume, with session_id) "+
			"or abandon it (abandon_interrupted), which cancels its open orders",
			e.SessionIDs[0])
	}
	return fmt.Sprintf("sessions %s are INTERRUPTED: resume them one by one (resume, with session_id) "+
		"or abandon them (abandon_interrupted), which cancels their open orders",
		strings.Join(e.SessionIDs, ", "))
}
func (e *InterruptedError) Unwrap() error { return ErrInterrupted }

// Newest is the interrupted session a client is pointed at first.
func (e *InterruptedError) Newest() string { return e.SessionIDs[len(e.SessionIDs)-1] }

// NotInterruptedError says why a session cannot be resumed.
type NotInterruptedError struct {
	SessionID string
	State     State
}

func (e *NotInterruptedError) Error() string {
	return fmt.Sprintf("cannot resume session %s: it is %s, and %v", e.SessionID, e.State, ErrNotInterrupted)
}
func (e *NotInterruptedError) Unwrap() error { return ErrNotInterrupted }

// ConflictError says which session is in the way (ErrAlreadyRunning or
// ErrStopping).
type ConflictError struct {
	SessionID string
	Err       error
	// Differences are the settings asked for that the running session
	// does not have (ErrAlreadyRunning).
	Differences []settings.Diff
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

// storeFailed wraps an error of the store in ErrStore, unless the caller
// gave up meanwhile: then the store was only interrupted, and the answer
// is the caller's deadline or cancellation, not a failed store.
func storeFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return fmt.Errorf("%w: %w", ErrStore, err)
}
