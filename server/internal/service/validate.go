package service

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"
)

// validator is what the hand-written checks of proto/trading/v1 implement.
type validating interface{ Validate() error }

// ValidateUnary refuses a request whose shape checks fail, before its
// handler runs, with the status toStatus gives every other invalid
// argument: ErrorInfo and BadRequest naming the field. (go-grpc-middleware's
// validator would answer a bare INVALID_ARGUMENT.)
func ValidateUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := validate(log, req); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// ValidateStream checks each message a stream receives as ValidateUnary
// checks a request.
func ValidateStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		return h(srv, &validatingStream{ServerStream: ss, log: log})
	}
}

type validatingStream struct {
	grpc.ServerStream
	log *slog.Logger
}

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return validate(s.log, m)
}

func validate(log *slog.Logger, req any) error {
	if v, ok := req.(validating); ok {
		if err := v.Validate(); err != nil {
			return toStatus(log, err)
		}
	}
	return nil
}
