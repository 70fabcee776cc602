package security

import (
	"context"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// AuthFunc checks the bearer token a control call presents against tok.
// The messages name the fix, never the token.
func AuthFunc(tok TokenMatcher) auth.AuthFunc {
	return func(ctx context.Context) (context.Context, error) {
		presented, err := auth.AuthFromMD(ctx, "bearer")
		if err != nil {
			return nil, tradingv1.ErrorReason_ERROR_REASON_TOKEN_MISSING.Status("missing bearer token: pass the daemon's token (tradectl --token-file, TRADECTL_TOKEN_FILE)", nil).Err()
		}
		if !tok.Matches(presented) {
			return nil, tradingv1.ErrorReason_ERROR_REASON_TOKEN_INVALID.Status("invalid bearer token", nil).Err()
		}
		return ctx, nil
	}
}
