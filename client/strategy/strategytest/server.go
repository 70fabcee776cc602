// Package strategytest is an in-process StrategyService for testing a
// remote strategy without a daemon: the test accepts the strategy's stream,
// sends it scripted events and reads its answers one by one, over an
// in-memory connection (grpc's bufconn).
//
// It owns only that fake server. It must never be used to run a strategy
// for real: it checks no token, keeps no account and applies no risk rule;
// it says exactly what the test tells it to.
package strategytest

import (
	"context"
	"errors"
	"net"
	"sync"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// Server serves StrategyService in memory. Close it when done: it owns a
// gRPC server, its listener and a client connection to it.
type Server struct {
	tradingv1.UnimplementedStrategyServiceServer
	lis     *bufconn.Listener
	srv     *grpc.Server
	conn    *grpc.ClientConn
	streams chan *Stream
	served  sync.WaitGroup
}

// NewServer starts a Server.
func NewServer() (*Server, error) {
	s := &Server{lis: bufconn.Listen(1 << 20), srv: grpc.NewServer(), streams: make(chan *Stream)}
	tradingv1.RegisterStrategyServiceServer(s.srv, s)
	conn, err := grpc.NewClient("passthrough:///strategytest",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	s.conn = conn
	s.served.Add(1)
	go func() { defer s.served.Done(); _ = s.srv.Serve(s.lis) }()
	return s, nil
}

// Conn is a client connection to the server, for strategy.Run.
func (s *Server) Conn() grpc.ClientConnInterface { return s.conn }

// Close ends every stream (the strategies see UNAVAILABLE or a cancel) and
// stops the server; it returns when its goroutines have.
func (s *Server) Close() {
	_ = s.conn.Close()
	s.srv.Stop()
	s.served.Wait()
}

// Accept waits for a strategy to say hello and returns its stream.
func (s *Server) Accept(ctx context.Context) (*Stream, error) {
	select {
	case st := <-s.streams:
		return st, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// RunStrategy implements tradingv1.StrategyServiceServer: it hands the
// stream to Accept and holds it open until the test ends it.
func (s *Server) RunStrategy(st grpc.BidiStreamingServer[tradingv1.RunStrategyRequest, tradingv1.RunStrategyResponse]) error {
	req, err := st.Recv()
	if err != nil {
		return err
	}
	if req.GetHello() == nil {
		return status.Error(codes.InvalidArgument, "strategytest: the first message must be a hello")
	}
	stream := &Stream{hello: req.GetHello(), st: st, end: make(chan error, 1)}
	select {
	case s.streams <- stream:
	case <-st.Context().Done():
		return st.Context().Err()
	}
	select {
	case err := <-stream.end:
		return err
	case <-st.Context().Done():
		return st.Context().Err()
	}
}

// Stream is one strategy's stream. Use it from one goroutine.
type Stream struct {
	hello   *tradingv1.StrategyHello
	st      grpc.BidiStreamingServer[tradingv1.RunStrategyRequest, tradingv1.RunStrategyResponse]
	end     chan error
	endOnce sync.Once
}

// Hello is the strategy's hello.
func (s *Stream) Hello() *tradingv1.StrategyHello { return s.hello }

// Context is the stream's context: done when the strategy went away.
func (s *Stream) Context() context.Context { return s.st.Context() }

// Send sends one event.
func (s *Stream) Send(ev *tradingv1.StrategyEvent) error {
	return s.st.Send(&tradingv1.RunStrategyResponse{Event: ev})
}

// Recv returns the strategy's next answer. A second hello is an error.
func (s *Stream) Recv() (*tradingv1.StrategyAnswer, error) {
	req, err := s.st.Recv()
	if err != nil {
		return nil, err
	}
	if req.GetAnswer() == nil {
		return nil, errors.New("strategytest: the strategy sent a second hello")
	}
	return req.GetAnswer(), nil
}

// End ends the RPC with err's status; nil ends it OK (send a Stopped event
// first, as the daemon does).
func (s *Stream) End(err error) {
	s.endOnce.Do(func() { s.end <- err })
}

// The builders below make the events a daemon sends, with decimals as
// text, for scripts.

// Snapshot is a snapshot event.
func Snapshot(seq uint64, snap *tradingv1.StrategySnapshot) *tradingv1.StrategyEvent {
	return &tradingv1.StrategyEvent{Sequence: seq, Event: &tradingv1.StrategyEvent_Snapshot{Snapshot: snap}}
}

// Book is a book event, which needs an answer.
func Book(seq uint64, symbol, bid, ask string) *tradingv1.StrategyEvent {
	return &tradingv1.StrategyEvent{Sequence: seq, NeedsAnswer: true,
		Event: &tradingv1.StrategyEvent_Book{Book: &tradingv1.BookUpdate{Symbol: symbol, Bid: bid, Ask: ask}}}
}

// Update is an order update event, with fill if not nil.
func Update(seq uint64, order *tradingv1.StrategyOrder, fill *tradingv1.Fill) *tradingv1.StrategyEvent {
	return &tradingv1.StrategyEvent{Sequence: seq, Event: &tradingv1.StrategyEvent_Order{
		Order: &tradingv1.StrategyOrderUpdate{Order: order, Fill: fill}}}
}

// Stopped is the last event of a stream the session ends.
func Stopped(seq uint64, reason string) *tradingv1.StrategyEvent {
	return &tradingv1.StrategyEvent{Sequence: seq, Event: &tradingv1.StrategyEvent_Stopped{
		Stopped: &tradingv1.StrategyStopped{State: tradingv1.SessionState_SESSION_STATE_STOPPED, Reason: reason}}}
}
