package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The token is attached by interceptors rather than PerRPCCredentials because
// gRPC refuses to send per-RPC credentials over an insecure transport, and
// the daemon serves plaintext on loopback addresses. Only control calls carry it (TradingService,
// and StrategyService, whose stream drives a session): health checks and reflection need none, so
// the secret is not handed to them.
var controlPrefixes = []string{
	"/" + tradingv1.TradingService_ServiceDesc.ServiceName + "/",
	"/" + tradingv1.StrategyService_ServiceDesc.ServiceName + "/",
}

func isControl(method string) bool {
	for _, p := range controlPrefixes {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

func withBearer(ctx context.Context, method, token string) context.Context {
	if !isControl(method) {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// tokenSource is the bearer token: a fixed one, or the one in a file.
// tradingd may rotate its token and restart while a client lives (a
// watch-health left running), so the file is read again whenever a stream
// opens (every reconnect) and when a call is refused as unauthenticated:
// what the file holds now is what counts, not what it held at New.
type tokenSource struct {
	path string // "" for a fixed token
	mu   sync.Mutex
	last string
}

func (s *tokenSource) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// fresh re-reads the file; a fixed token is returned as it is.
func (s *tokenSource) fresh() (string, error) {
	if s.path == "" {
		return s.current(), nil
	}
	t, err := readToken(s.path)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.last = t
	s.mu.Unlock()
	return t, nil
}

func bearerUnary(src *tokenSource) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		token := src.current()
		err := invoker(withBearer(ctx, method, token), method, req, reply, cc, opts...)
		// A refused token was not acted on, so the call may be made again,
		// once, with the file's token if it changed since.
		if status.Code(err) == codes.Unauthenticated && isControl(method) {
			if t, rerr := src.fresh(); rerr == nil && t != token {
				err = invoker(withBearer(ctx, method, t), method, req, reply, cc, opts...)
			}
		}
		return err
	}
}

func bearerStream(src *tokenSource) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if !isControl(method) {
			return streamer(ctx, desc, cc, method, opts...)
		}
		token, err := src.fresh()
		if err != nil {
			return nil, err
		}
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

// maxTokenFile bounds what is read of a token file, as tradingd bounds
// it: a token is a line, and --token-file /dev/zero (or a multi-gigabyte
// file given by mistake) must not take the machine's memory.
const maxTokenFile = 4096

// readToken reads the token at path: a regular file (a FIFO or a device
// would block or never end) of at most maxTokenFile bytes.
func readToken(path string) (string, error) {
	b, err := readSmallFile(path, maxTokenFile)
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

// readSmallFile reads path, refusing anything but a regular file (checked
// before opening: opening a FIFO blocks) and anything over limit bytes.
func readSmallFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes: not a token file", limit)
	}
	return b, nil
}

// ReadTokenFile reads a token file as the client does (a regular file of at
// most 4 KiB, surrounding space trimmed): for programs that check the token
// rather than present it, such as `tradectl backtest` hosting a remote
// strategy.
func ReadTokenFile(path string) (string, error) { return readToken(path) }
