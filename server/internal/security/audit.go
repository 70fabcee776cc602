package security

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/store"
)

// audited are the calls that change what the daemon does. Reads are not
// audited (a dashboard polling status would bury the record); calls
// refused before any handler ran (no valid token, over a rate), unary or
// stream, are, summed per peer, method and reason (refusals.go).
var audited = map[string]bool{
	tradingv1.TradingService_StartTrading_FullMethodName:    true,
	tradingv1.TradingService_StopTrading_FullMethodName:     true,
	tradingv1.TradingService_ResetKillSwitch_FullMethodName: true,
	tradingv1.TradingService_Backup_FullMethodName:          true,
	// A backtest changes nothing, but it spends a core of the daemon's
	// for up to minutes: an operator wants to see who ran one.
	tradingv1.TradingService_RunBacktest_FullMethodName: true,
	// A strategy attaching drives the session's orders from then on.
	tradingv1.StrategyService_RunStrategy_FullMethodName: true,
}

// MaxAuditArgs bounds every value kept per call; maxRefusedArgs the
// arguments of a refused one, which anyone can choose.
const (
	MaxAuditArgs   = 2048
	maxRefusedArgs = 256
)

// auditValue escapes s for a record that a person reads in a terminal or
// a tool splits into lines: control characters and invalid UTF-8 become
// Go escapes (a newline is \n, never a line of its own), and the result is
// cut to at most limit bytes at a rune boundary.
func auditValue(s string, limit int) string {
	q := strconv.Quote(s)
	return cutRunes(q[1:len(q)-1], limit)
}

// cutRunes is s cut to at most limit bytes at a rune boundary.
func cutRunes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// auditArgs is req as JSON, cut to limit bytes. protojson refuses invalid
// UTF-8 and escapes the C0 controls, but leaves the rest of what is not
// printable as it came: C1 controls (U+009B starts a terminal escape),
// line and paragraph separators, bidirectional overrides. jsonPrintable
// escapes those too, which keeps the JSON valid; quoting it as a Go string
// would make it unreadable as JSON.
func auditArgs(req any, limit int) string {
	m, ok := req.(proto.Message)
	if !ok {
		return ""
	}
	b, err := protojson.Marshal(m)
	if err != nil {
		return ""
	}
	return cutRunes(jsonPrintable(string(b)), limit)
}

// jsonPrintable escapes, as JSON \u escapes, every rune of js that
// strconv.IsPrint refuses.
func jsonPrintable(js string) string {
	if !strings.ContainsFunc(js, func(r rune) bool { return !strconv.IsPrint(r) }) {
		return js
	}
	var b strings.Builder
	for _, r := range js {
		if strconv.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// AuditInterceptor writes every control call that reached its handler to
// the store's audit log and to the log; refusals are the refusals
// interceptor's. A failure to write the audit record is logged, and the
// call's own result stands: the record is evidence, not a gate.
func AuditInterceptor(st store.Store, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		code := status.Code(err)
		if !audited[info.FullMethod] || refusedBeforeHandler(ctx, code) {
			return resp, err
		}
		writeAudit(ctx, st, log, info.FullMethod, err, auditArgs(req, MaxAuditArgs))
		return resp, err
	}
}

// refusedBeforeHandler reports whether a call was refused before its
// handler ran (no token, over a rate or a cap): the refusals layer records
// those, summed. A handler's own answer with the same code (a backup the
// store refused for room, say) got past authentication and is audited.
func refusedBeforeHandler(ctx context.Context, code codes.Code) bool {
	if !refusedCodes[code] {
		return false
	}
	if ran, ok := ctx.Value(ranKey{}).(*atomic.Bool); ok {
		return !ran.Load()
	}
	return true // no refusals layer to tell: go by the code
}

// writeAudit records a call that reached its handler: in the log, and in
// the store's audit table when there is one. A failure to write is logged;
// the call's own result stands: the record is evidence, not a gate.
func writeAudit(ctx context.Context, st store.Store, log *slog.Logger, method string, err error, args string) {
	row := store.AuditRow{Time: time.Now(), Method: method, Code: status.Code(err).String(),
		Identity: auditValue(callerIdentity(ctx, false), MaxAuditArgs), Args: args, Count: 1}
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
}
