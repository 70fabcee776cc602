package security

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
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
		row := store.AuditRow{Time: time.Now(), Method: info.FullMethod, Code: code.String(),
			Identity: auditValue(callerIdentity(ctx, false), MaxAuditArgs), Args: auditArgs(first.message(), MaxAuditArgs), Count: 1}
		if p, ok := peer.FromContext(ctx); ok {
			row.Peer = auditValue(p.Addr.String(), MaxAuditArgs)
		}
		if err != nil {
			row.Error = auditValue(status.Convert(err).Message(), MaxAuditArgs)
		}
		log.InfoContext(ctx, "audit", "method", row.Method, "peer", row.Peer, "identity", row.Identity,
			"args", row.Args, "code", row.Code, "error", row.Error)
		if st != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if werr := st.Audit(actx, row); werr != nil {
				log.ErrorContext(ctx, "could not write the audit record", "method", row.Method, "err", werr)
			}
		}
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
