package remote

import (
	"context"
	"io"
	"math"
	"net"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	syms = []string{"BTC-USD", "ETH-USD"}
	t0   = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

// rig is a remote strategy in a real coordinator (matching engine, risk
// guard, portfolio, order book), served over bufconn. The test's goroutine
// is the trading loop: it calls event.
type rig struct {
	t    *testing.T
	s    *Strategy
	svc  *Service
	conn *grpc.ClientConn
	// dialer connects to the rig's server.
	dialer func(context.Context, string) (net.Conn, error)
	coord  *coordinator.Coordinator
	venue  *matching.Engine
	book   *orders.Book
	n      int
}

func newRig(t *testing.T, cfg Config, src market.Source) *rig {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "alpha"
	}
	if cfg.Mode == 0 {
		cfg.Mode = Live
	}
	if cfg.Symbols == nil {
		cfg.Symbols = syms
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry()
	if err := reg.Register(s); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, s: s, svc: NewService(reg)}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	tradingv1.RegisterStrategyServiceServer(srv, r.svc)
	go func() { _ = srv.Serve(lis) }()
	r.dialer = func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }
	r.conn, err = grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(r.dialer))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "test over")
		_ = r.conn.Close()
		srv.Stop()
		r.svc.Wait()
	})
	r.venue, err = matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r.book = orders.NewBook("s1", math.MaxInt)
	if src == nil {
		src = &sliceSource{}
	}
	cash := money.FromInt(100_000)
	r.coord, err = coordinator.New(coordinator.Config{OrderPrefix: "t", Source: src, Venue: r.venue, Strategy: s,
		Portfolio: portfolio.New("USD", cash), Risk: risk.New(risk.DefaultLimits(), cash), Orders: r.book})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// event runs one book event of sym through the loop, a second after the
// previous one.
func (r *rig) event(sym, bid, ask string) {
	r.n++
	ev := bookEv(sym, r.n, bid, ask)
	r.coord.OnEvent(&ev)
}

func bookEv(sym string, n int, bid, ask string) market.Event {
	return market.Event{Kind: market.EventBook, Symbol: sym, Time: t0.Add(time.Duration(n) * time.Second),
		Bid: money.MustParse(bid), Ask: money.MustParse(ask)}
}

type sliceSource []market.Event

func (s *sliceSource) Next(_ context.Context, until time.Time) (market.Event, bool, error) {
	if len(*s) == 0 {
		return market.Event{}, false, io.EOF
	}
	ev := (*s)[0]
	if ev.Time.After(until) {
		return market.Event{}, false, nil
	}
	*s = (*s)[1:]
	return ev, true, nil
}

// waitFor polls cond: the loop and the stream run on their own goroutines,
// and the test waits for one to catch up, never for a time to pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// inboxLen is how many answers wait for the loop.
func (r *rig) inboxLen() int {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.att == nil {
		return 0
	}
	return len(r.s.att.inbox)
}

// client is a strategy process: it reads every event into a channel.
type client struct {
	t      *testing.T
	stream tradingv1.StrategyService_RunStrategyClient
	cancel context.CancelFunc
	events chan *tradingv1.StrategyEvent
	done   chan struct{}
	err    error
	// want is the latest event read that needs an answer.
	want uint64
}

func (r *rig) dial(hello *tradingv1.StrategyHello) *client {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := tradingv1.NewStrategyServiceClient(r.conn).RunStrategy(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	c := &client{t: r.t, stream: stream, cancel: cancel, events: make(chan *tradingv1.StrategyEvent, 100_000),
		done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			resp, err := stream.Recv()
			if err != nil {
				c.err = err
				return
			}
			c.events <- resp.GetEvent()
		}
	}()
	r.t.Cleanup(func() { cancel(); <-c.done })
	if hello != nil {
		if err := stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: hello}}); err != nil {
			r.t.Fatal(err)
		}
	}
	return c
}

// attach dials with hello and waits until the strategy is attached.
func (r *rig) attach(hello *tradingv1.StrategyHello) *client {
	r.t.Helper()
	c := r.dial(hello)
	waitFor(r.t, "attach", func() bool { return r.s.Stats().Attached })
	return c
}

func hello() *tradingv1.StrategyHello { return &tradingv1.StrategyHello{Name: "alpha", Version: "v1"} }

func (c *client) next() *tradingv1.StrategyEvent {
	c.t.Helper()
	took := func(ev *tradingv1.StrategyEvent) *tradingv1.StrategyEvent {
		if ev.NeedsAnswer {
			c.want = ev.Sequence
		}
		return ev
	}
	select {
	case ev := <-c.events:
		return took(ev)
	case <-c.done:
		// The receiver queued every event before it closed done.
		select {
		case ev := <-c.events:
			return took(ev)
		default:
		}
		c.t.Fatalf("stream ended: %v", c.err)
	case <-time.After(10 * time.Second):
		c.t.Fatal("no event")
	}
	return nil
}

// order is the next order update, skipping other events.
func (c *client) order() *tradingv1.StrategyOrderUpdate {
	c.t.Helper()
	for {
		if u := c.next().GetOrder(); u != nil {
			return u
		}
	}
}

// none checks that no event is waiting.
func (c *client) none() {
	c.t.Helper()
	select {
	case ev := <-c.events:
		c.t.Fatalf("unexpected event %v", ev)
	default:
	}
}

// end waits for the stream's end and returns its error.
func (c *client) end() error {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.t.Fatal("stream did not end")
	}
	return c.err
}

func (c *client) answer(seq uint64, ds ...*tradingv1.StrategyDecision) {
	c.t.Helper()
	err := c.stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Answer{
		Answer: &tradingv1.StrategyAnswer{EventSequence: seq, Decisions: ds}}})
	if err != nil {
		c.t.Fatal(err)
	}
}

func limit(tag, sym string, side tradingv1.OrderSide, qty, price string) *tradingv1.StrategyDecision {
	return &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Place{Place: &tradingv1.PlaceOrder{Tag: tag,
		Symbol: sym, Side: side, Type: tradingv1.OrderType_ORDER_TYPE_LIMIT,
		TimeInForce: tradingv1.TimeInForce_TIME_IN_FORCE_GTC, Quantity: qty, Price: price}}}
}

func cancelTag(tag string) *tradingv1.StrategyDecision {
	return &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Cancel{Cancel: &tradingv1.CancelOrder{Tag: tag}}}
}

func replaceTag(tag, qty, price string) *tradingv1.StrategyDecision {
	return &tradingv1.StrategyDecision{Action: &tradingv1.StrategyDecision_Replace{Replace: &tradingv1.ReplaceOrder{
		Tag: tag, Quantity: qty, Price: price}}}
}

const (
	buy  = tradingv1.OrderSide_ORDER_SIDE_BUY
	sell = tradingv1.OrderSide_ORDER_SIDE_SELL
)
