package risk

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// passRound is the coordinator's per-event use of a guard with every limit
// on: the new equity, then one order that passes.
func passRound(g *Guard, spec venue.OrderSpec, ref, pos money.Decimal, now time.Time) error {
	g.OnEquity(money.FromInt(100_000), now)
	return g.Check(spec, ref, pos, 3, now)
}

func benchGuard() *Guard {
	l := DefaultLimits()
	l.MaxPosition = money.FromInt(10)
	l.MaxOrdersPerSecond = MaxOrdersPerSecondCeiling
	return New(l, money.FromInt(100_000))
}

func BenchmarkCheckPass(b *testing.B) {
	g, spec, ref, pos := benchGuard(), buy("0.01"), d("60000"), d("0.5")
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond) // 1000/s, well within the rate
		if err := passRound(g, spec, ref, pos, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckHalted(b *testing.B) {
	g, spec := benchGuard(), buy("0.01")
	g.Halt("bench", t0)
	b.ReportAllocs()
	for b.Loop() {
		if g.Check(spec, d("1"), money.Decimal{}, 0, t0) == nil {
			b.Fatal("passed")
		}
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	g, spec, ref, pos := benchGuard(), buy("0.01"), d("60000"), d("0.5")
	now := t0
	if n := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Millisecond)
		if err := passRound(g, spec, ref, pos, now); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("pass path: %v allocations per order", n)
	}
	g.Halt("test", now)
	if n := testing.AllocsPerRun(1000, func() { _ = g.Check(spec, ref, pos, 0, now) }); n != 0 {
		t.Errorf("halted: %v allocations per order", n)
	}
}
