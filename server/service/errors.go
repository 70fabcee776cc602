package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/orderfeed"
	"github.com/tradectl/tradectl/server/session"
	"github.com/tradectl/tradectl/server/store"
)

// ErrorDomain is the ErrorInfo domain of every error this service returns.
const ErrorDomain = "tradectl"

// errorTable is the one place domain errors become gRPC codes; the first
// entry that errors.Is matches wins. The reasons are the stable, machine
// readable ErrorInfo reasons of AIP-193.
var errorTable = []struct {
	err    error
	code   codes.Code
	reason string
}{
	// A setting refused by the request's shape checks or by the domain:
	// one reason, one shape.
	{session.ErrInvalidSettings, codes.InvalidArgument, "INVALID_SETTINGS"},
	{tradingv1.ErrInvalidSettings, codes.InvalidArgument, "INVALID_SETTINGS"},
	{tradingv1.ErrInvalidRequest, codes.InvalidArgument, "INVALID_REQUEST"},
	{session.ErrLiveUnavailable, codes.FailedPrecondition, "LIVE_TRADING_UNAVAILABLE"},
	{session.ErrAlreadyRunning, codes.FailedPrecondition, "TRADING_ALREADY_RUNNING"},
	{session.ErrStopping, codes.FailedPrecondition, "TRADING_STOPPING"},
	{session.ErrShuttingDown, codes.Unavailable, "SHUTTING_DOWN"},
	{session.ErrNoSession, codes.FailedPrecondition, "NO_SESSION"},
	{session.ErrNothingToResume, codes.FailedPrecondition, "NOTHING_TO_RESUME"},
	{session.ErrInterrupted, codes.FailedPrecondition, "SESSION_INTERRUPTED"},
	{session.ErrNotInterrupted, codes.FailedPrecondition, "SESSION_NOT_INTERRUPTED"},
	{session.ErrNoStore, codes.FailedPrecondition, "NO_STORE"},
	{session.ErrStore, codes.FailedPrecondition, "STORE_FAILED"},
	{session.ErrUnknownSession, codes.NotFound, "SESSION_NOT_FOUND"},
	{store.ErrNotFound, codes.NotFound, "NOT_FOUND"},
	{store.ErrBackupPath, codes.FailedPrecondition, "BACKUP_PATH_UNUSABLE"},
	{store.ErrBackupBusy, codes.ResourceExhausted, "BACKUP_IN_PROGRESS"},
	{store.ErrBackupLimit, codes.ResourceExhausted, "BACKUP_LIMIT"},
	{store.ErrBackupNoSpace, codes.ResourceExhausted, "BACKUP_NO_SPACE"},
	{store.ErrInvalid, codes.InvalidArgument, "INVALID"},
	{fs.ErrExist, codes.AlreadyExists, "ALREADY_EXISTS"},
	{orderfeed.ErrAhead, codes.OutOfRange, "SEQUENCE_AHEAD"},
	{orderfeed.ErrLagged, codes.ResourceExhausted, "WATCHER_LAGGED"},
	{orderfeed.ErrClosed, codes.Unavailable, "SHUTTING_DOWN"},
	{context.DeadlineExceeded, codes.DeadlineExceeded, "DEADLINE_EXCEEDED"},
	{context.Canceled, codes.Canceled, "CANCELLED"},
}

// toStatus turns a domain error into a status with ErrorInfo (and
// BadRequest for a field at fault). Errors outside the table are internal:
// the client gets an id, the log gets the details, nothing leaks.
func toStatus(log *slog.Logger, err error) error {
	for _, e := range errorTable {
		if !errors.Is(err, e.err) {
			continue
		}
		info := &errdetails.ErrorInfo{Reason: e.reason, Domain: ErrorDomain}
		if interrupted := (*session.InterruptedError)(nil); errors.As(err, &interrupted) {
			info.Metadata = map[string]string{"session_id": interrupted.Newest(),
				"interrupted_sessions": strings.Join(interrupted.SessionIDs, ",")}
		}
		var conflict *session.ConflictError
		if errors.As(err, &conflict) {
			info.Metadata = map[string]string{"session_id": conflict.SessionID}
			if d := conflict.DifferentSettings(); d != "" {
				info.Metadata["different_settings"] = d
			}
		}
		st := status.New(e.code, err.Error())
		details := []protoadapt.MessageV1{info}
		if field, reason, ok := fieldAtFault(err); ok {
			details = append(details, &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
				{Field: field, Description: reason},
			}})
		}
		if withDetails, derr := st.WithDetails(details...); derr == nil {
			st = withDetails
		}
		return st.Err()
	}
	return Internal(context.Background(), log, "internal error", "err", err)
}

// fieldAtFault names the field an invalid-argument error is about.
func fieldAtFault(err error) (field, reason string, ok bool) {
	var inv *session.InvalidSettingsError
	if errors.As(err, &inv) {
		return inv.Field, inv.Reason, true
	}
	var fe *tradingv1.FieldError
	if errors.As(err, &fe) {
		return fe.Field, fe.Reason, true
	}
	return "", "", false
}

// Internal logs msg and attrs under a fresh error id and returns an
// INTERNAL status carrying only that id: the client can quote it, the log
// ties it to the details, and no internals cross the wire. The recovery
// interceptor uses it for panics, toStatus for unmapped errors.
func Internal(ctx context.Context, log *slog.Logger, msg string, attrs ...any) error {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	log.ErrorContext(ctx, msg, append([]any{"error_id", id}, attrs...)...)
	return status.Errorf(codes.Internal, "internal error (error id %s; the daemon's log has the details)", id)
}
