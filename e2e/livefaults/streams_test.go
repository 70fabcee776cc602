package livefaults

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/venueemu"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// reconnects reads "N reconnects" from a component's reason.
func reconnects(t *testing.T, c *tradingv1.ComponentHealth) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) reconnects`).FindStringSubmatch(c.GetReason())
	if m == nil {
		t.Fatalf("%s's reason counts no reconnects: %q", c.GetName(), c.GetReason())
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// waitTicks waits until the session has ticked n more times: the loop ran
// on, whatever it did.
func waitTicks(t *testing.T, l *live, n uint64) {
	t.Helper()
	ticks := func() uint64 {
		st, err := l.c.GetStatus(rpcCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		return st.GetSession().GetSummary().GetTicks()
	}
	from := ticks()
	harness.Eventually(t, waitFor, strconv.FormatUint(n, 10)+" more ticks", func() bool { return ticks() >= from+n })
}

// atLeastReconnects is HEALTHY having reconnected at least n times.
func atLeastReconnects(t *testing.T, n int) func(*tradingv1.ComponentHealth) bool {
	return func(c *tradingv1.ComponentHealth) bool {
		return c.GetStatus() == healthy && reconnects(t, c) >= n
	}
}

// The market stream goes silent (open, but nothing on it, pings
// included): market_data says so within the silence window and then that
// the stream is dead. A silent book is never traded on: the strategy is
// asked nothing while it is silent, so an order it would place waits, and
// reaches the venue only after the book is back in sync. When the venue
// speaks again the watchdog's redial brings the book back and the
// component back to HEALTHY, counting the reconnects.
func TestSilentMarketStream(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.order(t, l.marketBuy("before", "0.01"))
	l.venue.SetFaults(t, venueemu.Faults{SilenceStreams: true})
	l.waitComponent(t, "market_data", "market_data DEGRADED for the silent stream", faulty("BTC-USD: no message for", "book not in sync"))
	l.waitComponent(t, "market_data", "market_data UNHEALTHY for the dead stream", at(unhealthy, "stream: no message for"))
	l.marketBuy("blind", "0.01")
	waitTicks(t, l, 25)
	for _, o := range l.orders(t) {
		if o.GetTag() == "blind" {
			t.Fatalf("an order was decided on a silent market: %v", o)
		}
	}
	cleared := time.Now()
	l.venue.SetFaults(t, venueemu.Faults{})
	l.waitComponent(t, "market_data", "market_data HEALTHY again", atLeastReconnects(t, 1))
	l.waitHealthy(t, "the whole session HEALTHY again")
	blind := l.order(t, "blind")
	if blind.GetState() != tradingv1.OrderState_ORDER_STATE_FILLED || blind.GetCreateTime().AsTime().Before(cleared) {
		t.Errorf("the order held over the silence: %v %q created %v; want FILLED, created after the market came back at %v",
			blind.GetState(), blind.GetReason(), blind.GetCreateTime().AsTime(), cleared)
	}
	l.checkBooks(t)
}

// The user data socket goes silent: user_stream turns DEGRADED, then
// UNHEALTHY saying the socket was closed for its silence; an order filled
// meanwhile is still booked once (from the order's answer, and the
// reconciliation after the resubscription finds nothing more). When the
// venue speaks again the stream resubscribes and is HEALTHY.
func TestSilentUserStream(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.venue.SetFaults(t, venueemu.Faults{SilenceUserData: true})
	l.waitComponent(t, "user_stream", "user_stream DEGRADED or UNHEALTHY for the silence", faulty())
	l.waitComponent(t, "user_stream", "user_stream UNHEALTHY naming the silence", at(unhealthy, "silent"))
	quiet := l.order(t, l.marketBuy("quiet", "0.02"))
	if quiet.GetState() != tradingv1.OrderState_ORDER_STATE_FILLED {
		t.Errorf("an order while the user stream is silent: %v %q", quiet.GetState(), quiet.GetReason())
	}
	l.venue.SetFaults(t, venueemu.Faults{})
	l.waitComponent(t, "user_stream", "user_stream HEALTHY again", atLeastReconnects(t, 1))
	l.waitHealthy(t, "the whole session HEALTHY again")
	l.checkBooks(t)
}

// Every socket is dropped at once, just after an order: both streams
// redial (counted), the book resyncs, the user stream resubscribes and the
// session reconciles; the order's fill is booked exactly once and the
// session trades on.
func TestDroppedSockets(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.marketBuy("dropped", "0.02")
	l.venue.SetFaults(t, venueemu.Faults{DropConnections: true})
	l.waitComponent(t, "market_data", "market_data HEALTHY having redialled", atLeastReconnects(t, 1))
	l.waitComponent(t, "user_stream", "user_stream HEALTHY having resubscribed", atLeastReconnects(t, 1))
	l.waitHealthy(t, "the whole session HEALTHY after the drop")
	if o := l.order(t, "dropped"); o.GetState() != tradingv1.OrderState_ORDER_STATE_FILLED {
		t.Errorf("the order sent as the sockets dropped: %v %q", o.GetState(), o.GetReason())
	}
	if o := l.order(t, l.marketBuy("after", "0.01")); o.GetState() != tradingv1.OrderState_ORDER_STATE_FILLED {
		t.Errorf("an order after the drop: %v %q", o.GetState(), o.GetReason())
	}
	l.checkBooks(t)
}

// The venue ends the user data subscription (eventStreamTerminated, the
// socket left open): the stream resubscribes at once, its reason says
// why, the session reconciles after it, and trading goes on.
func TestTerminatedUserDataSubscription(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.order(t, l.marketBuy("before", "0.01"))
	terminated := time.Now()
	l.venue.SetFaults(t, venueemu.Faults{TerminateUserData: true})
	l.waitComponent(t, "user_stream", "user_stream resubscribed, naming the termination",
		func(c *tradingv1.ComponentHealth) bool {
			return atLeastReconnects(t, 1)(c) && strings.Contains(c.GetReason(), "terminated")
		})
	l.waitComponent(t, "reconcile", "a reconciliation after the resubscription", func(c *tradingv1.ComponentHealth) bool {
		return c.GetStatus() == healthy && c.GetLastProgress().AsTime().After(terminated)
	})
	l.waitHealthy(t, "the whole session HEALTHY after the resubscription")
	if o := l.order(t, l.marketBuy("after", "0.01")); o.GetState() != tradingv1.OrderState_ORDER_STATE_FILLED {
		t.Errorf("an order after the resubscription: %v %q", o.GetState(), o.GetReason())
	}
	l.checkBooks(t)
}
