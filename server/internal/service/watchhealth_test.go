package service

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
)

// gatedStream records what a watcher is sent; its first Send waits for
// the gate, as a client whose window is full for a moment.
type gatedStream struct {
	grpc.ServerStream
	ctx     context.Context
	entered chan struct{}
	gate    chan struct{}
	sent    []*tradingv1.WatchHealthResponse
}

func (g *gatedStream) Context() context.Context { return g.ctx }

func (g *gatedStream) Send(r *tradingv1.WatchHealthResponse) error {
	if len(g.sent) == 0 {
		close(g.entered)
		<-g.gate
	}
	g.sent = append(g.sent, r)
	return nil
}

// When the daemon shuts down, the session's final report is published and
// then the hub closes. A watcher busy sending at that moment finds both
// ready; it must send the final report before it ends. Repeated, because
// a select between the two would drop it about half the time.
func TestWatchHealthSendsTheFinalReportBeforeEnding(t *testing.T) {
	for i := range 20 {
		m := session.NewManager(session.Options{Assembler: assemble.Paper{}})
		svc := NewTrading(m, nil, nil)
		resp, err := svc.StartTrading(context.Background(), &tradingv1.StartTradingRequest{
			Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER}})
		if err != nil {
			t.Fatal(err)
		}
		id := resp.GetSession().GetId()
		g := &gatedStream{ctx: context.Background(), entered: make(chan struct{}), gate: make(chan struct{})}
		done := make(chan error, 1)
		go func() { done <- svc.WatchHealth(&tradingv1.WatchHealthRequest{}, g) }()
		<-g.entered
		m.Shutdown(context.Background())
		close(g.gate)
		err = <-done
		if reason, _ := tradingv1.ReasonOf(status.Convert(err)); status.Code(err) != codes.Unavailable || reason != tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN {
			t.Fatalf("the stream ended with %v (reason %s), want UNAVAILABLE SHUTTING_DOWN", err, reason)
		}
		last := g.sent[len(g.sent)-1].GetReport()
		if last.GetSessionId() != id || last.GetSessionState() != tradingv1.SessionState_SESSION_STATE_STOPPED {
			t.Fatalf("round %d: the last report sent is %v %v, want session %s STOPPED", i, last.GetSessionId(), last.GetSessionState(), id)
		}
	}
}
