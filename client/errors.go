package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Sentinels for the daemon's answers. Test with errors.Is; every error a call
// returns for a gRPC status is a *StatusError that matches one or more of them.
var (
	ErrUnavailable        = errors.New("daemon unavailable")
	ErrUnauthenticated    = errors.New("not authenticated")
	ErrInvalidArgument    = errors.New("invalid argument")
	ErrFailedPrecondition = errors.New("failed precondition")
	ErrAlreadyRunning     = errors.New("trading already running")
	ErrLiveUnavailable    = errors.New("live trading unavailable")
	ErrDeadlineExceeded   = errors.New("deadline exceeded")
	ErrInternal           = errors.New("daemon internal error")
	// ErrResourceExhausted: a daemon limit was hit. From WatchOrders (through
	// OnDisconnect) it means the watcher fell behind and was ended.
	ErrResourceExhausted = errors.New("resource exhausted")
	// ErrUnimplemented: the daemon does not know the call, usually because it
	// is older than this client.
	ErrUnimplemented = errors.New("not implemented by this tradingd")
	// ErrNotFound: the daemon knows no such thing, for example no stored
	// session with the id asked for.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: what the request would create exists (a backup
	// NAME that is taken).
	ErrAlreadyExists = errors.New("already exists")
	// ErrNothingToResume: ResumeTrading found no interrupted session. It
	// also matches ErrFailedPrecondition.
	ErrNothingToResume = errors.New("nothing to resume")
	// ErrSessionInterrupted: StartTrading was refused because a session is
	// INTERRUPTED (resume it, or start with AbandonInterrupted). It also
	// matches ErrFailedPrecondition; the status's ErrorInfo metadata
	// "session_id" names the session.
	ErrSessionInterrupted = errors.New("cannot start a new session")
	// ErrVenueUnavailable: a live session could not start because the
	// daemon could not reach its venue, or the venue refused its keys.
	// The daemon itself is up: this does not match ErrUnavailable.
	ErrVenueUnavailable = errors.New("venue unavailable")
	// ErrSessionChanged: StopTrading or ResetKillSwitch named a session
	// (StopOnlySession, ResetOnlySession) that is no longer the current
	// one, and did nothing. It also matches ErrFailedPrecondition; the
	// status's ErrorInfo metadata "session_id" names the current session.
	ErrSessionChanged = errors.New("the session has changed")
)

// ErrorDomain is the ErrorInfo domain of the daemon's errors.
const ErrorDomain = tradingv1.ErrorDomain

// The reasons this package gives a meaning of its own (a sentinel, a
// message). Every reason the daemon sends is a tradingv1.ErrorReason, with
// its meaning, code and remedy documented in trading.proto; these names are
// shorthands for the ones clients match most.
const (
	ReasonAlreadyRunning   = tradingv1.ErrorReason_ERROR_REASON_TRADING_ALREADY_RUNNING
	ReasonLiveUnavailable  = tradingv1.ErrorReason_ERROR_REASON_LIVE_TRADING_UNAVAILABLE
	ReasonVenueUnavailable = tradingv1.ErrorReason_ERROR_REASON_VENUE_UNAVAILABLE
	ReasonBacktestBusy     = tradingv1.ErrorReason_ERROR_REASON_BACKTEST_BUSY
	ReasonNothingToResume  = tradingv1.ErrorReason_ERROR_REASON_NOTHING_TO_RESUME
	// ReasonSessionInterrupted: see ErrSessionInterrupted.
	ReasonSessionInterrupted = tradingv1.ErrorReason_ERROR_REASON_SESSION_INTERRUPTED
	// ReasonNoStore: the daemon runs without a store, so it keeps no
	// history (ListFills, Backup) and cannot resume.
	ReasonNoStore = tradingv1.ErrorReason_ERROR_REASON_NO_STORE
	// ReasonStoreFailed: the daemon's store failed; its log says why.
	ReasonStoreFailed     = tradingv1.ErrorReason_ERROR_REASON_STORE_FAILED
	ReasonSessionNotFound = tradingv1.ErrorReason_ERROR_REASON_SESSION_NOT_FOUND
	// ReasonSessionChanged: see ErrSessionChanged.
	ReasonSessionChanged = tradingv1.ErrorReason_ERROR_REASON_SESSION_CHANGED
	// ReasonWatcherLagged: a watch was ended for falling behind (a daemon
	// without a store to catch it up from). Without it, RESOURCE_EXHAUSTED
	// on a watch is a refusal: the watcher cap or the rate limit.
	ReasonWatcherLagged = tradingv1.ErrorReason_ERROR_REASON_WATCHER_LAGGED
)

// anyReason in a row of errorTable matches any reason, or none.
const anyReason = tradingv1.ErrorReason_ERROR_REASON_UNSPECIFIED

// errorTable is the one place a status becomes a client error: the first row
// whose code matches (and whose reason matches, when the row names one) gives
// the sentinels. Codes absent here yield a *StatusError matching none.
// Rows match reasons by the enum, as the daemon sends them, never by a
// string of their own.
var errorTable = []struct {
	code   codes.Code
	reason tradingv1.ErrorReason
	is     []error
}{
	{codes.FailedPrecondition, ReasonAlreadyRunning, []error{ErrAlreadyRunning, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonLiveUnavailable, []error{ErrLiveUnavailable, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonNothingToResume, []error{ErrNothingToResume, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonSessionInterrupted, []error{ErrSessionInterrupted, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonSessionChanged, []error{ErrSessionChanged, ErrFailedPrecondition}},
	{codes.FailedPrecondition, anyReason, []error{ErrFailedPrecondition}},
	{codes.NotFound, anyReason, []error{ErrNotFound}},
	{codes.AlreadyExists, anyReason, []error{ErrAlreadyExists}},
	{codes.Unavailable, ReasonVenueUnavailable, []error{ErrVenueUnavailable}},
	{codes.Unavailable, anyReason, []error{ErrUnavailable}},
	{codes.Unauthenticated, anyReason, []error{ErrUnauthenticated}},
	{codes.InvalidArgument, anyReason, []error{ErrInvalidArgument}},
	// Also context.DeadlineExceeded: gRPC reports the caller's own expired
	// context with this code, and callers test for it with errors.Is.
	{codes.DeadlineExceeded, anyReason, []error{ErrDeadlineExceeded, context.DeadlineExceeded}},
	{codes.Canceled, anyReason, []error{context.Canceled}},
	{codes.Internal, anyReason, []error{ErrInternal}},
	{codes.Unknown, anyReason, []error{ErrInternal}}, // a handler error without a status
	{codes.DataLoss, anyReason, []error{ErrInternal}},
	{codes.ResourceExhausted, anyReason, []error{ErrResourceExhausted}},
	{codes.Unimplemented, anyReason, []error{ErrUnimplemented}},
}

// StatusError is a gRPC status from the daemon. Error() keeps the daemon's
// message verbatim after the sentinel's text.
type StatusError struct {
	Code    codes.Code
	Message string
	// Reason is the daemon's ErrorInfo reason: UNSPECIFIED when it sent
	// none, or one this client does not know (a newer daemon's; the
	// status's details keep it).
	Reason tradingv1.ErrorReason
	st     *status.Status
	is     []error
	exact  bool // is came from a row that names the reason
}

func (e *StatusError) Error() string {
	if len(e.is) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	// A reason of the daemon's vocabulary names the condition exactly, and
	// the daemon's message already says it in words: prefixing the
	// sentinel would say it twice ("nothing to resume: nothing to
	// resume"). The same holds for any message that already says it
	// ("deadline exceeded: context deadline exceeded").
	kind := e.is[0].Error()
	if e.exact || strings.Contains(strings.ToLower(e.Message), kind) {
		return e.Message
	}
	return fmt.Sprintf("%s: %s", kind, e.Message)
}

// Unwrap makes the sentinels reachable with errors.Is.
func (e *StatusError) Unwrap() []error { return e.is }

// GRPCStatus keeps status.FromError and status.Code working on the error,
// details included.
func (e *StatusError) GRPCStatus() *status.Status { return e.st }

// AlreadyRunningError is returned by StartTrading when a session with other
// settings is running. It matches ErrAlreadyRunning and ErrFailedPrecondition.
type AlreadyRunningError struct {
	SessionID string
	Err       *StatusError
}

func (e *AlreadyRunningError) Error() string { return e.Err.Error() }
func (e *AlreadyRunningError) Unwrap() error { return e.Err }

// fromRPC turns an error from a generated stub into a client error. Errors
// that carry no gRPC status pass through unchanged.
func fromRPC(err error) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	reason, info := tradingv1.ReasonOf(st)
	se := &StatusError{Code: st.Code(), Message: st.Message(), Reason: reason, st: st}
	for _, row := range errorTable {
		if row.code == se.Code && (row.reason == anyReason || row.reason == se.Reason) {
			se.is, se.exact = row.is, row.reason != anyReason
			break
		}
	}
	if se.Reason == ReasonAlreadyRunning && se.Code == codes.FailedPrecondition {
		return &AlreadyRunningError{SessionID: info.GetMetadata()["session_id"], Err: se}
	}
	return se
}
