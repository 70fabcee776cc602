package remote

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// walk is n book events of BTC-USD, a random walk from a fixed seed.
func walk(n int) []market.Event {
	rng := rand.New(rand.NewPCG(7, 11))
	mid := int64(10_000) // in cents
	evs := make([]market.Event, n)
	for i := range evs {
		mid += rng.Int64N(41) - 20
		evs[i] = bookEv("BTC-USD", i+1, money.FromUnits(mid*1e6-1e6).String(), money.FromUnits(mid*1e6+1e6).String())
	}
	return evs
}

// scripted is a strategy process that keeps one buy resting a dollar under
// the bid (replacing it as the market moves) and takes the ask every 7th
// event. It decides on the events alone, so only the daemon's timing could
// make two runs differ.
func scripted(c *client) {
	n := 0
	for {
		var ev *tradingv1.StrategyEvent
		select {
		case ev = <-c.events:
		case <-c.done:
			return
		}
		if !ev.NeedsAnswer {
			continue
		}
		n++
		b := ev.GetBook()
		bid := money.MustParse(b.Bid)
		price := bid.Sub(money.FromInt(1)).String()
		var ds []*tradingv1.StrategyDecision
		if n == 1 {
			ds = append(ds, limit("rest", "BTC-USD", buy, "0.01", price))
		} else {
			ds = append(ds, replaceTag("rest", "0.01", price))
		}
		if n%7 == 0 {
			ds = append(ds, limit(fmt.Sprintf("take%d", n), "BTC-USD", buy, "0.02", b.Ask))
		}
		if err := c.stream.Send(&tradingv1.RunStrategyRequest{Message: &tradingv1.RunStrategyRequest_Answer{
			Answer: &tradingv1.StrategyAnswer{EventSequence: ev.Sequence, Decisions: ds}}}); err != nil {
			return
		}
	}
}

// backtest runs walk(n) through a coordinator in mode, with the scripted
// strategy attached, and returns the order book as text.
func backtest(t *testing.T, mode Mode, n int) string {
	src := sliceSource(walk(n))
	r := newRig(t, Config{Mode: mode}, &src)
	c := r.attach(hello())
	done := make(chan struct{})
	go func() { defer close(done); scripted(c) }()
	if err := r.coord.Backtest(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "backtest over")
	<-done
	var sb strings.Builder
	os, _ := r.book.List(false, 0)
	for _, o := range os {
		fmt.Fprintf(&sb, "%s %s %+v %s %s %s %v\n", o.ClientID, o.Spec.Tag, o.Spec, o.State, o.Filled, o.AveragePrice, o.Fills)
	}
	return sb.String()
}

func TestLockstepIsDeterministic(t *testing.T) {
	a, b := backtest(t, Lockstep, 300), backtest(t, Lockstep, 300)
	if a != b {
		t.Fatalf("two lockstep runs differ:\n%s\n---\n%s", a, b)
	}
	// Every event's answer was taken at its event: 300 replaces or places,
	// and 42 takes, none refused for lateness.
	if got := strings.Count(a, "\n"); got != 300+300/7 {
		t.Fatalf("%d orders, want %d:\n%s", got, 300+300/7, a)
	}
}

// Lockstep waits for the answer, but not past the session's end: Close
// releases an OnEvent waiting for a client that never answers.
func TestLockstepCloseReleasesTheLoop(t *testing.T) {
	r := newRig(t, Config{Mode: Lockstep}, nil)
	c := r.attach(hello())
	released := make(chan struct{})
	go func() { defer close(released); r.event("BTC-USD", "100", "101") }()
	c.next()
	c.next() // the book event: never answered
	select {
	case <-released:
		t.Fatal("OnEvent did not wait for the answer")
	case <-time.After(20 * time.Millisecond):
	}
	r.s.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "over")
	<-released
}
