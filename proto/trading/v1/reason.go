package tradingv1

// Hand-written beside the generated code: the one place an ErrorReason
// becomes the string ErrorInfo.reason carries and back, and the gRPC code it
// comes with. The daemon builds its errors with ErrorReason.Status, the
// client reads them with ReasonOf: neither spells a reason, so the two
// cannot drift apart (containerd's errdefs, shared the same way).

import (
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

// ErrorDomain is the ErrorInfo domain of every error tradingd sends.
const ErrorDomain = "tradectl"

// reasonPrefix is what buf lint makes every value's name start with and the
// wire string leaves out: the strings on the wire predate the enum, and
// clients match them (see the enum's comment in trading.proto).
const reasonPrefix = "ERROR_REASON_"

// reasonCodes is the gRPC code each reason always comes with, as
// trading.proto documents value by value (a test holds the two together).
// A status code lives in Go rather than in a custom enum option because the
// proto would then import google/rpc/code.proto, a dependency buf would have
// to fetch.
var reasonCodes = map[ErrorReason]codes.Code{
	ErrorReason_ERROR_REASON_INVALID_SETTINGS:         codes.InvalidArgument,
	ErrorReason_ERROR_REASON_INVALID_REQUEST:          codes.InvalidArgument,
	ErrorReason_ERROR_REASON_TRADING_ALREADY_RUNNING:  codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_TRADING_STOPPING:         codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_LIVE_TRADING_UNAVAILABLE: codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_NO_SESSION:               codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_NOTHING_TO_RESUME:        codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_SESSION_INTERRUPTED:      codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_SESSION_NOT_INTERRUPTED:  codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_SESSION_NOT_FOUND:        codes.NotFound,
	ErrorReason_ERROR_REASON_NO_STORE:                 codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_STORE_FAILED:             codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_NOT_FOUND:                codes.NotFound,
	ErrorReason_ERROR_REASON_INVALID:                  codes.InvalidArgument,
	ErrorReason_ERROR_REASON_BACKUP_PATH_UNUSABLE:     codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_BACKUP_IN_PROGRESS:       codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_BACKUP_LIMIT:             codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_BACKUP_NO_SPACE:          codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_ALREADY_EXISTS:           codes.AlreadyExists,
	ErrorReason_ERROR_REASON_SEQUENCE_AHEAD:           codes.OutOfRange,
	ErrorReason_ERROR_REASON_WATCHER_LAGGED:           codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_SHUTTING_DOWN:            codes.Unavailable,
	ErrorReason_ERROR_REASON_DEADLINE_EXCEEDED:        codes.DeadlineExceeded,
	ErrorReason_ERROR_REASON_CANCELLED:                codes.Canceled,
	ErrorReason_ERROR_REASON_TOKEN_MISSING:            codes.Unauthenticated,
	ErrorReason_ERROR_REASON_TOKEN_INVALID:            codes.Unauthenticated,
	ErrorReason_ERROR_REASON_RATE_LIMITED:             codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_TOO_MANY_WATCHERS:        codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_TOO_MANY_PENDING_CALLS:   codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_STRATEGY_ATTACHED:        codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED:    codes.NotFound,
	ErrorReason_ERROR_REASON_STRATEGY_TOO_SLOW:        codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_DECISION_INVALID:         codes.InvalidArgument,
	ErrorReason_ERROR_REASON_ORDER_REFUSED:            codes.FailedPrecondition,
	ErrorReason_ERROR_REASON_VENUE_UNAVAILABLE:        codes.Unavailable,
	ErrorReason_ERROR_REASON_BACKTEST_BUSY:            codes.ResourceExhausted,
	ErrorReason_ERROR_REASON_SESSION_CHANGED:          codes.FailedPrecondition,
}

// reasonsByWire is ParseErrorReason's index, derived from the generated
// names so that a new value needs no edit here.
var reasonsByWire = func() map[string]ErrorReason {
	m := make(map[string]ErrorReason, len(ErrorReason_name))
	for n := range ErrorReason_name {
		if r := ErrorReason(n); r != ErrorReason_ERROR_REASON_UNSPECIFIED {
			m[r.Wire()] = r
		}
	}
	return m
}()

// Wire is the string ErrorInfo.reason carries for r: its name without the
// ERROR_REASON_ prefix. "" for UNSPECIFIED and for a number the enum does
// not name: neither is ever sent.
func (r ErrorReason) Wire() string {
	name, ok := ErrorReason_name[int32(r)]
	if !ok || r == ErrorReason_ERROR_REASON_UNSPECIFIED {
		return ""
	}
	return strings.TrimPrefix(name, reasonPrefix)
}

// ParseErrorReason is the reason whose Wire is s, or UNSPECIFIED if the
// enum names none (a newer daemon's reason, or none at all).
func ParseErrorReason(s string) ErrorReason {
	return reasonsByWire[s] // the zero value is UNSPECIFIED
}

// Code is the gRPC code r comes with; codes.Unknown for UNSPECIFIED.
func (r ErrorReason) Code() codes.Code {
	if c, ok := reasonCodes[r]; ok {
		return c
	}
	return codes.Unknown
}

// Status is the status tradingd answers with for r: r's code, msg, and an
// ErrorInfo of r with metadata (may be nil), followed by the details in
// more (BadRequest, RetryInfo). UNSPECIFIED gets no ErrorInfo.
func (r ErrorReason) Status(msg string, metadata map[string]string, more ...protoadapt.MessageV1) *status.Status {
	st := status.New(r.Code(), msg)
	details := more
	if w := r.Wire(); w != "" {
		info := &errdetails.ErrorInfo{Reason: w, Domain: ErrorDomain, Metadata: metadata}
		details = append([]protoadapt.MessageV1{info}, more...)
	}
	if len(details) == 0 {
		return st
	}
	if withDetails, err := st.WithDetails(details...); err == nil {
		return withDetails
	}
	return st
}

// ReasonOf is the reason of st's ErrorInfo in ErrorDomain, with that
// ErrorInfo (nil if st carries none). A reason the enum does not name reads
// as UNSPECIFIED, with its ErrorInfo still returned.
func ReasonOf(st *status.Status) (ErrorReason, *errdetails.ErrorInfo) {
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok && i.GetDomain() == ErrorDomain {
			info = i
		}
	}
	return ParseErrorReason(info.GetReason()), info
}
