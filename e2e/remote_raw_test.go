package e2e

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// rawStrategy is a strategy written on the bare generated stubs, as one in
// another language would be: it can send what the SDK never would, and
// stop answering or vanish whenever the test says.
type rawStrategy struct {
	c      *client.Client
	stream grpc.BidiStreamingClient[tradingv1.RunStrategyRequest, tradingv1.RunStrategyResponse]
	cancel context.CancelFunc
	// auto: the receiver answers every event that needs it, with the
	// decisions queued by decideNext (none if nothing is queued); else
	// only the test sends.
	auto   bool
	queued chan []*tradingv1.StrategyDecision
	// hear, when not nil, holds the receiver back until it is closed: a
	// strategy that stops reading its stream.
	hear chan struct{}
	ctx  context.Context

	mu     sync.Mutex
	events []*tradingv1.StrategyEvent
	err    error // why the stream ended
	ended  chan struct{}
}

// attachRaw opens RunStrategy with its own connection and the daemon's
// token, says hello as name, and returns once the snapshot came, or the
// daemon's refusal.
func attachRaw(t *testing.T, d *harness.Daemon, name string, auto bool) (*rawStrategy, error) {
	t.Helper()
	return attach(t, d, name, auto, nil)
}

// attachDeaf attaches a strategy that reads nothing after the snapshot
// until listen is called.
func attachDeaf(t *testing.T, d *harness.Daemon, name string) (*rawStrategy, error) {
	t.Helper()
	return attach(t, d, name, false, make(chan struct{}))
}

func attach(t *testing.T, d *harness.Daemon, name string, auto bool, hear chan struct{}) (*rawStrategy, error) {
	t.Helper()
	opts := []client.Option{client.WithTokenFile(d.TokenFile())}
	if hear != nil {
		// A fixed window (no BDP estimation, which would grow it to 16
		// MiB): the transport stops taking what the strategy does not
		// read after 64 KiB, as a client that stops reading its socket
		// would.
		opts = append(opts, client.WithDialOptions(grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10)))
	}
	c, err := client.New(d.Addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rawStrategy{c: c, cancel: cancel, auto: auto, queued: make(chan []*tradingv1.StrategyDecision, 16),
		hear: hear, ctx: ctx, ended: make(chan struct{})}
	t.Cleanup(r.drop)
	first, err := r.open(ctx, name)
	if err != nil {
		close(r.ended)
		return nil, err
	}
	if first.GetEvent().GetSnapshot() == nil {
		close(r.ended)
		t.Fatalf("the first event is not a snapshot: %v", first)
	}
	r.events = append(r.events, first.GetEvent())
	go r.receive()
	return r, nil
}

func (r *rawStrategy) open(ctx context.Context, name string) (*tradingv1.RunStrategyResponse, error) {
	var err error
	if r.stream, err = tradingv1.NewStrategyServiceClient(r.c.Conn()).RunStrategy(ctx); err != nil {
		return nil, err
	}
	hello := &tradingv1.StrategyHello{Name: name, Version: "raw-e2e/1"}
	if err := r.stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: hello}}); err != nil {
		return nil, err
	}
	return r.stream.Recv()
}

func (r *rawStrategy) receive() {
	defer close(r.ended)
	if r.hear != nil {
		select {
		case <-r.hear:
		case <-r.ctx.Done():
		}
	}
	for {
		resp, err := r.stream.Recv()
		if err != nil {
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
			return
		}
		ev := resp.GetEvent()
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.mu.Unlock()
		if r.auto && ev.GetNeedsAnswer() {
			var ds []*tradingv1.StrategyDecision
			select {
			case ds = <-r.queued:
			default:
			}
			_ = r.stream.Send(answer(ev.GetSequence(), ds...)) // a failed send ends Recv too
		}
	}
}

// listen has a deaf strategy read its stream.
func (r *rawStrategy) listen() { close(r.hear) }

// decideNext has an automatic strategy answer its next event with ds.
func (r *rawStrategy) decideNext(ds ...*tradingv1.StrategyDecision) { r.queued <- ds }

// send sends an answer (a manual strategy only).
func (r *rawStrategy) send(t *testing.T, a *tradingv1.RunStrategyRequest) {
	t.Helper()
	if err := r.stream.Send(a); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// drop ends the strategy's connection without a goodbye.
func (r *rawStrategy) drop() {
	r.cancel()
	r.c.Close()
	<-r.ended
}

func (r *rawStrategy) snapshot() *tradingv1.StrategySnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[0].GetSnapshot()
}

// await waits for an event that satisfies ok and returns the first one.
func (r *rawStrategy) await(t *testing.T, what string, ok func(*tradingv1.StrategyEvent) bool) *tradingv1.StrategyEvent {
	t.Helper()
	var found *tradingv1.StrategyEvent
	harness.Eventually(t, 30*time.Second, what, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, ev := range r.events {
			if ok(ev) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

// all returns the events that satisfy ok so far.
func (r *rawStrategy) all(ok func(*tradingv1.StrategyEvent) bool) []*tradingv1.StrategyEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tradingv1.StrategyEvent
	for _, ev := range r.events {
		if ok(ev) {
			out = append(out, ev)
		}
	}
	return out
}

func answer(seq uint64, ds ...*tradingv1.StrategyDecision) *tradingv1.RunStrategyRequest {
	return &tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Answer{Answer: &tradingv1.StrategyAnswer{
		EventSequence: seq, Decisions: ds}}}
}

func place(p *tradingv1.PlaceOrder) *tradingv1.StrategyDecision {
	return &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Place{Place: p}}
}

func cancelTag(tag string) *tradingv1.StrategyDecision {
	return &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Cancel{Cancel: &tradingv1.CancelOrder{Tag: tag}}}
}

// restingBuy is a limit buy of 0.01 at half the bid, rounded down to a
// whole unit: it rests, far below the market, for the whole test.
func restingBuy(t *testing.T, tag, symbol, bid string) *tradingv1.PlaceOrder {
	t.Helper()
	whole, _, _ := strings.Cut(bid, ".")
	n, err := strconv.Atoi(whole)
	if err != nil || n < 4 {
		t.Fatalf("bid %q", bid)
	}
	return &tradingv1.PlaceOrder{Tag: tag, Symbol: symbol, Side: tradingv1.OrderSide_ORDER_SIDE_BUY,
		Type: tradingv1.OrderType_ORDER_TYPE_LIMIT, TimeInForce: tradingv1.TimeInForce_TIME_IN_FORCE_GTC,
		Quantity: "0.01", Price: strconv.Itoa(n / 2)}
}

func isBook(symbol string) func(*tradingv1.StrategyEvent) bool {
	return func(ev *tradingv1.StrategyEvent) bool {
		return ev.GetBook().GetSymbol() == symbol && ev.GetBook().GetBid() != ""
	}
}

func isOrderUpdate(tag string, state tradingv1.OrderState) func(*tradingv1.StrategyEvent) bool {
	return func(ev *tradingv1.StrategyEvent) bool {
		o := ev.GetOrder().GetOrder()
		return o.GetTag() == tag && o.GetState() == state
	}
}

// refusedHello opens RunStrategy, sends first, and returns how the daemon
// ended the stream (nil if it sent an event instead).
func refusedHello(t *testing.T, d *harness.Daemon, first *tradingv1.RunStrategyRequest) error {
	t.Helper()
	c := d.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := tradingv1.NewStrategyServiceClient(c.Conn()).RunStrategy(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(first); err != nil {
		return err
	}
	_, err = stream.Recv()
	return err
}

func hello(h *tradingv1.StrategyHello) *tradingv1.RunStrategyRequest {
	return &tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: h}}
}
