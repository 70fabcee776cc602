package remote

import (
	"context"
	"fmt"
	"sync"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Service is StrategyService over a Registry: it attaches a client to the
// strategy its hello names and carries events one way and answers the
// other. It translates, and decides nothing itself.
type Service struct {
	tradingv1.UnimplementedStrategyServiceServer
	reg *Registry
	// streams are the goroutines that send events and receive answers,
	// two per stream: each ends when its stream's handler has returned
	// (grpc ends the stream then, which ends a Send or Recv in progress).
	streams sync.WaitGroup
}

// NewService serves the strategies of reg.
func NewService(reg *Registry) *Service { return &Service{reg: reg} }

// Wait returns when every stream's goroutines have ended: after the gRPC
// server has stopped, at once.
func (svc *Service) Wait() { svc.streams.Wait() }

// RunStrategy implements tradingv1.StrategyServiceServer.
func (svc *Service) RunStrategy(stream tradingv1.StrategyService_RunStrategyServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hello := first.GetHello()
	if hello == nil {
		return tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID.Status(
			"the first message of RunStrategy must be a hello", nil).Err()
	}
	if !nameRE.MatchString(hello.GetName()) {
		// Not echoed: it could be anything, of any length.
		return tradingv1.ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED.Status(
			"no session waits for that name: a name is 1 to 64 characters of [A-Za-z0-9._-]", nil).Err()
	}
	s := svc.reg.Lookup(hello.GetName())
	if s == nil {
		return tradingv1.ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED.Status(
			fmt.Sprintf("no session waits for remote:%s", hello.GetName()), nil).Err()
	}
	a, err := s.attach(hello)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	// Sending and receiving run on goroutines of their own, so that the
	// handler can end the stream at a detach even while a Send waits for
	// a client that stopped reading (flow control): returning ends the
	// stream, which ends that Send.
	sent := make(chan error, 1)
	svc.streams.Add(2)
	go func() {
		defer svc.streams.Done()
		s.detach(a, svc.receive(ctx, stream, s, a))
	}()
	go func() {
		defer svc.streams.Done()
		err := svc.send(ctx, stream, s, a)
		if ctx.Err() == nil {
			s.detach(a, nil)
		} // else the receiver detaches, with the reason if there is one
		sent <- err
	}()
	select {
	case err := <-sent:
		return err
	case <-a.done:
		s.mu.Lock()
		err := a.err
		s.mu.Unlock()
		return err
	}
}

// send sends a's events until the final one (nil), the detach (its error),
// or the stream's end.
func (svc *Service) send(ctx context.Context, stream tradingv1.StrategyService_RunStrategyServer, s *Strategy, a *attachment) error {
	for {
		ev, final, err := s.next(a, ctx.Done())
		if ev == nil {
			if err == nil && ctx.Err() != nil {
				err = status.FromContextError(ctx.Err()).Err()
			}
			return err
		}
		if err := stream.Send(&tradingv1.RunStrategyResponse{Event: ev}); err != nil {
			return err
		}
		if final {
			return nil
		}
	}
}

// receive hands the client's answers to the strategy until the stream ends
// or a detaches; the error is why the stream must end (nil: it did).
func (svc *Service) receive(ctx context.Context, stream tradingv1.StrategyService_RunStrategyServer, s *Strategy, a *attachment) error {
	for {
		req, err := stream.Recv()
		switch {
		case status.Code(err) == codes.ResourceExhausted:
			// A message past the size limit (gRPC ends the stream
			// too): health says why the strategy detached.
			return status.Convert(err).Err()
		case err != nil || ctx.Err() != nil:
			return nil // the client left, or the stream ended
		}
		ans := req.GetAnswer()
		if ans == nil {
			return tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID.Status(
				"after the hello a strategy sends answers only", nil).Err()
		}
		if !s.deliver(a, ans, ctx.Done()) {
			return nil
		}
	}
}
