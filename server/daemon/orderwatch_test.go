package daemon

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
)

func gridReq() *tradingv1.StartTradingRequest {
	return &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond)}}
}

// recvUntil reads order events until the one numbered last.
func recvUntil(t *testing.T, s tradingv1.TradingService_WatchOrdersClient, last uint64) []*tradingv1.OrderEvent {
	t.Helper()
	var got []*tradingv1.OrderEvent
	for {
		r, err := s.Recv()
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		got = append(got, r.GetEvent())
		if r.GetEvent().GetSequence() >= last {
			return got
		}
	}
}

// A watcher that reconnects after a daemon restart with the last sequence
// number it saw gets every later event exactly once, in order, as the live
// watcher saw it, then the live events of the next session.
func TestWatchOrdersResumesAfterARestart(t *testing.T) {
	dir := t.TempDir()
	h := start(t, session.Options{Store: openStore(t, dir)})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx, cancel := context.WithTimeout(authed(context.Background()), 60*time.Second)
	defer cancel()

	live, err := c.WatchOrders(ctx, &tradingv1.WatchOrdersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Header(); err != nil {
		t.Fatal(err)
	}
	// A tight grid on a fixed seed: fills come within a second or two, not
	// whenever a random walk crosses the default levels.
	req := gridReq()
	req.Settings.Seed = 1
	req.Settings.Params = map[string]string{"spacing_bps": "1", "levels": "3"}
	if _, err := c.StartTrading(ctx, req); err != nil {
		t.Fatal(err)
	}
	eventually(t, "some order events, fills among them", func() bool {
		n, err := h.d.store.LastOrderEvent(ctx)
		if err != nil || n <= 20 {
			return false
		}
		f, err := c.ListFills(ctx, &tradingv1.ListFillsRequest{})
		return err == nil && len(f.GetFills()) >= 2
	})
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session stopped", func() bool {
		st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
		return err == nil && st.GetSession().GetState() == tradingv1.SessionState_SESSION_STATE_STOPPED
	})
	last, err := h.d.store.LastOrderEvent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := recvUntil(t, live, last)
	for i, e := range seen {
		if e.GetSequence() != uint64(i+1) {
			t.Fatalf("live event %d has sequence %d", i, e.GetSequence())
		}
	}
	// Each fill on the stream carries its number among its order's fills,
	// ListFills' sequence: a client merging the two tells apart fills
	// equal in time, quantity and price (a resting order filled at its
	// limit across book levels of equal size).
	stored, err := c.ListFills(ctx, &tradingv1.ListFillsRequest{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	byNumber := make(map[string]*tradingv1.Fill)
	for _, f := range stored.GetFills() {
		byNumber[fmt.Sprintf("%s#%d", f.GetClientOrderId(), f.GetSequence())] = f.GetFill()
	}
	fills := 0
	for _, e := range seen {
		if e.GetFill() == nil {
			if e.GetFillSequence() != 0 {
				t.Fatalf("event %d has no fill but fill_sequence %d", e.GetSequence(), e.GetFillSequence())
			}
			continue
		}
		fills++
		key := fmt.Sprintf("%s#%d", e.GetOrder().GetClientOrderId(), e.GetFillSequence())
		if f := byNumber[key]; !proto.Equal(f, e.GetFill()) {
			t.Fatalf("event %d's fill is %s: %v; ListFills has %v", e.GetSequence(), key, e.GetFill(), f)
		}
		delete(byNumber, key)
	}
	if fills == 0 || len(byNumber) != 0 {
		t.Fatalf("%d fills on the stream; %d stored fills not on it", fills, len(byNumber))
	}
	h.stop(t)

	h = start(t, session.Options{Store: openStore(t, dir)})
	c = tradingv1.NewTradingServiceClient(h.conn)
	const after = 5
	resumed, err := c.WatchOrders(ctx, &tradingv1.WatchOrdersRequest{AfterSequence: after})
	if err != nil {
		t.Fatal(err)
	}
	got := recvUntil(t, resumed, last)
	want := seen[after:]
	if len(got) != len(want) {
		t.Fatalf("resumed after %d: %d events, want %d", after, len(got), len(want))
	}
	for i := range want {
		if !proto.Equal(got[i], want[i]) {
			t.Fatalf("resumed event %d differs from the live one:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
	// Then live, numbered on from the stored ones.
	if _, err := c.StartTrading(ctx, gridReq()); err != nil {
		t.Fatal(err)
	}
	r, err := resumed.Recv()
	if err != nil || r.GetEvent().GetSequence() != last+1 {
		t.Fatalf("first event of the next session: %v, %v; want sequence %d", r.GetEvent(), err, last+1)
	}
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}

	// A sequence number this daemon has not reached is refused, named.
	ahead, err := c.WatchOrders(ctx, &tradingv1.WatchOrdersRequest{AfterSequence: 1 << 40})
	if err == nil {
		_, err = ahead.Recv()
	}
	if status.Code(err) != codes.OutOfRange {
		t.Fatalf("after_sequence beyond the newest: %v, want OUT_OF_RANGE", err)
	}
}
