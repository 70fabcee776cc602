package strategy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Strategy is what a remote strategy implements. Run calls it on one
// goroutine, one event at a time, in the order the daemon sent them, so it
// needs no locks. The Account and the event are valid during the call
// only. Market and timer callbacks add their decisions to d; Run answers
// the event with them when the callback returns.
type Strategy interface {
	// OnSnapshot runs first on every attach; the Account already holds
	// the snapshot's cash, positions, filters and open orders.
	OnSnapshot(a Account, s *Snapshot)
	OnBook(a Account, b *Book, d *Decisions)
	OnTrade(a Account, t *Trade, d *Decisions)
	OnTimer(a Account, ev Event, d *Decisions)
	// OnOrder runs after the update is in the Account.
	OnOrder(a Account, u *OrderUpdate)
	// OnRefused runs after the refused decision is undone in the Account.
	OnRefused(a Account, r *Refusal)
}

// StopObserver is implemented by strategies that want to know why the
// session ended the stream.
type StopObserver interface {
	OnStopped(a Account, s *Stopped)
}

// Base implements every callback by doing nothing; embed it and override
// the callbacks you need.
type Base struct{}

func (Base) OnSnapshot(Account, *Snapshot)       {}
func (Base) OnBook(Account, *Book, *Decisions)   {}
func (Base) OnTrade(Account, *Trade, *Decisions) {}
func (Base) OnTimer(Account, Event, *Decisions)  {}
func (Base) OnOrder(Account, *OrderUpdate)       {}
func (Base) OnRefused(Account, *Refusal)         {}

var _ Strategy = Base{}

// ErrEndedWithoutStop is wrapped by Run's error when the daemon closed the
// stream cleanly without the final StrategyStopped event.
var ErrEndedWithoutStop = errors.New("strategy: the stream ended without a stop event")

// Run attaches impl to the session waiting for hello.Name over conn (a
// client.Client's Conn, for its token and TLS) and drives it until the
// stream ends: it sends the hello, takes the snapshot, then calls impl for
// every event and sends exactly one answer, naming the event's sequence,
// for every event that needs one, in order. It returns nil when the
// session ended the stream (after a StrategyStopped event), ctx.Err() when
// ctx is cancelled, and otherwise the stream's error: a gRPC status with
// the daemon's ErrorReason (STRATEGY_NOT_EXPECTED, STRATEGY_ATTACHED,
// STRATEGY_TOO_SLOW, ...), or the SDK's own for a malformed event.
//
// To re-attach after a disconnect, call Run again with the same impl: the
// strategy keeps its own state, and the Account is rebuilt from the new
// snapshot, which lists the orders it left resting by tag.
func Run(ctx context.Context, conn grpc.ClientConnInterface, hello Hello, impl Strategy) error {
	if hello.Name == "" {
		return errors.New("strategy: Hello.Name is empty: give NAME of the session's --strategy remote:NAME")
	}
	if hello.TimerInterval < 0 || (hello.TimerInterval > 0 && hello.TimerInterval < time.Millisecond) {
		return fmt.Errorf("strategy: Hello.TimerInterval %s: want 0 (no timer) or at least 1ms", hello.TimerInterval)
	}
	// Cancelling streamCtx when Run returns early (a malformed event)
	// ends the RPC and frees its resources.
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := tradingv1.NewStrategyServiceClient(conn).RunStrategy(streamCtx)
	if err != nil {
		return endErr(ctx, err)
	}
	if err := stream.Send(helloRequest(hello)); err != nil {
		return endErr(ctx, recvErr(stream, err))
	}
	r := &runner{impl: impl, acct: newAccount()}
	// ended: the daemon ended the stream while an answer was being
	// decided. What it sent before, its stop event included, is still to
	// be read and applied; there is nobody to answer any more.
	ended := false
	for {
		ev, err := stream.Recv()
		if err == io.EOF {
			switch {
			case r.stopped:
				return nil
			case ended:
				return fmt.Errorf("%w (while answering)", ErrEndedWithoutStop)
			}
			return fmt.Errorf("%w (after event %d)", ErrEndedWithoutStop, r.last)
		}
		if err != nil {
			return endErr(ctx, err)
		}
		answer, err := r.handle(ev.GetEvent())
		if err != nil {
			return err
		}
		if answer != nil && !ended {
			if err := stream.Send(answer); err == io.EOF {
				ended = true
			} else if err != nil {
				return endErr(ctx, err)
			}
		}
	}
}

// recvErr turns a failed Send into the stream's real status: gRPC reports
// io.EOF from Send when the server ended the stream, and Recv says why.
func recvErr(stream grpc.BidiStreamingClient[tradingv1.RunStrategyRequest, tradingv1.RunStrategyResponse], err error) error {
	if err != io.EOF {
		return err
	}
	for {
		if _, err := stream.Recv(); err != nil {
			if err == io.EOF {
				return fmt.Errorf("%w (while answering)", ErrEndedWithoutStop)
			}
			return err
		}
	}
}

// endErr prefers ctx's error: a cancelled Run is the caller's doing.
func endErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func helloRequest(h Hello) *tradingv1.RunStrategyRequest {
	p := &tradingv1.StrategyHello{Name: h.Name, Version: h.Version, Symbols: h.Symbols, Kinds: h.Kinds,
		Depth: h.Depth, Params: h.Params}
	if h.TimerInterval > 0 {
		p.TimerInterval = durationpb.New(h.TimerInterval)
	}
	return &tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: p}}
}

// runner is Run's state: the account and where the stream is.
type runner struct {
	impl     Strategy
	acct     *account
	attached bool   // the snapshot came
	stopped  bool   // the StrategyStopped came
	last     uint64 // the last event's sequence
}

// handle applies one event and returns its answer, nil if it needs none.
func (r *runner) handle(ev *tradingv1.StrategyEvent) (_ *tradingv1.RunStrategyRequest, err error) {
	// A fill too large for a Decimal is a broken stream, not a crash.
	defer money.RecoverOverflow(&err)
	if ev == nil {
		return nil, errors.New("strategy: the daemon sent an empty event")
	}
	r.last = ev.GetSequence()
	if _, ok := ev.GetEvent().(*tradingv1.StrategyEvent_Snapshot); !ok && !r.attached {
		return nil, fmt.Errorf("strategy: event %d came before the snapshot", ev.GetSequence())
	}
	d := &Decisions{seq: ev.GetSequence(), acct: r.acct}
	defer func() { d.closed = true }()
	switch e := ev.GetEvent().(type) {
	case *tradingv1.StrategyEvent_Snapshot:
		if err := r.acct.reset(e.Snapshot); err != nil {
			return nil, err
		}
		r.attached = true
		r.impl.OnSnapshot(r.acct, &Snapshot{Event: eventOf(ev), SessionID: e.Snapshot.GetSessionId(),
			LastSequence: e.Snapshot.GetLastSequence()})
	case *tradingv1.StrategyEvent_Book:
		b, err := bookFromProto(ev)
		if err != nil {
			return nil, err
		}
		r.impl.OnBook(r.acct, b, d)
	case *tradingv1.StrategyEvent_Trade:
		t, err := tradeFromProto(ev)
		if err != nil {
			return nil, err
		}
		r.impl.OnTrade(r.acct, t, d)
	case *tradingv1.StrategyEvent_Timer:
		r.impl.OnTimer(r.acct, eventOf(ev), d)
	case *tradingv1.StrategyEvent_Order:
		u, err := updateFromProto(ev)
		if err != nil {
			return nil, err
		}
		r.acct.applyUpdate(u)
		r.impl.OnOrder(r.acct, u)
	case *tradingv1.StrategyEvent_Refused:
		ref := refusalFromProto(ev)
		r.acct.applyRefusal(ref)
		r.impl.OnRefused(r.acct, ref)
	case *tradingv1.StrategyEvent_Stopped:
		r.stopped = true
		if o, ok := r.impl.(StopObserver); ok {
			o.OnStopped(r.acct, &Stopped{Event: eventOf(ev), State: e.Stopped.GetState(), Reason: e.Stopped.GetReason()})
		}
	default:
		// A kind newer than this SDK: it still gets its answer below, so
		// the daemon never waits on an old client.
	}
	if !ev.GetNeedsAnswer() {
		if d.Len() > 0 { // never sent: nothing of them may stay in the Account
			r.acct.applyRefusal(&Refusal{EventSequence: d.seq, DecisionIndex: -1,
				Reason: tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID.Wire()})
		}
		return nil, nil
	}
	return &tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Answer{Answer: &tradingv1.StrategyAnswer{
		EventSequence: ev.GetSequence(), Decisions: d.list}}}, nil
}
