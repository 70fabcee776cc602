package service

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/backtests"
	"github.com/tradectl/tradectl/server/internal/errorid"
	"github.com/tradectl/tradectl/server/internal/orderfeed"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// errorTable is the one place domain errors become gRPC statuses; the first
// entry that errors.Is matches wins. The reason is the stable, machine
// readable ErrorInfo reason of AIP-193, and it brings its gRPC code: both
// come from the ErrorReason enum of trading.proto, which the client reads
// them back with, so no reason is spelled here.
var errorTable = []struct {
	err    error
	reason tradingv1.ErrorReason
}{
	// A setting refused by the request's shape checks or by the domain:
	// one reason, one shape.
	{settings.ErrInvalid, tradingv1.ErrorReason_ERROR_REASON_INVALID_SETTINGS},
	{tradingv1.ErrInvalidSettings, tradingv1.ErrorReason_ERROR_REASON_INVALID_SETTINGS},
	{tradingv1.ErrInvalidRequest, tradingv1.ErrorReason_ERROR_REASON_INVALID_REQUEST},
	{settings.ErrLiveUnavailable, tradingv1.ErrorReason_ERROR_REASON_LIVE_TRADING_UNAVAILABLE},
	// Before the store's: a resume that could not reconnect is the
	// venue's problem, not the store's.
	{assemble.ErrVenueUnavailable, tradingv1.ErrorReason_ERROR_REASON_VENUE_UNAVAILABLE},
	{session.ErrAlreadyRunning, tradingv1.ErrorReason_ERROR_REASON_TRADING_ALREADY_RUNNING},
	{session.ErrStopping, tradingv1.ErrorReason_ERROR_REASON_TRADING_STOPPING},
	{session.ErrShuttingDown, tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN},
	{session.ErrNoSession, tradingv1.ErrorReason_ERROR_REASON_NO_SESSION},
	{session.ErrNothingToResume, tradingv1.ErrorReason_ERROR_REASON_NOTHING_TO_RESUME},
	{session.ErrInterrupted, tradingv1.ErrorReason_ERROR_REASON_SESSION_INTERRUPTED},
	{session.ErrNotInterrupted, tradingv1.ErrorReason_ERROR_REASON_SESSION_NOT_INTERRUPTED},
	{session.ErrNoStore, tradingv1.ErrorReason_ERROR_REASON_NO_STORE},
	{session.ErrStore, tradingv1.ErrorReason_ERROR_REASON_STORE_FAILED},
	{session.ErrUnknownSession, tradingv1.ErrorReason_ERROR_REASON_SESSION_NOT_FOUND},
	{session.ErrSessionChanged, tradingv1.ErrorReason_ERROR_REASON_SESSION_CHANGED},
	{store.ErrNotFound, tradingv1.ErrorReason_ERROR_REASON_NOT_FOUND},
	{store.ErrBackupPath, tradingv1.ErrorReason_ERROR_REASON_BACKUP_PATH_UNUSABLE},
	{store.ErrBackupBusy, tradingv1.ErrorReason_ERROR_REASON_BACKUP_IN_PROGRESS},
	{backtests.ErrBusy, tradingv1.ErrorReason_ERROR_REASON_BACKTEST_BUSY},
	{backtests.ErrClosed, tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN},
	{store.ErrBackupLimit, tradingv1.ErrorReason_ERROR_REASON_BACKUP_LIMIT},
	{store.ErrBackupNoSpace, tradingv1.ErrorReason_ERROR_REASON_BACKUP_NO_SPACE},
	{store.ErrInvalid, tradingv1.ErrorReason_ERROR_REASON_INVALID},
	{fs.ErrExist, tradingv1.ErrorReason_ERROR_REASON_ALREADY_EXISTS},
	{orderfeed.ErrAhead, tradingv1.ErrorReason_ERROR_REASON_SEQUENCE_AHEAD},
	{orderfeed.ErrLagged, tradingv1.ErrorReason_ERROR_REASON_WATCHER_LAGGED},
	{orderfeed.ErrClosed, tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN},
	{context.DeadlineExceeded, tradingv1.ErrorReason_ERROR_REASON_DEADLINE_EXCEEDED},
	{context.Canceled, tradingv1.ErrorReason_ERROR_REASON_CANCELLED},
}

// toStatus turns a domain error into a status with ErrorInfo (and
// BadRequest for a field at fault). Errors outside the table are internal:
// the client gets an id, the log gets the details, nothing leaks.
func toStatus(log *slog.Logger, err error) error {
	for _, e := range errorTable {
		if !errors.Is(err, e.err) {
			continue
		}
		var metadata map[string]string
		if interrupted := (*session.InterruptedError)(nil); errors.As(err, &interrupted) {
			metadata = map[string]string{"session_id": interrupted.Newest(),
				"interrupted_sessions": strings.Join(interrupted.SessionIDs, ",")}
		}
		var conflict *session.ConflictError
		if errors.As(err, &conflict) {
			metadata = map[string]string{"session_id": conflict.SessionID}
			if d := conflict.DifferentSettings(); d != "" {
				metadata["different_settings"] = d
			}
		}
		if changed := (*session.SessionChangedError)(nil); errors.As(err, &changed) {
			metadata = map[string]string{"session_id": changed.Current}
		}
		var details []protoadapt.MessageV1
		if v := fieldsAtFault(err); len(v) > 0 {
			details = append(details, &errdetails.BadRequest{FieldViolations: v})
		}
		return e.reason.Status(err.Error(), metadata, details...).Err()
	}
	return Internal(context.Background(), log, "internal error", "err", err)
}

// fieldsAtFault names the fields an invalid-argument error is about.
func fieldsAtFault(err error) []*errdetails.BadRequest_FieldViolation {
	var inv *settings.InvalidError
	if errors.As(err, &inv) {
		return []*errdetails.BadRequest_FieldViolation{{Field: inv.Field, Description: inv.Reason}}
	}
	var many *settings.FieldsError
	if errors.As(err, &many) {
		v := make([]*errdetails.BadRequest_FieldViolation, len(many.Fields))
		for i, f := range many.Fields {
			v[i] = &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Reason}
		}
		return v
	}
	var fe *tradingv1.FieldError
	if errors.As(err, &fe) {
		return []*errdetails.BadRequest_FieldViolation{{Field: fe.Field, Description: fe.Reason}}
	}
	return nil
}

// Internal logs msg and attrs under a fresh error id and returns an
// INTERNAL status carrying only that id: the client can quote it, the log
// ties it to the details, and no internals cross the wire. The recovery
// interceptor uses it for panics, toStatus for unmapped errors.
func Internal(ctx context.Context, log *slog.Logger, msg string, attrs ...any) error {
	id := errorid.New()
	log.ErrorContext(ctx, msg, append([]any{"error_id", id}, attrs...)...)
	return status.Errorf(codes.Internal, "internal error (error id %s; the daemon's log has the details)", id)
}
