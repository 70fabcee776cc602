package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// A strategy places a resting order and its connection drops. Under
// --on-detach keep the order rests on, and the strategy that attaches next
// finds it by its tag in the snapshot and can cancel it; under the default
// the daemon cancels it.
func TestRemoteStrategyKeepsOrRediscoversRestingOrders(t *testing.T) {
	d := startDaemon(t)
	c := d.Client(t)
	for _, keep := range []bool{true, false} {
		args := []string{"start", "--paper", "--symbols", "BTC-USD", "--strategy", "remote:rester", "--tick-interval", "20ms"}
		if keep {
			args = append(args, "--on-detach", "keep")
		}
		ctlOK(t, d, args...)
		r, err := attachRaw(t, d, "rester", true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := attachRaw(t, d, "rester", true); reasonOf(err) != tradingv1.ErrorReason_ERROR_REASON_STRATEGY_ATTACHED {
			t.Fatalf("a second strategy named rester: %v; want STRATEGY_ATTACHED", err)
		}
		bid := r.await(t, "a book event", isBook("BTC-USD")).GetBook().GetBid()
		r.decideNext(place(restingBuy(t, "rest-1", "BTC-USD", bid)))
		acc := r.await(t, "rest-1 accepted", isOrderUpdate("rest-1", tradingv1.OrderState_ORDER_STATE_ACCEPTED))
		id := acc.GetOrder().GetOrder().GetClientOrderId()
		// The stream tells the strategy within the tick; the store, which
		// ListOrders reads, commits the tick after.
		harness.Eventually(t, 30*time.Second, "ListOrders showing rest-1 accepted", func() bool {
			o := orderTagged(t, c, "rest-1")
			return o.GetClientOrderId() == id && o.GetState() == tradingv1.OrderState_ORDER_STATE_ACCEPTED
		})

		r.drop()
		waitStrategy(t, c, "health saying rester detached", degradedSaying(`strategy "rester" detached`))
		if !keep {
			harness.Eventually(t, 30*time.Second, "rest-1 cancelled", func() bool {
				return orderTagged(t, c, "rest-1").GetState() == tradingv1.OrderState_ORDER_STATE_CANCELLED
			})
			again, err := attachRaw(t, d, "rester", true)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(again.snapshot().GetOpenOrders()); n != 0 {
				t.Fatalf("the snapshot after a cancelling detach lists %d open orders", n)
			}
			ctlOK(t, d, "stop")
			break
		}
		waitTicks(t, c, 25) // the loop has seen the detach and could have cancelled it
		if o := orderTagged(t, c, "rest-1"); o.GetState() != tradingv1.OrderState_ORDER_STATE_ACCEPTED {
			t.Fatalf("under --on-detach keep, rest-1 is %s after the detach", o.GetState())
		}
		again, err := attachRaw(t, d, "rester", true)
		if err != nil {
			t.Fatal(err)
		}
		snap := again.snapshot()
		if oo := snap.GetOpenOrders(); len(oo) != 1 || oo[0].GetTag() != "rest-1" || oo[0].GetClientOrderId() != id ||
			oo[0].GetState() != tradingv1.OrderState_ORDER_STATE_ACCEPTED {
			t.Fatalf("the re-attached strategy's snapshot lists %v; want rest-1 (%s) open", oo, id)
		}
		if snap.GetLastSequence() == 0 {
			t.Fatal("the snapshot's last sequence is 0 after a first attachment's events")
		}
		again.decideNext(cancelTag("rest-1"))
		again.await(t, "rest-1 cancelled by its new owner", isOrderUpdate("rest-1", tradingv1.OrderState_ORDER_STATE_CANCELLED))
		harness.Eventually(t, 30*time.Second, "ListOrders showing rest-1 cancelled", func() bool {
			return orderTagged(t, c, "rest-1").GetState() == tradingv1.OrderState_ORDER_STATE_CANCELLED
		})
		ctlOK(t, d, "stop")
	}
	d.Terminate(t)
}

var noAnswerRe = regexp.MustCompile(`^no answer to event ([0-9]+) for \S+ \(answer timeout 500ms\)$`)

// A strategy that attaches and then never answers turns the strategy
// component DEGRADED, then UNHEALTHY, naming the event it owes; watchers
// are told, and the daemon and its loop carry on regardless. The checks run
// every 100ms (a 20ms tick): DEGRADED lasts from 500ms to 1.5s, wide enough
// to be seen on a loaded machine.
func TestStalledRemoteStrategyTurnsUnhealthy(t *testing.T) {
	d := startDaemon(t)
	c := d.Client(t)
	ctlOK(t, d, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--strategy", "remote:staller",
		"--answer-timeout", "500ms", "--health-interval", "1s", "--tick-interval", "20ms")
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var seen []*tradingv1.ComponentHealth
	watched := make(chan error, 1)
	go func() {
		watched <- c.WatchHealth(ctx, func(h *tradingv1.HealthReport) error {
			mu.Lock()
			defer mu.Unlock()
			if s := strategyHealth(h); s != nil {
				seen = append(seen, s)
			}
			return nil
		})
	}()
	defer func() { cancel(); <-watched }()
	harness.Eventually(t, 30*time.Second, "a watched report of the waiting strategy", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 0
	})

	r, err := attachRaw(t, d, "staller", false)
	if err != nil {
		t.Fatal(err)
	}
	harness.Eventually(t, 30*time.Second, "watchers told UNHEALTHY", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return seen[len(seen)-1].GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY
	})
	mu.Lock()
	var trail []string
	var late, unhealthy *tradingv1.ComponentHealth
	for _, s := range seen {
		if len(trail) == 0 || !strings.HasPrefix(trail[len(trail)-1], s.GetStatus().String()) {
			trail = append(trail, fmt.Sprintf("%s %q", s.GetStatus(), s.GetReason()))
		}
		switch {
		case unhealthy != nil:
		case s.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_UNHEALTHY:
			unhealthy = s
		case s.GetStatus() == tradingv1.HealthStatus_HEALTH_STATUS_DEGRADED && noAnswerRe.MatchString(s.GetReason()):
			late = s
		}
	}
	mu.Unlock()
	// Watchers saw it late (DEGRADED) before later (UNHEALTHY), both
	// naming the first event the strategy was asked to answer.
	if late == nil {
		t.Fatalf("health went %s; want DEGRADED then UNHEALTHY for the stalled strategy", strings.Join(trail, " -> "))
	}
	var owed []string
	for _, s := range []*tradingv1.ComponentHealth{late, unhealthy} {
		m := noAnswerRe.FindStringSubmatch(s.GetReason())
		if m == nil {
			t.Fatalf("reason %q; want \"no answer to event N for ... (answer timeout 500ms)\"", s.GetReason())
		}
		owed = append(owed, m[1])
	}
	asked := r.all(func(ev *tradingv1.StrategyEvent) bool { return ev.GetNeedsAnswer() })
	if owed[0] != owed[1] || len(asked) == 0 || fmt.Sprint(asked[0].GetSequence()) != owed[0] {
		t.Fatalf("health names events %v; the first the strategy was asked to answer is %v", owed, asked)
	}
	waitTicks(t, c, 25) // the loop ticks on, and GetStatus answers, all along
	if st := getStatus(t, c).GetSession().GetState(); st != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("the session is %s", st)
	}
	t.Logf("health: %s", strings.Join(trail, " -> "))
	ctlOK(t, d, "stop")
	d.Terminate(t)
}

// A strategy that sends garbage gets one refusal per bad decision, each
// with its reason, and a flood of answers to events never sent gets one
// refusal per answer: nothing of it reaches the venue, and the daemon and
// its loop serve on.
func TestGarbageDecisionsAreRefusedOneByOne(t *testing.T) {
	d := startDaemon(t)
	c := d.Client(t)
	ctlOK(t, d, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--strategy", "remote:junk", "--tick-interval", "20ms",
		"--max-order-notional", "10000")
	for what, first := range map[string]*tradingv1.RunStrategyRequest{
		"an answer before the hello":             answer(1),
		"a hello for a symbol not the session's": hello(&tradingv1.StrategyHello{Name: "junk", Symbols: []string{"NOPE-USD"}}),
		"a hello for an unknown event kind":      hello(&tradingv1.StrategyHello{Name: "junk", Kinds: []tradingv1.StrategyEventKind{42}}),
	} {
		if err := refusedHello(t, d, first); reasonOf(err) != tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID {
			t.Errorf("%s: %v; want DECISION_INVALID", what, err)
		}
	}
	r, err := attachRaw(t, d, "junk", false) // the refused hellos left the name free
	if err != nil {
		t.Fatal(err)
	}
	ev := r.await(t, "a book event", isBook("BTC-USD"))
	seq := ev.GetSequence()
	good := restingBuy(t, "dup", "BTC-USD", ev.GetBook().GetBid())
	limit := func(tag, symbol, qty, price string) *tradingv1.StrategyDecision {
		return place(&tradingv1.PlaceOrder{Tag: tag, Symbol: symbol, Side: tradingv1.OrderSide_ORDER_SIDE_BUY,
			Type: tradingv1.OrderType_ORDER_TYPE_LIMIT, TimeInForce: tradingv1.TimeInForce_TIME_IN_FORCE_GTC,
			Quantity: qty, Price: price})
	}
	const invalid, refused = "DECISION_INVALID", "ORDER_REFUSED"
	// Each decision of the answer, and the refusal it must get ("" for
	// the one good order).
	want := []struct {
		d              *tradingv1.StrategyDecision
		reason, saying string
	}{
		{limit("g-0", "NOPE-USD", "0.01", good.Price), invalid, `"NOPE-USD" is not one of the session's symbols`},
		{limit("g-1", "BTC-USD", "-1", good.Price), invalid, "quantity: must be positive"},
		{limit("g-2", "BTC-USD", "0", good.Price), invalid, "quantity: must be positive"},
		{limit("g-3", "BTC-USD", "lots", good.Price), invalid, "quantity"},
		{limit("g-4", "BTC-USD", "0.01", "-5"), invalid, "price: must be positive"},
		{place(good), "", ""},
		{place(good), invalid, `tag "dup": a live order has it already`},
		{limit("bad tag!", "BTC-USD", "0.01", good.Price), invalid, "tag: must be"},
		{cancelTag("nobody"), invalid, `tag "nobody": no live order has it`},
		{&tradingv1.StrategyDecision{}, invalid, "no action"},
		{limit("g-10", "BTC-USD", "0.5", good.Price), refused, "notional"}, // past --max-order-notional
	}
	var ds []*tradingv1.StrategyDecision
	for _, w := range want {
		ds = append(ds, w.d)
	}
	r.send(t, answer(seq, ds...))
	r.send(t, answer(seq))   // answered already
	r.send(t, answer(1<<40)) // never sent
	const flood = 2000
	for i := range flood {
		r.send(t, answer(1<<41+uint64(i), limit(fmt.Sprintf("f-%d", i), "BTC-USD", "0.01", good.Price)))
	}
	getStatus(t, c) // the daemon answers during the flood

	refusal := func(seq uint64, index int32) func(*tradingv1.StrategyEvent) bool {
		return func(ev *tradingv1.StrategyEvent) bool {
			rf := ev.GetRefused()
			return rf != nil && rf.GetEventSequence() == seq && rf.GetDecisionIndex() == index
		}
	}
	for i, w := range want {
		if w.reason == "" {
			continue
		}
		rf := r.await(t, fmt.Sprintf("the refusal of decision %d", i), refusal(seq, int32(i))).GetRefused()
		if rf.GetReason() != w.reason || !strings.Contains(rf.GetMessage(), w.saying) {
			t.Errorf("decision %d refused with %s %q; want %s saying %q", i, rf.GetReason(), rf.GetMessage(), w.reason, w.saying)
		}
	}
	for _, s := range []uint64{seq, 1 << 40} {
		if rf := r.await(t, fmt.Sprintf("the refusal of the answer to %d", s), refusal(s, -1)).GetRefused(); rf.GetReason() != invalid {
			t.Errorf("the answer to %d refused with %s %q", s, rf.GetReason(), rf.GetMessage())
		}
	}
	harness.Eventually(t, 60*time.Second, "a refusal for every answer of the flood", func() bool {
		return len(r.all(func(ev *tradingv1.StrategyEvent) bool { return ev.GetRefused().GetEventSequence() >= 1<<41 })) >= flood
	})
	for i, ev := range r.all(func(ev *tradingv1.StrategyEvent) bool { return ev.GetRefused().GetEventSequence() >= 1<<41 }) {
		if rf := ev.GetRefused(); rf.GetEventSequence() != 1<<41+uint64(i) || rf.GetDecisionIndex() != -1 ||
			rf.GetReason() != invalid || !strings.Contains(rf.GetMessage(), "never sent") {
			t.Fatalf("flood answer %d refused as %v", i, rf)
		}
	}

	waitTicks(t, c, 25)
	orders := listOrders(t, c)
	if len(orders) != 1 || orders[0].GetTag() != "dup" {
		t.Fatalf("orders %v; want only the one good order, tagged dup", orders)
	}
	select {
	case <-r.ended:
		t.Fatalf("the stream ended: %v", r.err)
	default:
	}
	if st := getStatus(t, c).GetSession().GetState(); st != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("the session is %s", st)
	}
	ctlOK(t, d, "stop")
	d.Terminate(t)
}

// A strategy that floods answers and stops reading its stream fills its
// window with the refusals it does not read: the daemon detaches it with
// RESOURCE_EXHAUSTED (STRATEGY_TOO_SLOW) instead of queueing without end or
// blocking, says so in health, and serves everyone else throughout.
func TestGarbageFloodFromAStrategyThatStopsReading(t *testing.T) {
	d := startDaemon(t)
	c := d.Client(t)
	ctlOK(t, d, "start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--strategy", "remote:deaf", "--tick-interval", "20ms")
	r, err := attachDeaf(t, d, "deaf")
	if err != nil {
		t.Fatal(err)
	}
	// The flood goes on until the stream ends: a Send blocks once the
	// daemon stops reading, as it should (the strategy's own backpressure).
	var sent atomic.Int64
	flooded := make(chan struct{})
	go func() {
		defer close(flooded)
		for i := range uint64(1_000_000) {
			if r.stream.Send(answer(1<<40+i)) != nil {
				return
			}
			sent.Add(1)
		}
	}()
	waitStrategy(t, c, "health saying deaf was detached as too slow", degradedSaying("(its window)"))
	r.listen()
	<-r.ended
	<-flooded
	if reasonOf(r.err) != tradingv1.ErrorReason_ERROR_REASON_STRATEGY_TOO_SLOW || grpcstatus.Code(r.err) != codes.ResourceExhausted {
		t.Fatalf("the stream ended with %v; want RESOURCE_EXHAUSTED, STRATEGY_TOO_SLOW", r.err)
	}
	refusals := len(r.all(func(ev *tradingv1.StrategyEvent) bool { return ev.GetRefused() != nil }))
	t.Logf("detached after at most %d answers; %d refusals were on their way", sent.Load(), refusals)
	waitTicks(t, c, 25)
	if n := len(listOrders(t, c)); n != 0 {
		t.Fatalf("%d orders from answers to events never sent", n)
	}
	if st := getStatus(t, c).GetSession().GetState(); st != tradingv1.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("the session is %s", st)
	}
	ctlOK(t, d, "stop")
	d.Terminate(t)
}
