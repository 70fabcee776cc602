package service

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
)

// handlerCall is one unary RPC: a fresh request for the codec to fill, and
// the handler it is served by.
type handlerCall struct {
	name   string
	newReq func() proto.Message
	call   func(context.Context, *Trading, proto.Message) (proto.Message, error)
}

// unary adapts a typed handler; the typed nil response of a failed call
// becomes an untyped nil, so that "no response" is testable.
func unary[Req, Resp proto.Message](name string, newReq func() Req, h func(*Trading, context.Context, Req) (Resp, error)) handlerCall {
	return handlerCall{
		name:   name,
		newReq: func() proto.Message { return newReq() },
		call: func(ctx context.Context, t *Trading, req proto.Message) (proto.Message, error) {
			resp, err := h(t, ctx, req.(Req))
			if err != nil {
				return nil, err
			}
			return resp, nil
		},
	}
}

// handlerCalls run in this order on every input: start first, so that the
// reads in between see a running session when the input starts one, and
// stop last.
var handlerCalls = []handlerCall{
	unary("StartTrading", func() *tradingv1.StartTradingRequest { return &tradingv1.StartTradingRequest{} }, (*Trading).StartTrading),
	unary("GetStatus", func() *tradingv1.GetStatusRequest { return &tradingv1.GetStatusRequest{} }, (*Trading).GetStatus),
	unary("GetVenue", func() *tradingv1.GetVenueRequest { return &tradingv1.GetVenueRequest{} }, (*Trading).GetVenue),
	unary("ListOrders", func() *tradingv1.ListOrdersRequest { return &tradingv1.ListOrdersRequest{} }, (*Trading).ListOrders),
	unary("GetPortfolio", func() *tradingv1.GetPortfolioRequest { return &tradingv1.GetPortfolioRequest{} }, (*Trading).GetPortfolio),
	unary("ListFills", func() *tradingv1.ListFillsRequest { return &tradingv1.ListFillsRequest{} }, (*Trading).ListFills),
	unary("GetEquityCurve", func() *tradingv1.GetEquityCurveRequest { return &tradingv1.GetEquityCurveRequest{} }, (*Trading).GetEquityCurve),
	unary("ListSessions", func() *tradingv1.ListSessionsRequest { return &tradingv1.ListSessionsRequest{} }, (*Trading).ListSessions),
	unary("ResetKillSwitch", func() *tradingv1.ResetKillSwitchRequest { return &tradingv1.ResetKillSwitchRequest{} }, (*Trading).ResetKillSwitch),
	unary("Backup", func() *tradingv1.BackupRequest { return &tradingv1.BackupRequest{} }, (*Trading).Backup),
	unary("StopTrading", func() *tradingv1.StopTradingRequest { return &tradingv1.StopTradingRequest{} }, (*Trading).StopTrading),
}

// FuzzHandlers feeds arbitrary bytes to every unary handler the way the
// daemon does: decoded by gRPC's own proto codec, checked by the same
// validator interceptor, then served by the real adapter over a real
// session manager (paper venue, no store). Each call must end in a
// response or in a status error with a code the error table gives, never a
// panic and never INTERNAL; whatever session the input started is stopped
// and the manager shut down before the next input, so nothing outlives it.
func FuzzHandlers(f *testing.F) {
	for _, req := range startSeeds() {
		f.Add(marshalSeed(f, req))
	}
	for _, req := range []proto.Message{
		&tradingv1.ListOrdersRequest{SessionId: "0123456789abcdef", OpenOnly: true, Limit: -1},
		&tradingv1.ListFillsRequest{Limit: 1 << 30},
		&tradingv1.ResetKillSwitchRequest{Reason: "fuzz"},
		&tradingv1.BackupRequest{Path: "/nonexistent/dir/backup.db"},
		&tradingv1.BackupRequest{Path: "relative/backup.db"},
		&tradingv1.StopTradingRequest{KeepOpenOrders: true},
	} {
		f.Add(marshalSeed(f, req))
	}
	codec := encoding.GetCodecV2("proto")
	if codec == nil {
		f.Fatal("gRPC's proto codec is not registered")
	}
	validate := ValidateUnary(slog.New(slog.DiscardHandler))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := session.NewManager(session.Options{Assembler: assemble.Paper{}, StopTimeout: 200 * time.Millisecond})
		svc := NewTrading(m, nil, nil)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer func() {
			cancel()
			m.Shutdown(context.Background())
		}()
		for _, c := range handlerCalls {
			req := c.newReq()
			if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, req); err != nil {
				continue // the server answers INTERNAL before any handler runs
			}
			info := &grpc.UnaryServerInfo{FullMethod: "/" + tradingv1.TradingService_ServiceDesc.ServiceName + "/" + c.name}
			resp, err := validate(ctx, req, info, func(ctx context.Context, req any) (any, error) {
				return c.call(ctx, svc, req.(proto.Message))
			})
			checkOutcome(t, c.name, resp, err)
		}
	})
}

func checkOutcome(t *testing.T, name string, resp any, err error) {
	t.Helper()
	if err == nil {
		if resp == nil {
			t.Fatalf("%s: neither a response nor an error", name)
		}
		return
	}
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("%s: error %v is not a gRPC status", name, err)
	}
	switch st.Code() {
	case codes.InvalidArgument:
		// One shape for every invalid argument, whichever check found it.
		if _, hasField := detail[*errdetails.BadRequest](st); !hasField {
			t.Fatalf("%s: %v without BadRequest", name, err)
		}
		if _, hasInfo := detail[*errdetails.ErrorInfo](st); !hasInfo {
			t.Fatalf("%s: %v without ErrorInfo", name, err)
		}
	case codes.FailedPrecondition, codes.NotFound, codes.AlreadyExists:
	default:
		// INTERNAL is an error the table missed; a deadline or a
		// cancellation here is a handler that hung for seconds.
		t.Fatalf("%s: %v (code %s)", name, err, st.Code())
	}
}

func detail[T any](st *status.Status) (T, bool) {
	for _, d := range st.Details() {
		if v, ok := d.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}
