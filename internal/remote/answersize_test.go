package remote

import (
	"strings"
	"testing"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// What an attachment holds for the answers the loop has not taken yet is
// bounded by the window times MaxAnswerBytes, not by the transport's 1 MiB
// message limit: a refused answer (an event never sent, too many
// decisions, too large) keeps its sequence only, and a refusal still names
// it. A hostile client filled a window of 256 with 1 MiB answers: 256 MiB
// held until the loop's next event.
func TestRefusedAnswersHoldOnlyTheirSequence(t *testing.T) {
	s, err := New(Config{Name: "alpha", Mode: Live, Symbols: syms, Window: 4})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.attach(hello())
	if err != nil {
		t.Fatal(err)
	}
	ev := bookEv("BTC-USD", 1, "100", "101")
	s.OnEvent(&ev, account{}, nil) // the snapshot and event 2
	for range 2 {
		if e, _, _ := s.next(a, nil); e == nil {
			t.Fatal("no event to send")
		}
	}
	huge := limit(strings.Repeat("t", 900<<10), "BTC-USD", tradingv1.OrderSide_ORDER_SIDE_BUY, "1", "100")
	many := make([]*tradingv1.StrategyDecision, MaxDecisions+1)
	for i := range many {
		many[i] = cancelTag("x")
	}
	answers := []*tradingv1.StrategyAnswer{
		{EventSequence: 2, Decisions: []*tradingv1.StrategyDecision{huge}},  // answered, too large
		{EventSequence: 99, Decisions: []*tradingv1.StrategyDecision{huge}}, // never sent
		{EventSequence: 1, Decisions: many},                                 // needs no answer
	}
	for _, ans := range answers {
		if !s.deliver(a, ans, nil) {
			t.Fatal("answer not delivered")
		}
	}
	s.mu.Lock()
	held := 0
	for _, in := range a.inbox {
		held += proto.Size(in.ans)
		if in.bad == "" {
			t.Errorf("answer to %d taken as good", in.ans.GetEventSequence())
		}
	}
	s.mu.Unlock()
	if held > 64 {
		t.Fatalf("the inbox holds %d bytes of refused answers", held)
	}
	// Each is still refused by name.
	ev2 := bookEv("BTC-USD", 2, "100", "101")
	s.OnEvent(&ev2, account{}, nil)
	var refused []string
	for {
		s.mu.Lock()
		n := len(a.queue)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		e, _, _ := s.next(a, nil)
		if r := e.GetRefused(); r != nil {
			refused = append(refused, r.GetMessage())
		}
	}
	if len(refused) != 3 || !strings.Contains(refused[0], "bytes; at most") ||
		!strings.Contains(refused[1], "never sent") || !strings.Contains(refused[2], "needs no answer") {
		t.Fatalf("refusals %q", refused)
	}
}

// An answer past the server's message limit ends the stream with the
// transport's RESOURCE_EXHAUSTED, and health says why the strategy
// detached: it said nothing, as if the client had left.
func TestOversizedMessageEndsTheStreamSayingWhy(t *testing.T) {
	r := newRig(t, Config{}, nil)
	c := r.attach(hello())
	big := limit(strings.Repeat("t", 5<<20), "BTC-USD", tradingv1.OrderSide_ORDER_SIDE_BUY, "1", "100") // past grpc's 4 MiB default
	c.answer(1, big)
	err := c.end()
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("stream ended with %v, want RESOURCE_EXHAUSTED", err)
	}
	if st := r.s.Stats(); st.Attached || st.Detach == "" {
		t.Fatalf("stats %+v: want detached with the reason", st)
	}
}
