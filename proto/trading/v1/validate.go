package tradingv1

// Hand-written beside the generated code: structural checks on requests that
// the daemon's validation interceptor runs before any handler, so a
// malformed request is refused with INVALID_ARGUMENT naming the field. The
// daemon's domain layer then checks meaning (known symbols, bounds). Every
// check returns a *FieldError, which the daemon turns into the same status
// as its domain's invalid settings: ErrorInfo and BadRequest.

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/echo"
)

// The kinds of *FieldError: a setting of a session, or another field.
var (
	ErrInvalidSettings = errors.New("invalid settings")
	ErrInvalidRequest  = errors.New("invalid request")
)

// FieldError names the field at fault and why.
type FieldError struct {
	Field  string
	Reason string
	kind   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }
func (e *FieldError) Unwrap() error { return e.kind }

// InvalidField is the error of a request field (not a setting) that the
// daemon refuses, such as a page_token it did not issue for the request.
func InvalidField(field, reason string) error {
	return &FieldError{Field: field, Reason: reason, kind: ErrInvalidRequest}
}

func setting(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), kind: ErrInvalidSettings}
}

// MaxSymbols bounds the symbols of one session.
const MaxSymbols = 50

// MaxStopDeadline bounds StopTradingRequest.deadline.
const MaxStopDeadline = 5 * time.Minute

var symbolPattern = regexp.MustCompile(`^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$`)

// Validate checks the request's shape.
func (r *StartTradingRequest) Validate() error { return settingsShape(r.GetSettings()) }

// settingsShape checks the shape of a session's settings, as a start or a
// backtest gives them.
func settingsShape(s *SessionSettings) error {
	if s == nil {
		return nil // all defaults
	}
	if _, known := Mode_name[int32(s.GetMode())]; !known {
		return setting("settings.mode", "%d is not a mode (MODE_PAPER or MODE_LIVE)", s.GetMode())
	}
	if len(s.GetSymbols()) > MaxSymbols {
		return setting("settings.symbols", "%d symbols given, at most %d allowed", len(s.GetSymbols()), MaxSymbols)
	}
	seen := make(map[string]bool, len(s.GetSymbols()))
	for i, sym := range s.GetSymbols() {
		if !symbolPattern.MatchString(sym) {
			return setting(fmt.Sprintf("settings.symbols[%d]", i), "%s is not a symbol of the form BASE-QUOTE (for example BTC-USD)", echo.Quote(sym))
		}
		if seen[sym] {
			return setting(fmt.Sprintf("settings.symbols[%d]", i), "%s is listed twice", echo.Quote(sym))
		}
		seen[sym] = true
	}
	for _, f := range []struct {
		name string
		d    *durationpb.Duration
	}{
		{"settings.duration", s.GetDuration()},
		{"settings.health_interval", s.GetHealthInterval()},
		{"settings.tick_interval", s.GetTickInterval()},
		{"settings.latency", s.GetLatency()},
	} {
		if reason := nonNegative(f.d); reason != "" {
			return setting(f.name, "%s", reason)
		}
	}
	return nil
}

// Validate checks the request's shape.
func (r *StopTradingRequest) Validate() error {
	reason := nonNegative(r.GetDeadline())
	d := r.GetDeadline()
	switch {
	case reason != "" || d == nil:
	case d.AsDuration() == 0:
		// A deadline given as zero is not the default: the daemon would
		// wait its --stop-timeout where the caller asked for none. Refused
		// as the settings' durations are, and as tradectl stop --deadline
		// 0s is.
		reason = "0s: must be positive (leave it unset for the daemon's --stop-timeout, 10s by default)"
	case d.AsDuration() > MaxStopDeadline:
		reason = fmt.Sprintf("%s is longer than the maximum of %s", d.AsDuration(), MaxStopDeadline)
	}
	if reason != "" {
		return &FieldError{Field: "deadline", Reason: reason, kind: ErrInvalidRequest}
	}
	return nil
}

// nonNegative says what is wrong with d, "" if nothing.
// MaxBackupName bounds a backup's file name.
const MaxBackupName = 128

// backupName is the charset of a backup's file name: letters, digits, dot,
// dash and underscore, starting with a letter or digit (so never "." or
// "..", nor a hidden file). Anything else, a separator above all, would let
// a token holder write outside the backup directory.
var backupName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate checks the request's shape: path names a file in the daemon's
// backup directory, never a path.
func (r *BackupRequest) Validate() error {
	name := r.GetPath()
	reason := ""
	switch {
	case name == "":
		reason = "must name the backup file"
	case len(name) > MaxBackupName:
		reason = fmt.Sprintf("%s is longer than %d bytes", echo.Quote(name), MaxBackupName)
	case !backupName.MatchString(name):
		reason = fmt.Sprintf("%s is not a file name: use letters, digits, '.', '-' and '_', starting with a letter or digit; "+
			"tradingd writes it in its --backup-dir", echo.Quote(name))
	}
	if reason != "" {
		return &FieldError{Field: "path", Reason: reason, kind: ErrInvalidRequest}
	}
	return nil
}

// MaxResetReason bounds a kill-switch reset's reason: it goes into the
// log whole, and a megabyte of it per call would let a token holder fill
// the disk through the log.
const MaxResetReason = 512

// Validate checks the request's shape: a reason of at most MaxResetReason
// bytes of printable text (a log read as JSON keeps C1 controls and
// bidirectional overrides as they came).
func (r *ResetKillSwitchRequest) Validate() error {
	reason := r.GetReason()
	if len(reason) > MaxResetReason {
		return InvalidField("reason", fmt.Sprintf("%s is longer than %d bytes", echo.Quote(reason), MaxResetReason))
	}
	if strings.ContainsFunc(reason, func(c rune) bool { return !strconv.IsPrint(c) }) {
		return InvalidField("reason", fmt.Sprintf("%s holds characters that are not printable", echo.Quote(reason)))
	}
	return nil
}

// MaxEquityPoints bounds GetEquityCurveRequest.max_points (and the points
// the daemon keeps of a curve).
const MaxEquityPoints = 10_000

// Validate checks the request's shape.
func (r *GetEquityCurveRequest) Validate() error {
	if n := r.GetMaxPoints(); n > MaxEquityPoints {
		return InvalidField("max_points", fmt.Sprintf("%d is more than the maximum of %d (0 takes the default, 1000)", n, MaxEquityPoints))
	}
	return nil
}

// MaxBacktestDuration bounds RunBacktestRequest.sim_duration: a day of
// market time runs in about a minute of one core.
const MaxBacktestDuration = 24 * time.Hour

// Validate checks the request's shape: the settings as StartTrading's,
// and the market time to simulate.
func (r *RunBacktestRequest) Validate() error {
	if err := settingsShape(r.GetSettings()); err != nil {
		return err
	}
	d := r.GetSimDuration()
	reason := ""
	switch {
	case d == nil:
		reason = fmt.Sprintf("required: the market time to simulate (at most %s)", MaxBacktestDuration)
	case d.CheckValid() != nil:
		reason = d.CheckValid().Error()
	case d.AsDuration() <= 0:
		reason = fmt.Sprintf("must be positive (got %s)", d.AsDuration())
	case d.AsDuration() > MaxBacktestDuration:
		reason = fmt.Sprintf("%s is longer than the maximum of %s", d.AsDuration(), MaxBacktestDuration)
	}
	if reason != "" {
		return InvalidField("sim_duration", reason)
	}
	if e := r.GetSampleEvery(); e != nil {
		if err := e.CheckValid(); err != nil {
			return InvalidField("sample_every", err.Error())
		}
		if e.AsDuration() <= 0 {
			return InvalidField("sample_every", fmt.Sprintf("must be positive (got %s; leave it unset for 1m)", e.AsDuration()))
		}
	}
	return nil
}

// Validate checks the request's shape.
func (r *ListOrdersRequest) Validate() error { return listShape(r.GetLimit(), r.GetPageSize()) }

// Validate checks the request's shape.
func (r *ListFillsRequest) Validate() error { return listShape(r.GetLimit(), r.GetPageSize()) }

// Validate checks the request's shape.
func (r *ListSessionsRequest) Validate() error { return listShape(r.GetLimit(), r.GetPageSize()) }

// listShape refuses negative sizes rather than reading them as "default".
func listShape(limit, pageSize int32) error {
	if limit < 0 {
		return InvalidField("limit", fmt.Sprintf("must not be negative (got %d; 0 takes the default)", limit))
	}
	if pageSize < 0 {
		return InvalidField("page_size", fmt.Sprintf("must not be negative (got %d; 0 takes the default)", pageSize))
	}
	return nil
}

func nonNegative(d *durationpb.Duration) string {
	if d == nil {
		return ""
	}
	if err := d.CheckValid(); err != nil {
		return err.Error()
	}
	if d.AsDuration() < 0 {
		return fmt.Sprintf("must not be negative (got %s)", d.AsDuration())
	}
	return ""
}
