package security

import (
	"log/slog"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tradectl/tradectl/server/internal/store"
)

// AuditStream writes the audited streams (a strategy attaching, which then
// trades) to the audit log as AuditInterceptor writes unary calls: one
// record when the stream ends, its arguments the stream's first message
// (a strategy's hello: its name, version, symbols), its code how it ended.
func AuditStream(st store.Store, log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if !audited[info.FullMethod] {
			return h(srv, ss)
		}
		first := &firstRecv{ServerStream: ss}
		err := h(srv, first)
		ctx := ss.Context()
		code := status.Code(err)
		if refusedBeforeHandler(ctx, code) {
			return err
		}
		writeAudit(ctx, st, log, info.FullMethod, err, auditArgs(first.message(), MaxAuditArgs))
		return err
	}
}

// firstRecv keeps the first message a stream received, for its record.
type firstRecv struct {
	grpc.ServerStream
	mu    sync.Mutex
	first any
}

func (f *firstRecv) RecvMsg(m any) error {
	err := f.ServerStream.RecvMsg(m)
	if err == nil {
		f.mu.Lock()
		if pm, ok := m.(proto.Message); ok && f.first == nil {
			f.first = proto.Clone(pm) // the handler may reuse m for the next one
		}
		f.mu.Unlock()
	}
	return err
}

func (f *firstRecv) message() any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}
