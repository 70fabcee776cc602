package risk

import (
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

func TestDrawdownTrips(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		equity []string // one OnEquity each; the last one must trip, no other
		reason string
	}{{
		name:   "from the start: exactly at the limit holds, beyond trips",
		limits: Limits{MaxDrawdown: d("0.05")},
		equity: []string{"100000", "95000", "110000", "95000", "94999.99999999"},
		reason: "max_drawdown: equity 94999.99999999 is 5.00% below the starting equity of 100000, beyond the limit of 5.00%",
	}, {
		name:   "trailing from the peak",
		limits: Limits{MaxTrailingDrawdown: d("0.1"), MaxDrawdown: d("0.5")},
		equity: []string{"120000", "108000", "130000", "116999"},
		reason: "max_trailing_drawdown: equity 116999 is 10.000769% below the peak equity of 130000, beyond the limit of 10.00%",
	}, {
		name:   "from the start takes precedence when both trip",
		limits: Limits{MaxTrailingDrawdown: d("0.1"), MaxDrawdown: d("0.2")},
		equity: []string{"79000"},
		reason: "max_drawdown: equity 79000 is 21.00% below the starting equity of 100000, beyond the limit of 20.00%",
	}, {
		// Rounded to two places, both read 0.00%.
		name:   "a tiny limit and loss keep their figures",
		limits: Limits{MaxDrawdown: d("0.00001")},
		equity: []string{"99998.8"},
		reason: "max_drawdown: equity 99998.8 is 0.0012% below the starting equity of 100000, beyond the limit of 0.001%",
	}, {
		name:   "negative equity",
		limits: Limits{MaxDrawdown: d("0.9")},
		equity: []string{"-50000"},
		reason: "max_drawdown: equity -50000 is 150.00% below the starting equity of 100000, beyond the limit of 90.00%",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(tt.limits, d("100000"))
			for i, e := range tt.equity {
				last := i == len(tt.equity)-1
				now := t0.Add(time.Duration(i) * time.Second)
				if tripped := g.OnEquity(d(e), now); tripped != last {
					t.Fatalf("equity %s: tripped %v", e, tripped)
				}
				if last && (g.State() != Halted || g.Reason() != tt.reason || !g.HaltedAt().Equal(now)) {
					t.Fatalf("%s at %s: %q", g.State(), g.HaltedAt(), g.Reason())
				}
			}
			// Tripping again reports nothing new and keeps the reason.
			if g.OnEquity(d("1"), t0.Add(time.Hour)) || g.Reason() != tt.reason {
				t.Fatalf("tripped twice: %q", g.Reason())
			}
		})
	}
}

func TestDrawdownOff(t *testing.T) {
	g := New(Limits{}, d("100000"))
	if g.OnEquity(d("1"), t0) || g.OnEquity(d("-1000"), t0) || g.State() != Active {
		t.Fatal("tripped with the drawdown limits off")
	}
}

func TestReducingTripsToHalted(t *testing.T) {
	g := New(Limits{MaxDrawdown: d("0.1")}, d("1000"))
	g.Reduce("winding down")
	if !g.OnEquity(d("899"), t0) || g.State() != Halted {
		t.Fatalf("%s", g.State())
	}
}

func TestResetRebases(t *testing.T) {
	g := New(Limits{MaxDrawdown: d("0.1"), MaxTrailingDrawdown: d("0.05")}, d("1000"))
	g.OnEquity(d("1200"), t0)
	if !g.OnEquity(d("1100"), t0) { // 8.3% below the peak of 1200
		t.Fatal("no trip")
	}
	g.OnEquity(d("950"), t0) // halted: still tracked
	if err := g.Reset(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Start and peak are now 950: 910 is 4.2% down, 900 is 5.3%.
	if g.OnEquity(d("910"), t0) {
		t.Fatalf("tripped by the loss before the reset: %q", g.Reason())
	}
	if !g.OnEquity(d("900"), t0) {
		t.Fatal("limits do not apply after the reset")
	}
	g.OnEquity(d("0"), t0)
	if err := g.Reset(t0); err == nil || g.State() != Halted {
		t.Fatalf("reset at zero equity: %v, %s", err, g.State())
	}
}

func TestHaltFromAnotherGoroutine(t *testing.T) {
	g := New(Limits{MaxDrawdown: d("0.5")}, d("1000"))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() { // the trading loop
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			g.OnEquity(money.FromInt(int64(900+i%100)), t0)
			_ = g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0.Add(time.Duration(i)))
		}
	})
	g.Halt("operator", t0)
	_ = g.State()
	_ = g.Reason()
	close(stop)
	wg.Wait()
	if err := g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0); err == nil {
		t.Fatal("passed after a halt")
	}
}
