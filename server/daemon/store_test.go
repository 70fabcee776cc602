package daemon

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

func openStore(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := store.OpenRecovered(context.Background(), dir, store.Options{Durability: store.DurabilityProcess}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// History and the audit log live in the store and outlive the daemon.
func TestHistoryAndAuditSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	h := start(t, session.Options{Store: openStore(t, dir)})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	resp, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetSession().GetId()
	eventually(t, "some orders committed", func() bool {
		o, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{})
		return err == nil && len(o.GetOrders()) > 3
	})
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	bad := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer nope")
	if _, err := c.StopTrading(bad, &tradingv1.StopTradingRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatal(err)
	}
	h.stop(t) // closes the store

	h = start(t, session.Options{Store: openStore(t, dir)})
	c = tradingv1.NewTradingServiceClient(h.conn)
	list, err := c.ListSessions(ctx, &tradingv1.ListSessionsRequest{})
	if err != nil || len(list.GetSessions()) != 1 || list.GetSessions()[0].GetId() != id ||
		list.GetSessions()[0].GetState() != tradingv1.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("sessions after restart: %v %v", list, err)
	}
	orders, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{SessionId: id})
	if err != nil || len(orders.GetOrders()) == 0 {
		t.Fatalf("orders after restart: %v %v", orders, err)
	}
	for _, o := range orders.GetOrders() {
		if s := o.GetState(); s == tradingv1.OrderState_ORDER_STATE_ACCEPTED || s == tradingv1.OrderState_ORDER_STATE_PARTIALLY_FILLED {
			t.Fatalf("order %s still open after the stop: the stop's cancellations were not committed", o.GetClientOrderId())
		}
	}
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Resume: true}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("resume after a clean stop: %v", err)
	}
	audit, err := h.d.store.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range audit {
		got = append(got, a.Method[strings.LastIndex(a.Method, "/")+1:]+":"+a.Code)
	}
	want := "StartTrading:OK,StopTrading:OK,StopTrading:Unauthenticated,StartTrading:FailedPrecondition"
	if strings.Join(got, ",") != want {
		t.Fatalf("audit = %v, want %s", got, want)
	}
}
