package security

import (
	"context"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// AuthFunc checks the bearer token a control call presents against tok.
// The messages name the fix, never the token.
func AuthFunc(tok TokenMatcher) auth.AuthFunc {
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
