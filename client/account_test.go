package client_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func (f *fakeTrading) record(req proto.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	return f.err
}

func (f *fakeTrading) lastRequest() proto.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *fakeTrading) StopTrading(_ context.Context, req *tradingv1.StopTradingRequest) (*tradingv1.StopTradingResponse, error) {
	return &tradingv1.StopTradingResponse{}, f.record(req)
}

// ListOrders answers in pages of one order when the request's limit is 30:
// o1, o2, o3.
func (f *fakeTrading) ListOrders(_ context.Context, req *tradingv1.ListOrdersRequest) (*tradingv1.ListOrdersResponse, error) {
	resp := &tradingv1.ListOrdersResponse{Omitted: 7}
	if req.GetLimit() == 30 {
		next := map[string]string{"": "t2", "t2": "t3"}[req.GetPageToken()]
		id := map[string]string{"": "o1", "t2": "o2", "t3": "o3"}[req.GetPageToken()]
		resp.Orders, resp.NextPageToken = []*tradingv1.Order{{ClientOrderId: id}}, next
	}
	return resp, f.record(req)
}

func (f *fakeTrading) GetPortfolio(_ context.Context, req *tradingv1.GetPortfolioRequest) (*tradingv1.GetPortfolioResponse, error) {
	return &tradingv1.GetPortfolioResponse{Portfolio: &tradingv1.Portfolio{SessionId: req.GetSessionId()}}, f.record(req)
}

func (f *fakeTrading) ResetKillSwitch(_ context.Context, req *tradingv1.ResetKillSwitchRequest) (*tradingv1.ResetKillSwitchResponse, error) {
	return &tradingv1.ResetKillSwitchResponse{Risk: &tradingv1.Risk{State: tradingv1.TradingState_TRADING_STATE_ACTIVE}}, f.record(req)
}

// WatchOrders sends its headers at once, like a daemon should so a quiet
// stream counts as up. The first subscriber gets two events and is then
// ended as a laggard; later ones get nothing until they leave.
func (f *fakeTrading) WatchOrders(req *tradingv1.WatchOrdersRequest, stream grpc.ServerStreamingServer[tradingv1.WatchOrdersResponse]) error {
	f.mu.Lock()
	f.subs++
	f.watchAfter = append(f.watchAfter, req.GetAfterSequence())
	first := f.subs == 1
	f.mu.Unlock()
	if err := stream.SendHeader(nil); err != nil {
		return err
	}
	if !first {
		<-stream.Context().Done()
		return stream.Context().Err()
	}
	for seq := uint64(1); seq <= 2; seq++ {
		if err := stream.Send(&tradingv1.WatchOrdersResponse{Event: &tradingv1.OrderEvent{Sequence: seq}}); err != nil {
			return err
		}
	}
	return status.Error(codes.ResourceExhausted, "watcher fell behind by 4096 events")
}

func TestCallsSendTheirArguments(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	ctx := t.Context()
	if _, err := c.StopTrading(ctx, time.Second, client.KeepOpenOrders()); err != nil {
		t.Fatal(err)
	}
	if req := fake.lastRequest().(*tradingv1.StopTradingRequest); !req.GetKeepOpenOrders() || req.GetDeadline().AsDuration() != time.Second {
		t.Errorf("StopTrading sent %v", req)
	}
	if _, err := c.StopTrading(ctx, 0); err != nil || fake.lastRequest().(*tradingv1.StopTradingRequest).GetKeepOpenOrders() ||
		fake.lastRequest().(*tradingv1.StopTradingRequest).GetSessionId() != "" {
		t.Errorf("StopTrading without options: %v, sent %v", err, fake.lastRequest())
	}
	if _, err := c.StopTrading(ctx, 0, client.StopOnlySession("abc")); err != nil ||
		fake.lastRequest().(*tradingv1.StopTradingRequest).GetSessionId() != "abc" {
		t.Errorf("StopTrading of one session: %v, sent %v", err, fake.lastRequest())
	}
	if _, err := c.ResetKillSwitch(ctx, "reviewed", client.ResetOnlySession("abc")); err != nil ||
		fake.lastRequest().(*tradingv1.ResetKillSwitchRequest).GetSessionId() != "abc" {
		t.Errorf("ResetKillSwitch of one session: %v, sent %v", err, fake.lastRequest())
	}
	resp, err := c.ListOrders(ctx, true, 25)
	if req := fake.lastRequest().(*tradingv1.ListOrdersRequest); err != nil || !req.GetOpenOnly() || req.GetLimit() != 25 || resp.GetOmitted() != 7 {
		t.Errorf("ListOrders: %v, sent %v, got %v", err, req, resp)
	}
	if _, err := c.ListOrders(ctx, false, math.MaxInt64); err != nil || fake.lastRequest().(*tradingv1.ListOrdersRequest).GetLimit() != math.MaxInt32 {
		t.Errorf("huge limit: %v, sent %v; want clamped, not wrapped", err, fake.lastRequest())
	}
	if _, err := c.ResetKillSwitch(ctx, "drawdown understood"); err != nil ||
		fake.lastRequest().(*tradingv1.ResetKillSwitchRequest).GetReason() != "drawdown understood" {
		t.Errorf("ResetKillSwitch: %v, sent %v", err, fake.lastRequest())
	}
	if _, err := c.ListStrategies(ctx); !errors.Is(err, client.ErrUnimplemented) {
		t.Errorf("ListStrategies on a daemon without it: %v, want ErrUnimplemented", err)
	}
}

func TestQueriesSelectASession(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	ctx := t.Context()
	// Callers that predate ForSession compile and ask about the current
	// or last session.
	if _, err := c.ListOrders(ctx, false, 0); err != nil || fake.lastRequest().(*tradingv1.ListOrdersRequest).GetSessionId() != "" {
		t.Errorf("ListOrders without ForSession: %v, sent %v", err, fake.lastRequest())
	}
	if _, err := c.ListOrders(ctx, true, 3, client.ForSession("s0")); err != nil ||
		!proto.Equal(fake.lastRequest(), &tradingv1.ListOrdersRequest{OpenOnly: true, Limit: 3, SessionId: "s0"}) {
		t.Errorf("ListOrders(ForSession): %v, sent %v", err, fake.lastRequest())
	}
	if resp, err := c.GetPortfolio(ctx); err != nil || resp.GetPortfolio().GetSessionId() != "" {
		t.Errorf("GetPortfolio without ForSession: %v, sent %v", err, fake.lastRequest())
	}
	// The last option wins, as with every option list.
	if resp, err := c.GetPortfolio(ctx, client.ForSession("s9"), client.ForSession("s0")); err != nil || resp.GetPortfolio().GetSessionId() != "s0" {
		t.Errorf("GetPortfolio(ForSession): %v, sent %v", err, fake.lastRequest())
	}
}

func TestWatchOrdersResubscribesWhenLagged(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	events := make(chan uint64, 2)
	lost := make(chan error, 1)
	back := make(chan struct{}, 1)
	ups := 0 // written on the watch goroutine, read after it returned
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- c.WatchOrders(ctx,
			func(e *tradingv1.OrderEvent) error { signal(events, e.GetSequence()); return nil },
			client.OnConnect(func() { ups++ }),
			client.OnDisconnect(func(err error, _ time.Duration) { signal(lost, err) }),
			client.OnReconnect(func() { signal(back, struct{}{}) }),
			client.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	}()
	if a, b := wait(t, events, "event 1"), wait(t, events, "event 2"); a != 1 || b != 2 {
		t.Errorf("events %d, %d; want 1, 2", a, b)
	}
	if err := wait(t, lost, "disconnect"); !errors.Is(err, client.ErrResourceExhausted) {
		t.Errorf("disconnect cause %v, want ErrResourceExhausted", err)
	}
	// The second subscription sends headers and no event: it must still
	// count as reconnected.
	wait(t, back, "resubscription")
	cancel()
	if err := wait(t, done, "WatchOrders to return"); !errors.Is(err, context.Canceled) {
		t.Errorf("WatchOrders = %v, want context.Canceled", err)
	}
	if ups != 2 {
		t.Errorf("OnConnect called %d times, want 2 (first subscription included)", ups)
	}
}

// A list call returns the whole list, following the daemon's pages, unless
// OnePage asks for one.
func TestListsFollowPages(t *testing.T) {
	c := startDaemon(t, &fakeTrading{}).client(t)
	ids := func(r *tradingv1.ListOrdersResponse) string {
		var s []string
		for _, o := range r.GetOrders() {
			s = append(s, o.GetClientOrderId())
		}
		return strings.Join(s, ",") + "|" + r.GetNextPageToken()
	}
	all, err := c.ListOrders(t.Context(), false, 30)
	if err != nil || ids(all) != "o1,o2,o3|" || all.GetOmitted() != 7 {
		t.Fatalf("ListOrders = %v, %v; want o1,o2,o3 and no token", all, err)
	}
	one, err := c.ListOrders(t.Context(), false, 30, client.OnePage("t2"), client.PageSize(1))
	if err != nil || ids(one) != "o2|t3" {
		t.Fatalf("ListOrders(OnePage) = %v, %v; want o2 and the next token", one, err)
	}
}

// afters is each WatchOrders subscription's after_sequence so far.
func (f *fakeTrading) afters() []uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]uint64(nil), f.watchAfter...)
}

// A watch that reconnects asks for the events after the last one it got,
// so the daemon replays what it missed; the first one starts where asked.
func TestWatchOrdersResumesAfterTheLastEvent(t *testing.T) {
	fake := &fakeTrading{}
	c := startDaemon(t, fake).client(t)
	back := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- c.WatchOrders(ctx, func(*tradingv1.OrderEvent) error { return nil },
			client.OnReconnect(func() { signal(back, struct{}{}) }),
			client.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	}()
	wait(t, back, "resubscription")
	cancel()
	wait(t, done, "WatchOrders to return")
	if got := fake.afters(); len(got) < 2 || got[0] != 0 || got[1] != 2 {
		t.Fatalf("subscriptions asked for events after %v; want 0 (from now), then 2 (the last one received)", got)
	}

	// ResumeAfter starts the first subscription after a given event.
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	go func() {
		done <- c.WatchOrders(ctx, func(*tradingv1.OrderEvent) error { return nil }, client.ResumeAfter(41))
	}()
	for deadline := time.Now().Add(10 * time.Second); len(fake.afters()) < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no third subscription")
		}
	}
	if got := fake.afters()[2]; got != 41 {
		t.Fatalf("ResumeAfter(41) subscribed after %d", got)
	}
	cancel()
	wait(t, done, "WatchOrders to return")
}
