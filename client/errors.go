package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
)

// The daemon's ErrorInfo vocabulary.
const (
	ErrorDomain           = "tradectl"
	ReasonAlreadyRunning  = "TRADING_ALREADY_RUNNING"
	ReasonLiveUnavailable = "LIVE_TRADING_UNAVAILABLE"
	ReasonNothingToResume = "NOTHING_TO_RESUME"
	// ReasonSessionInterrupted: see ErrSessionInterrupted.
	ReasonSessionInterrupted = "SESSION_INTERRUPTED"
	// ReasonNoStore: the daemon runs without a store, so it keeps no
	// history (ListFills, Backup) and cannot resume.
	ReasonNoStore = "NO_STORE"
	// ReasonStoreFailed: the daemon's store failed; its log says why.
	ReasonStoreFailed     = "STORE_FAILED"
	ReasonSessionNotFound = "SESSION_NOT_FOUND"
	// ReasonWatcherLagged: a watch was ended for falling behind (a daemon
	// without a store to catch it up from). Without it, RESOURCE_EXHAUSTED
	// on a watch is a refusal: the watcher cap or the rate limit.
	ReasonWatcherLagged = "WATCHER_LAGGED"
)

// errorTable is the one place a status becomes a client error: the first row
// whose code matches (and whose reason matches, when the row names one) gives
// the sentinels. Codes absent here yield a *StatusError matching none.
var errorTable = []struct {
	code   codes.Code
	reason string
	is     []error
}{
	{codes.FailedPrecondition, ReasonAlreadyRunning, []error{ErrAlreadyRunning, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonLiveUnavailable, []error{ErrLiveUnavailable, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonNothingToResume, []error{ErrNothingToResume, ErrFailedPrecondition}},
	{codes.FailedPrecondition, ReasonSessionInterrupted, []error{ErrSessionInterrupted, ErrFailedPrecondition}},
	{codes.FailedPrecondition, "", []error{ErrFailedPrecondition}},
	{codes.NotFound, "", []error{ErrNotFound}},
	{codes.AlreadyExists, "", []error{ErrAlreadyExists}},
	{codes.Unavailable, "", []error{ErrUnavailable}},
	{codes.Unauthenticated, "", []error{ErrUnauthenticated}},
	{codes.InvalidArgument, "", []error{ErrInvalidArgument}},
	// Also context.DeadlineExceeded: gRPC reports the caller's own expired
	// context with this code, and callers test for it with errors.Is.
	{codes.DeadlineExceeded, "", []error{ErrDeadlineExceeded, context.DeadlineExceeded}},
	{codes.Canceled, "", []error{context.Canceled}},
	{codes.Internal, "", []error{ErrInternal}},
	{codes.Unknown, "", []error{ErrInternal}}, // a handler error without a status
	{codes.DataLoss, "", []error{ErrInternal}},
	{codes.ResourceExhausted, "", []error{ErrResourceExhausted}},
	{codes.Unimplemented, "", []error{ErrUnimplemented}},
}

// StatusError is a gRPC status from the daemon. Error() keeps the daemon's
// message verbatim after the sentinel's text.
type StatusError struct {
	Code    codes.Code
	Message string
	Reason  string // the ErrorInfo reason, when the daemon sent one
	st      *status.Status
	is      []error
	exact   bool // is came from a row that names the reason
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
	se := &StatusError{Code: st.Code(), Message: st.Message(), st: st}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok && i.GetDomain() == ErrorDomain {
			info, se.Reason = i, i.GetReason()
		}
	}
	for _, row := range errorTable {
		if row.code == se.Code && (row.reason == "" || row.reason == se.Reason) {
			se.is, se.exact = row.is, row.reason != ""
			break
		}
	}
	if se.Reason == ReasonAlreadyRunning && se.Code == codes.FailedPrecondition {
		return &AlreadyRunningError{SessionID: info.GetMetadata()["session_id"], Err: se}
	}
	return se
}
