package daemon

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/store"
)

// audited are the calls that change what the daemon does. Reads are not
// audited (a dashboard polling status would bury the record), but any call
// refused for want of a valid token is: that is someone knocking.
var audited = map[string]bool{
	tradingv1.TradingService_StartTrading_FullMethodName:    true,
	tradingv1.TradingService_StopTrading_FullMethodName:     true,
	tradingv1.TradingService_ResetKillSwitch_FullMethodName: true,
	tradingv1.TradingService_Backup_FullMethodName:          true,
}

// maxAuditArgs bounds the arguments kept per call.
const maxAuditArgs = 2048

// auditInterceptor writes every control call and every refused one to the
// store's audit log and to the log. It sits outside auth so that it sees
// the refusals. A failure to write the audit record is logged, and the
// call's own result stands: the record is evidence, not a gate.
func auditInterceptor(st store.Store, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		code := status.Code(err)
		if !audited[info.FullMethod] && code != codes.Unauthenticated {
			return resp, err
		}
		row := store.AuditRow{Time: time.Now(), Method: info.FullMethod, Code: code.String(),
			Identity: callerIdentity(ctx, code == codes.Unauthenticated)}
		if p, ok := peer.FromContext(ctx); ok {
			row.Peer = p.Addr.String()
		}
		if m, ok := req.(proto.Message); ok {
			if b, merr := protojson.Marshal(m); merr == nil {
				row.Args = string(b[:min(len(b), maxAuditArgs)])
			}
		}
		if err != nil {
			row.Error = status.Convert(err).Message()
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
		return resp, err
	}
}
