package service

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// blockedStream is a watcher whose Send never completes: a client that
// stopped reading and whose flow-control window is full.
type blockedStream struct {
	grpc.ServerStream
	ctx     context.Context
	entered chan struct{}
}

func (b *blockedStream) Context() context.Context { return b.ctx }

func (b *blockedStream) Send(*tradingv1.WatchHealthResponse) error {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-b.ctx.Done()
	return b.ctx.Err()
}

// A watcher stuck in Send must not hold up the publisher: sessions start and
// stop, every report is published, and another watcher sees the last one.
func TestStuckSendBlocksNeitherPublisherNorOthers(t *testing.T) {
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}})
	svc := NewTrading(m, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stuck := &blockedStream{ctx: ctx, entered: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() { done <- svc.WatchHealth(&tradingv1.WatchHealthRequest{}, stuck) }()
	<-stuck.entered

	sub, err := m.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var last string
	for range 20 {
		resp, err := svc.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER}})
		if err != nil {
			t.Fatal(err)
		}
		last = resp.GetSession().GetId()
		if _, err := svc.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r := <-sub.C():
			if r.SessionID == last && r.State == session.StateStopped {
				cancel()
				if err := <-done; err == nil {
					t.Fatal("stuck watcher ended without an error")
				}
				m.Shutdown(context.Background())
				return
			}
		case <-timeout:
			t.Fatal("the other watcher never saw the last session stop")
		}
	}
}
