package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/validator"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// serverInterceptors returns the server's chains, outermost first: metrics see
// every call, logging sees the final code, auth refuses before validation
// reads the request, and recovery is innermost so that a handler's panic
// becomes INTERNAL that the layers above still count and log.
func serverInterceptors(log *slog.Logger, tok Token, metrics *grpcprom.ServerMetrics) (grpc.ServerOption, grpc.ServerOption) {
	lg := logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		if lvl == logging.LevelInfo && quiet(fields) {
			lvl = logging.LevelDebug
		}
		log.Log(ctx, slog.Level(lvl), msg, fields...)
	})
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall)}
	authFn := authFunc(tok)
	control := selector.MatchFunc(isControl)
	rec := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		id := newErrorID()
		log.ErrorContext(ctx, "handler panicked", "error_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return status.Errorf(codes.Internal, "internal error (error id %s; the daemon's log has the details)", id)
	})
	unary := grpc.ChainUnaryInterceptor(
		metrics.UnaryServerInterceptor(),
		logging.UnaryServerInterceptor(lg, logOpts...),
		selector.UnaryServerInterceptor(auth.UnaryServerInterceptor(authFn), control),
		validator.UnaryServerInterceptor(),
		recovery.UnaryServerInterceptor(rec),
	)
	stream := grpc.ChainStreamInterceptor(
		metrics.StreamServerInterceptor(),
		logging.StreamServerInterceptor(lg, logOpts...),
		selector.StreamServerInterceptor(auth.StreamServerInterceptor(authFn), control),
		validator.StreamServerInterceptor(),
		recovery.StreamServerInterceptor(rec),
	)
	return unary, stream
}

// isControl selects the calls that need a token: everything of
// TradingService. Health checks and reflection stay open so that probes
// and grpcurl work without secrets.
func isControl(_ context.Context, c interceptors.CallMeta) bool {
	return c.Service == tradingv1.TradingService_ServiceDesc.ServiceName
}

// quiet reports whether a successful call is routine polling (status,
// health, reflection) that would drown the log at INFO: a probe every
// second is 86,400 lines a day. Control calls and failures stay at INFO.
func quiet(fields []any) bool {
	for i := 0; i+1 < len(fields); i += 2 {
		if k, _ := fields[i].(string); k == "grpc.method" {
			switch fields[i+1] {
			case "GetStatus", "Check", "Watch", "List", "ServerReflectionInfo":
				return true
			}
		}
	}
	return false
}

func authFunc(tok Token) auth.AuthFunc {
	return func(ctx context.Context) (context.Context, error) {
		presented, err := auth.AuthFromMD(ctx, "bearer")
		if err != nil {
			return nil, status.Error(codes.Unauthenticated, "missing bearer token: pass the daemon's token (tradectl --token-file, TRADECTL_TOKEN_FILE)")
		}
		if !tok.Matches(presented) {
			return nil, status.Error(codes.Unauthenticated, "invalid bearer token")
		}
		return ctx, nil
	}
}

func newErrorID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
