package livefaults

import (
	"strings"
	"testing"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/venueemu"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// wantState fails the test unless the order is in state with every one
// of subs in its reason.
func wantState(t *testing.T, o *tradingv1.Order, state tradingv1.OrderState, subs ...string) {
	t.Helper()
	ok := o.GetState() == state
	for _, s := range subs {
		ok = ok && strings.Contains(o.GetReason(), s)
	}
	if !ok {
		t.Errorf("order %s (%s): %v %q; want %v saying %q", o.GetTag(), o.GetClientOrderId(), o.GetState(), o.GetReason(), state, subs)
	}
}

// The venue answers 429 with Retry-After: order entry halts until then,
// saying so in venue and order_entry, the order that met the limit is
// rejected naming it (never re-sent), and trading resumes by itself.
func TestRateLimited429(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{RateLimited: 1, RetryAfterSeconds: 3})
	l.marketBuy("limited", "0.01")
	l.waitComponent(t, "venue", "venue DEGRADED for the 429", at(degraded, "rate limited (429)"))
	l.waitComponent(t, "order_entry", "order entry halted for the 429", faulty("rate limited"))
	wantState(t, l.order(t, "limited"), tradingv1.OrderState_ORDER_STATE_REJECTED, "rate limited")
	l.waitComponent(t, "broker", "broker naming the rejected order", faulty("rejected by the venue: rate limited"))
	l.waitComponent(t, "venue", "venue HEALTHY once Retry-After passed", at(healthy))
	l.waitComponent(t, "order_entry", "order entry resumed", at(healthy))
	wantState(t, l.order(t, l.marketBuy("after", "0.01")), tradingv1.OrderState_ORDER_STATE_FILLED)
	l.checkBooks(t)
}

// The venue bans the IP (418 with Retry-After): venue is UNHEALTHY saying
// until when, order entry halts, the order is rejected naming the ban, and
// both recover when the ban ends.
func TestBanned418(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{RateLimited: 1, RateLimitStatus: 418, RetryAfterSeconds: 3})
	l.marketBuy("banned", "0.01")
	l.waitComponent(t, "venue", "venue UNHEALTHY for the ban", at(unhealthy, "IP banned until"))
	l.waitComponent(t, "order_entry", "order entry halted for the ban", faulty("IP banned until"))
	wantState(t, l.order(t, "banned"), tradingv1.OrderState_ORDER_STATE_REJECTED, "banned")
	l.waitComponent(t, "venue", "venue HEALTHY once the ban ended", at(healthy))
	l.waitComponent(t, "order_entry", "order entry resumed", at(healthy))
	wantState(t, l.order(t, l.marketBuy("after", "0.01")), tradingv1.OrderState_ORDER_STATE_FILLED)
	l.checkBooks(t)
}

// The venue fails the next REST calls with 500 (without executing them),
// an order among them: venue turns DEGRADED for the failures; the order's
// outcome is unknown to us, so it is asked for by its client id (those
// questions fail too, and are asked again), never sent again, and once the
// venue cannot have it any more it is rejected as never sent. The venue
// judges the last minute's answers, so it stays DEGRADED until the
// failures are a minute old; order entry never stopped, and the next order
// fills.
func TestFailingRESTCalls(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{Fail5xx: 6})
	l.marketBuy("failed", "0.01")
	l.waitComponent(t, "venue", "venue DEGRADED for the failures", faulty("requests fail"))
	wantState(t, l.order(t, "failed"), tradingv1.OrderState_ORDER_STATE_REJECTED, "never sent")
	l.waitComponent(t, "broker", "broker naming the order never sent", faulty("never sent"))
	if !strings.Contains(l.d.Log.String(), "order outcome unknown") {
		t.Error("the daemon's log does not say the order's outcome was unknown")
	}
	wantState(t, l.order(t, l.marketBuy("after", "0.01")), tradingv1.OrderState_ORDER_STATE_FILLED)
	l.checkBooks(t)
}

// The venue takes an order and executes it, but its answer never comes
// (the request times out) and, the user data being silent too, no report
// says what became of it: the order is not sent again, it is asked for by
// its client id, found filled, and its trade booked once.
func TestAcceptedThenTimedOut(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{AcceptThenTimeout: 1, SilenceUserData: true})
	l.marketBuy("unanswered", "0.01")
	harness.Eventually(t, waitFor, "the request to time out", func() bool {
		return strings.Contains(l.d.Log.String(), "order outcome unknown")
	})
	o := l.order(t, "unanswered")
	wantState(t, o, tradingv1.OrderState_ORDER_STATE_FILLED)
	l.venue.SetFaults(t, venueemu.Faults{})
	withheld := 0
	for _, r := range l.venue.Ledger(t).Requests {
		if r.ClientID == o.GetClientOrderId() && r.Withheld {
			withheld++
		}
	}
	if withheld != 1 {
		t.Errorf("the venue withheld %d answers to %s, want 1: the fault did not hit the order", withheld, o.GetClientOrderId())
	}
	l.waitComponent(t, "venue", "venue naming the timed-out answer", at(degraded, "slow answers"))
	l.waitHealthy(t, "every other component HEALTHY once the user data speaks again", "venue", "broker")
	l.checkBooks(t)
}

// The venue answers orders late (2.5 s, within the client's timeout):
// venue turns DEGRADED for slow answers, and the order fills once. (The
// venue judges the last minute's answers: it recovers a minute later.)
func TestDelayedOrderAnswers(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{DelayPath: "/api/v3/order", DelayMillis: 2500, DelayCount: 1})
	l.marketBuy("slow", "0.01")
	wantState(t, l.order(t, "slow"), tradingv1.OrderState_ORDER_STATE_FILLED)
	l.waitComponent(t, "venue", "venue DEGRADED for slow answers", at(degraded, "slow answers", "p99 2."))
	wantState(t, l.order(t, l.marketBuy("after", "0.01")), tradingv1.OrderState_ORDER_STATE_FILLED)
	l.checkBooks(t)
}
