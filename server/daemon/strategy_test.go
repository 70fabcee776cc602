package daemon

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
)

// A remote strategy trades, so StrategyService is a control API: without
// the token it is refused before any handler runs; with it, the attachment
// is audited with the strategy's hello (who drove the session, which
// version), like every state-changing call.
func TestRemoteStrategyNeedsTheTokenAndIsAudited(t *testing.T) {
	h := start(t, session.Options{Store: openStore(t, t.TempDir())})
	ctx := authed(context.Background())
	if _, err := tradingv1.NewTradingServiceClient(h.conn).StartTrading(ctx, &tradingv1.StartTradingRequest{
		Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Strategy: "remote:audited",
			TickInterval: durationpb.New(10 * time.Millisecond)}}); err != nil {
		t.Fatal(err)
	}
	sc := tradingv1.NewStrategyServiceClient(h.conn)
	hello := &tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Hello{Hello: &tradingv1.StrategyHello{
		Name: "audited", Version: "v-audit-1"}}}

	anon, err := sc.RunStrategy(context.Background())
	if err == nil {
		_ = anon.Send(hello)
		_, err = anon.Recv()
	}
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a strategy without the token: %v; want UNAUTHENTICATED", err)
	}

	sctx, cancel := context.WithCancel(ctx)
	stream, err := sc.RunStrategy(sctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(hello); err != nil {
		t.Fatal(err)
	}
	if ev, err := stream.Recv(); err != nil || ev.GetEvent().GetSnapshot() == nil {
		t.Fatalf("first event %v, %v; want the snapshot", ev, err)
	}
	cancel() // the strategy goes away; its record is written as its stream ends
	var row string
	deadline := time.Now().Add(10 * time.Second)
	for row == "" && time.Now().Before(deadline) {
		rows, err := h.d.store.ListAudit(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Method == tradingv1.StrategyService_RunStrategy_FullMethodName {
				row = r.Args
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(row, "audited") || !strings.Contains(row, "v-audit-1") {
		t.Fatalf("audit of the attachment: %q; want the hello's name and version", row)
	}
}
