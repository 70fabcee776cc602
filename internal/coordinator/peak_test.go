package coordinator

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// peaks is a journal that keeps every tick's figures.
type peaks struct{ ticks []Tick }

func (p *peaks) Commit(_ context.Context, t *Tick) error {
	p.ticks = append(p.ticks, Tick{Time: t.Time, Equity: t.Equity, Peak: t.Peak})
	return nil
}

// truth is the peak and largest drawdown of a run of equities, computed
// the plain way.
func truth(from EquityPeak, equities []money.Decimal) EquityPeak {
	p := from
	for _, e := range equities {
		p.Peak = money.Max(p.Peak, e)
		p.MaxDrawdown = money.Max(p.MaxDrawdown, p.Peak.Sub(e))
	}
	return p
}

// A dip and a recovery inside one tick count: the figures come from the
// equity after every event, not from the tick's last one, and a resumed
// loop carries them on rather than starting from its equity.
func TestEquityPeakCountsEveryEvent(t *testing.T) {
	// Long 10 BTC from the first event, then the price falls 30 and
	// recovers past where it was, all between two commits.
	evs := []market.Event{book(0, 100), book(1, 100), book(2, 85), book(3, 70), book(4, 120), book(5, 115),
		book(11, 90), book(12, 118)}
	run := func(from *EquityPeak, pf *portfolio.Portfolio, evs []market.Event) ([]money.Decimal, *peaks, *Coordinator) {
		engine, err := matching.New(matching.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		var seen []money.Decimal
		j := &peaks{}
		now := t0
		at := map[int]venue.OrderSpec{}
		if from == nil {
			at[1] = buy("10")
		}
		c, err := New(Config{OrderPrefix: "s", TickInterval: time.Second, Source: &script{evs: evs}, Venue: engine,
			Strategy: &planned{at: at}, Portfolio: pf, Risk: risk.New(risk.DefaultLimits(), money.FromInt(10_000)),
			Orders: orders.NewBook("s", 100), Journal: j, Peak: from, Now: func() time.Time { return now },
			Observe: func(_ time.Time, e money.Decimal) { seen = append(seen, e) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, tick := range []time.Duration{6 * time.Second, 13 * time.Second} {
			now = t0.Add(tick)
			c.Tick(context.Background())
		}
		return seen, j, c
	}
	pf := portfolio.New("USD", money.FromInt(10_000))
	start := pf.Equity()
	seen, j, c := run(nil, pf, evs)
	want := truth(EquityPeak{Peak: start}, seen)
	if len(j.ticks) != 2 || j.ticks[1].Peak != want || c.Stats().Peak != want {
		t.Fatalf("committed %+v, shown %+v; want %+v", j.ticks, c.Stats().Peak, want)
	}
	// The dip is inside the first tick: the ticks' own equities miss it.
	if atTicks := truth(EquityPeak{Peak: start}, []money.Decimal{j.ticks[0].Equity, j.ticks[1].Equity}); atTicks.MaxDrawdown.Cmp(want.MaxDrawdown) >= 0 {
		t.Fatalf("the test's dip shows at the ticks too (%s vs %s): it proves nothing", atTicks.MaxDrawdown, want.MaxDrawdown)
	}
	if want.MaxDrawdown.Cmp(j.ticks[0].Peak.Drawdown(j.ticks[0].Equity)) <= 0 {
		t.Fatalf("max drawdown %s is not above the first tick's own %s", want.MaxDrawdown, j.ticks[0].Peak.Drawdown(j.ticks[0].Equity))
	}

	// A resumed loop, at a lower equity, goes on from the committed figures.
	resumed := j.ticks[1].Peak
	seen2, j2, c2 := run(&resumed, pf, []market.Event{book(2, 95), book(4, 100)})
	want2 := truth(resumed, seen2)
	if len(seen2) != 2 || c2.Stats().Peak != want2 || j2.ticks[len(j2.ticks)-1].Peak != want2 || want2.Peak != resumed.Peak {
		t.Fatalf("resumed: shown %+v, committed %+v; want %+v carried on from %+v", c2.Stats().Peak, j2.ticks, want2, resumed)
	}
}

// A reader of Stats never sees an account whose equity is above the peak
// shown with it: the health report would say the equity is higher than
// the session's peak. The loop publishes both after every tick while
// equity climbs; another goroutine reads them all along.
func TestStatsPeakCoversAccount(t *testing.T) {
	const n = 100_000
	evs := make([]market.Event, n)
	for i := range evs {
		evs[i] = book(i, 100+int64(i))
	}
	engine, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	c, err := New(Config{OrderPrefix: "s", TickInterval: time.Second, Source: &script{evs: evs}, Venue: engine,
		Strategy: &planned{at: map[int]venue.OrderSpec{1: buy("10")}}, Portfolio: portfolio.New("USD", money.FromInt(10_000)),
		Risk: risk.New(risk.DefaultLimits(), money.FromInt(10_000)), Orders: orders.NewBook("s", 100),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	bad := make(chan string, 1)
	go func() {
		defer close(bad)
		for {
			select {
			case <-done:
				return
			default:
			}
			if st := c.Stats(); st.Account.Equity.Cmp(st.Peak.Peak) > 0 {
				bad <- "equity " + st.Account.Equity.String() + " above the peak shown with it, " + st.Peak.Peak.String()
				return
			}
		}
	}()
	for i := range evs {
		now = evs[i].Time
		c.Tick(context.Background())
	}
	close(done)
	if msg, ok := <-bad; ok {
		t.Fatal(msg)
	}
}
