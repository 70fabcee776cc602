package binance

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeSink records what the sender hands over, in order.
type fakeSink struct {
	mu     sync.Mutex
	events []string
	ups    []OrderUpdate
	signal chan struct{}
}

func newFakeSink() *fakeSink { return &fakeSink{signal: make(chan struct{}, 1)} }

func (s *fakeSink) add(ev string, u *OrderUpdate) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	if u != nil {
		s.ups = append(s.ups, *u)
	}
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}
func (s *fakeSink) Update(u OrderUpdate)      { s.add("update "+u.ClientID, &u) }
func (s *fakeSink) Balances([]Balance)        {}
func (s *fakeSink) Halt(cause, reason string) { s.add("halt "+cause+": "+reason, nil) }
func (s *fakeSink) Resume(cause string)       { s.add("resume "+cause, nil) }

// wait returns the first event with prefix, waiting for it (10 s at most).
func (s *fakeSink) wait(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, e := range s.events {
			if strings.HasPrefix(e, prefix) {
				s.mu.Unlock()
				return e
			}
		}
		s.mu.Unlock()
		select {
		case <-s.signal:
		case <-deadline.C:
			t.Fatalf("no %q among %q", prefix, s.snapshot())
		}
	}
}

// waitUpdates waits (10 s at most) until cid has n updates and returns them.
func (s *fakeSink) waitUpdates(t *testing.T, cid string, n int) []OrderUpdate {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		if u := s.updates(cid); len(u) >= n {
			return u
		}
		select {
		case <-s.signal:
		case <-deadline.C:
			t.Fatalf("%s: %d updates, want %d; events %q", cid, len(s.updates(cid)), n, s.snapshot())
		}
	}
}

func (s *fakeSink) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

func (s *fakeSink) updates(cid string) []OrderUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []OrderUpdate
	for _, u := range s.ups {
		if u.ClientID == cid {
			out = append(out, u)
		}
	}
	return out
}

type senderRig struct {
	f     *fakeVenue
	rest  *REST
	clock *Clock
	snd   *Sender
	sink  *fakeSink
	stop  func()
}

// newSenderRig runs a sender over REST against a fake venue. rw is the
// recvWindow; timeout the HTTP client's, after which an outcome is unknown.
func newSenderRig(t *testing.T, f *fakeVenue, rw, timeout time.Duration, sync bool) *senderRig {
	rest, done := newTestREST(t, f, timeout, rw)
	clk := NewClock(rest, Config{RecvWindow: rw})
	if sync {
		if err := clk.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	rest.UseClock(clk)
	sink := newFakeSink()
	snd := NewSender(rest, sink, SenderConfig{RecvWindow: rw, Clock: clk, Margin: 300 * time.Millisecond,
		Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- snd.Run(ctx) }()
	return &senderRig{f: f, rest: rest, clock: clk, snd: snd, sink: sink, stop: func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
		done()
	}}
}

func (r *senderRig) onePost(t *testing.T, cid string) {
	t.Helper()
	if n := r.f.postsOf(cid); n != 1 {
		t.Fatalf("client id %s reached the venue in %d POSTs, want exactly 1", cid, n)
	}
}

func orderReq(cid string) OrderRequest { return OrderRequest{ClientID: cid, Spec: testOrder.Spec} }

// The venue took the order and then failed (5xx): the sender asks, finds
// it, and reports it, without sending it again.
func TestSenderAcceptedThen5xxIsFoundByAsking(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{status: 503, code: -1001, msg: "Internal error.", accept: true}}
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	r.sink.wait(t, "update c1")
	if u := r.sink.updates("c1"); len(u) != 1 || u[0].Status != StatusNew || u[0].OrderID != 7 {
		t.Fatalf("updates %+v", u)
	}
	r.onePost(t, "c1")
}

// A request that times out after the venue took it: found by asking.
func TestSenderTimeoutAfterAcceptIsFound(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{hang: true, accept: true}}
	r := newSenderRig(t, f, 5*time.Second, 150*time.Millisecond, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	r.sink.wait(t, "update c1")
	if u := r.sink.updates("c1"); len(u) != 1 || u[0].Status != StatusNew {
		t.Fatalf("updates %+v", u)
	}
	r.onePost(t, "c1")
}

// A request that timed out and never took effect: "does not exist" while
// the request could still arrive proves nothing, so the sender keeps
// asking; asked after the window, it is the never-sent verdict.
func TestSenderTimeoutNeverArrivedIsNeverSentAfterTheWindow(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{hang: true}}
	const rw = 400 * time.Millisecond
	r := newSenderRig(t, f, rw, 150*time.Millisecond, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	<-f.arrived
	arrived := time.Now()
	r.sink.wait(t, "update c1")
	u := r.sink.updates("c1")
	if len(u) != 1 || u[0].Status != StatusNeverSent || !strings.HasPrefix(u[0].Reason, "never sent: ") {
		t.Fatalf("updates %+v", u)
	}
	f.mu.Lock()
	qs := append([]time.Time(nil), f.queries...)
	f.mu.Unlock()
	if len(qs) < 2 || qs[0].Sub(arrived) >= rw {
		t.Fatalf("%d queries, the first %s after the order arrived: want questions inside the window too", len(qs), qs[0].Sub(arrived))
	}
	if last := qs[len(qs)-1]; last.Sub(arrived) < rw {
		t.Fatalf("the verdict came from a question %s after the order arrived, inside its %s recvWindow", last.Sub(arrived), rw)
	}
	r.onePost(t, "c1")
}

// The request arrives late: the first question gets "does not exist", the
// next finds it. A sender that believed the first answer would call a live
// order never sent.
func TestSenderLateArrivalIsFound(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{hang: true}}
	f.onQuery = func(n int) step { return step{accept: n >= 2} }
	r := newSenderRig(t, f, 5*time.Second, 150*time.Millisecond, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	r.sink.wait(t, "update c1")
	if u := r.sink.updates("c1"); len(u) != 1 || u[0].Status != StatusNew {
		t.Fatalf("updates %+v", u)
	}
	r.onePost(t, "c1")
}

// FULL answers: one update per fill, each with its trade.
func TestSenderReportsTheFillsOnArrival(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{accept: true, fills: `{"price":"100","qty":"0.2","commission":"0.02","commissionAsset":"USDT","tradeId":11},
		{"price":"100","qty":"0.3","commission":"0.03","commissionAsset":"USDT","tradeId":12}`}}
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	u := r.sink.waitUpdates(t, "c1", 2)
	if len(u) != 2 || u[0].Trade == nil || u[0].Trade.ID != 11 || u[1].Trade.ID != 12 || u[1].Status != StatusFilled {
		t.Fatalf("updates %+v", u)
	}
}

func TestSenderDefiniteRejection(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{status: 400, code: -2010, msg: "Account has insufficient balance for requested action."}}
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	r.sink.wait(t, "update c1")
	u := r.sink.updates("c1")
	if len(u) != 1 || u[0].Status != StatusRejected || u[0].Reason != "-2010 Account has insufficient balance for requested action." {
		t.Fatalf("updates %+v", u)
	}
	if ev := r.sink.snapshot(); len(ev) != 1 {
		t.Fatalf("a rejected order halts nothing: %q", ev)
	}
	r.onePost(t, "c1")
}

// A client id is sent once, whatever the caller does.
func TestSenderNeverSendsAClientIDTwice(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Resolve("BTC-USD", "c0")
	for _, cid := range []string{"c1", "c1", "c0", "c2"} {
		if !r.snd.Place(orderReq(cid)) {
			t.Fatal("queue full")
		}
	}
	r.sink.wait(t, "update c2")
	r.onePost(t, "c1")
	r.onePost(t, "c2")
	if n := f.postsOf("c0"); n != 0 {
		t.Fatalf("an order being resolved was sent %d times", n)
	}
}

func TestSenderQueueIsBounded(t *testing.T) {
	s := NewSender(nil, newFakeSink(), SenderConfig{Queue: 1, RecvWindow: time.Second, Clock: NewClock(nil, Config{})})
	if !s.Place(orderReq("c1")) || s.Place(orderReq("c2")) || s.Cancel("BTC-USD", "c1") {
		t.Fatal("a full queue must refuse places and cancels")
	}
}
