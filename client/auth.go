package client

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// The token is attached by interceptors rather than PerRPCCredentials because
// gRPC refuses to send per-RPC credentials over an insecure transport, and
// the daemon serves plaintext on loopback addresses. Only control calls carry it: health checks and
// reflection need none, so the secret is not handed to them.
var controlPrefix = "/" + tradingv1.TradingService_ServiceDesc.ServiceName + "/"

func withBearer(ctx context.Context, method, token string) context.Context {
	if !strings.HasPrefix(method, controlPrefix) {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func bearerUnary(token string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return invoker(withBearer(ctx, method, token), method, req, reply, cc, opts...)
	}
}

func bearerStream(token string) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		return streamer(withBearer(ctx, method, token), desc, cc, method, opts...)
	}
}

// TokenFileError says the token file could not be used. It matches
// ErrUnauthenticated: without a token no control call can succeed.
type TokenFileError struct {
	Path string
	Err  error
}

func (e *TokenFileError) Error() string {
	where := "<data dir>/token"
	if def, err := DefaultTokenFile(); err == nil {
		where = def
	}
	return fmt.Sprintf("token file %s: %v (tradingd writes its token to %s when it starts; "+
		"start tradingd or point --token-file / TRADECTL_TOKEN_FILE at its token)", e.Path, e.Err, where)
}

func (e *TokenFileError) Unwrap() []error { return []error{ErrUnauthenticated, e.Err} }

func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		// The path is already in TokenFileError; keep only the cause.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", &TokenFileError{Path: path, Err: err}
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", &TokenFileError{Path: path, Err: errors.New("file is empty")}
	}
	return token, nil
}
