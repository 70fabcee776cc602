package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"google.golang.org/grpc"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/service"
	"github.com/tradectl/tradectl/server/internal/store"
	"github.com/tradectl/tradectl/server/internal/transport"
)

// serverInterceptors returns the server's chains, outermost first: the codec's
// UTF-8 refusals are taken first (server/internal/transport/codec.go), then metrics see
// every call, auth refuses before validation reads the request, and recovery
// is innermost so that a handler's panic becomes INTERNAL that the layers
// above still count and log.
//
// Refusals (no valid token, over the rate, past the watcher cap) are
// recorded, summed per peer, method and reason, by the refusals layer just
// inside metrics, for unary calls and streams alike; the call log skips
// them. The per-peer rate limit comes next, before logging, audit and auth,
// for streams as for unary calls: a flood of bad tokens is limited, and
// neither it nor its refusals flood the log or the audit table. The watcher
// cap comes after auth, so only callers with the token hold slots.
func serverInterceptors(log *slog.Logger, tok security.TokenMatcher, metrics *grpcprom.ServerMetrics, st store.Store, g transport.Guards, refused, failed *security.Refusals, codec *transport.UTF8Codec) (grpc.ServerOption, grpc.ServerOption) {
	lg := logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		if security.IsRefusal(ctx, fields) {
			return // the refusals layer logs it, summed
		}
		log.Log(ctx, slog.Level(lvl), msg, fields...)
	})
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall)}
	// Routine polling gets the full call log only at debug level; at info
	// only its failures are logged, by a lighter interceptor. A probe every
	// second is 86,400 lines a day, and building each line's fields costs
	// more than answering the call.
	full := selector.MatchFunc(func(ctx context.Context, c interceptors.CallMeta) bool {
		return !polling(c.Method) || log.Enabled(ctx, slog.LevelDebug)
	})
	light := selector.MatchFunc(func(ctx context.Context, c interceptors.CallMeta) bool {
		return polling(c.Method) && !log.Enabled(ctx, slog.LevelDebug)
	})
	authFn := security.AuthFunc(tok)
	ranUnary, ranStream := security.HandlerRan()
	control := selector.MatchFunc(isControl)
	rec := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		return service.Internal(ctx, log, "handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	})
	unary := grpc.ChainUnaryInterceptor(
		codec.Take(), // first: it must take every request the codec kept
		metrics.UnaryServerInterceptor(),
		refused.Unary(),
		selector.UnaryServerInterceptor(g.UnaryRate(), control),
		selector.UnaryServerInterceptor(logging.UnaryServerInterceptor(lg, logOpts...), full),
		selector.UnaryServerInterceptor(security.LogFailures(failed), light),
		security.AuditInterceptor(st, log),
		selector.UnaryServerInterceptor(auth.UnaryServerInterceptor(authFn), control),
		codec.Refuse(),
		service.ValidateUnary(log),
		ranUnary,
		recovery.UnaryServerInterceptor(rec),
	)
	stream := grpc.ChainStreamInterceptor(
		codec.Stream(),
		metrics.StreamServerInterceptor(),
		refused.Stream(),
		selector.StreamServerInterceptor(g.StreamRate(), control),
		selector.StreamServerInterceptor(logging.StreamServerInterceptor(lg, logOpts...), full),
		security.AuditStream(st, log),
		selector.StreamServerInterceptor(auth.StreamServerInterceptor(authFn), control),
		g.Watchers(),
		service.ValidateStream(log),
		ranStream,
		recovery.StreamServerInterceptor(rec),
	)
	return unary, stream
}

// isControl selects the calls that need a token: everything of
// TradingService and StrategyService (a strategy trades). Health checks and
// reflection stay open so that probes and grpcurl work without secrets.
func isControl(_ context.Context, c interceptors.CallMeta) bool {
	return c.Service == tradingv1.TradingService_ServiceDesc.ServiceName ||
		c.Service == tradingv1.StrategyService_ServiceDesc.ServiceName
}

// polling reports whether a method is routine polling: status, health
// (Check, List and Watch) and reflection. Health and reflection need no
// token and are never rate-limited: a line per call at info would let
// anyone write to the log as fast as they can open a stream.
func polling(method string) bool {
	switch method {
	case "GetStatus", "Check", "List", "Watch", "ServerReflectionInfo":
		return true
	}
	return false
}
