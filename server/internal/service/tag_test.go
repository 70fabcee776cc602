package service

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// A remote strategy's tag on an order resting when the daemon died comes
// back through resume: the resumed session's book adopts the order with
// it, and ListOrders and WatchOrders show it; an untagged order shows
// none.
func TestResumedOrderKeepsItsTag(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const id = "0123456789abcdef"
	if err := st.CreateSession(ctx, store.SessionRecord{ID: id, State: store.StateRunning, Started: time.Now(),
		SettingsJSON: []byte(`{"Mode":1,"Symbols":["BTC-USD"],"TickInterval":10000000,"Strategy":"hold"}`)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	spec := func(tag string) venue.OrderSpec {
		// Far below the market: it rests through the test.
		return venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
			Quantity: money.MustParse("0.1"), Price: money.MustParse("1000"), Tag: tag}
	}
	b := &store.Batch{SessionID: id, Time: now, Venue: &matching.State{Seq: 2}}
	for i, tag := range []string{"lvl.1", ""} {
		cid := id + "-" + string(rune('1'+i))
		b.NewOrders = append(b.NewOrders, store.OrderRow{ClientID: cid, Seq: uint64(i + 1), Spec: spec(tag),
			DecisionPrice: money.MustParse("60000"), Created: now})
		b.Transitions = append(b.Transitions, store.TransitionRow{ClientID: cid, Seq: 1, State: venue.StateAccepted,
			Filled: money.Decimal{}, Remaining: money.MustParse("0.1"), Time: now})
		b.Events = append(b.Events, store.EventRow{ClientID: cid}, store.EventRow{ClientID: cid, History: 1})
		b.Venue.Orders = append(b.Venue.Orders, matching.OrderState{ClientID: cid, Spec: spec(tag), Seq: uint64(i + 1),
			Submitted: now, Arrival: now, DecisionPrice: money.MustParse("60000"), State: venue.StateAccepted, Active: true, Queue: i})
	}
	if err := st.CommitTick(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkInterrupted(ctx, "crash"); err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	svc := NewTrading(m, st, nil)
	if _, err := svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true}); err != nil {
		t.Fatal(err)
	}
	defer svc.StopTrading(ctx, &tradingv1.StopTradingRequest{})

	want := map[string]string{id + "-1": "lvl.1", id + "-2": ""}
	resp, err := svc.ListOrders(ctx, &tradingv1.ListOrdersRequest{OpenOnly: true})
	if err != nil || len(resp.GetOrders()) != 2 {
		t.Fatalf("open orders of the resumed session: %v %v", resp, err)
	}
	for _, o := range resp.GetOrders() {
		if o.GetTag() != want[o.GetClientOrderId()] {
			t.Errorf("ListOrders: %s tagged %q, want %q", o.GetClientOrderId(), o.GetTag(), want[o.GetClientOrderId()])
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := &orderStream{ctx: sctx, got: make(chan *tradingv1.WatchOrdersResponse, 16)}
	done := make(chan error, 1)
	// After the first stored event: the other three are replayed.
	go func() { done <- svc.WatchOrders(&tradingv1.WatchOrdersRequest{AfterSequence: 1}, stream) }()
	for range 3 {
		e := (<-stream.got).GetEvent().GetOrder()
		if e.GetTag() != want[e.GetClientOrderId()] {
			t.Errorf("WatchOrders: %s tagged %q, want %q", e.GetClientOrderId(), e.GetTag(), want[e.GetClientOrderId()])
		}
	}
	cancel()
	<-done
}

// orderStream is a WatchOrders client that reads what it is sent.
type orderStream struct {
	grpc.ServerStream
	ctx context.Context
	got chan *tradingv1.WatchOrdersResponse
}

func (s *orderStream) Context() context.Context     { return s.ctx }
func (s *orderStream) SendHeader(metadata.MD) error { return nil }

func (s *orderStream) Send(m *tradingv1.WatchOrdersResponse) error {
	select {
	case s.got <- m:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}
