package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
)

// A page of orders larger than maxPageBytes is cut smaller, whatever
// page_size asked for, and the pages still make the whole list.
func TestLargeOrdersPagesAreCut(t *testing.T) {
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}})
	defer m.Shutdown(context.Background())
	svc := NewTrading(m, nil, nil)
	ctx := context.Background()
	if _, err := svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond)}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := svc.ListOrders(ctx, &tradingv1.ListOrdersRequest{})
		if err == nil && len(resp.GetOrders()) >= 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no 8 orders")
		}
	}
	if _, err := svc.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	whole, err := svc.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer func(saved int) { maxPageBytes = saved }(maxPageBytes)
	maxPageBytes = proto.Size(&tradingv1.ListOrdersResponse{SessionId: whole.GetSessionId(), Orders: whole.GetOrders()[:3]})
	var got, want []string
	pages := 0
	for token := ""; ; pages++ {
		resp, err := svc.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 8, PageSize: 100, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetOrders()) > 1 && proto.Size(resp) > maxPageBytes {
			t.Fatalf("a page of %d bytes, over %d", proto.Size(resp), maxPageBytes)
		}
		for _, o := range resp.GetOrders() {
			got = append(got, o.GetClientOrderId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	for _, o := range whole.GetOrders() {
		want = append(want, o.GetClientOrderId())
	}
	if pages < 2 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages of %v, want %v", pages+1, got, want)
	}
}
