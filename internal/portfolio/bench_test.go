package portfolio

import (
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
)

func TestApplyAndMarkDoNotAllocate(t *testing.T) {
	p := New("USD", d("1000000"))
	buy := fill(venue.Buy, "BTC-USD", "0.01", "60000", "0.6")
	sell := fill(venue.Sell, "BTC-USD", "0.03", "60010.5", "1.8")
	q := quote("BTC-USD", "60000", "60001")
	if err := p.Apply(buy); err != nil { // first sight of the symbol allocates
		t.Fatal(err)
	}
	var err error
	allocs := testing.AllocsPerRun(200, func() {
		p.Mark(q)
		err = p.Apply(buy)  // adds
		err = p.Apply(sell) // reduces and flips
		err = p.Apply(buy)  // reduces a short
		_ = p.Position("BTC-USD")
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Fatalf("Apply and Mark allocated %v times per run", allocs)
	}
}

func BenchmarkApply(b *testing.B) {
	p := New("USD", d("1000000"))
	buy := fill(venue.Buy, "BTC-USD", "0.01", "60000", "0.6")
	sell := fill(venue.Sell, "BTC-USD", "0.01", "60010.5", "0.6")
	for b.Loop() {
		_ = p.Apply(buy)
		_ = p.Apply(sell)
	}
}

func BenchmarkMark(b *testing.B) {
	p := New("USD", d("1000000"))
	q := quote("BTC-USD", "60000", "60001")
	for b.Loop() {
		p.Mark(q)
	}
}

func BenchmarkSnapshot(b *testing.B) {
	p := New("USD", d("1000000"))
	for _, s := range symbols {
		_ = p.Apply(fill(venue.Buy, s, "1", "100", "0.1"))
	}
	for b.Loop() {
		_ = p.Snapshot()
	}
}
