package strategy

import (
	"testing"

	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
)

// zigzag is a price path that crosses often, so signals are exercised too.
func zigzag(n int) []market.Quote {
	out := make([]market.Quote, n)
	for i := range out {
		p := int64(100 + i%40)
		if i%40 >= 20 {
			p = int64(140 - i%40)
		}
		mid := money.FromInt(p)
		out[i] = market.Quote{Symbol: "BTC-USD", Bid: mid, Ask: mid.Add(money.FromUnits(2))}
	}
	return out
}

func TestSMADoesNotAllocateAfterFirstQuote(t *testing.T) {
	s, _ := NewSMA(DefaultSMAConfig())
	quotes := zigzag(400)
	dst := make([]Intent, 0, 4)
	s.OnQuote(quotes[0], money.Decimal{}, dst) // first sight of the symbol
	i, position, signals := 1, money.Decimal{}, 0
	allocs := testing.AllocsPerRun(300, func() {
		dst = s.OnQuote(quotes[i], position, dst[:0])
		for _, in := range dst {
			signals++
			if position.IsZero() {
				position = in.Quantity
			} else {
				position = money.Decimal{}
			}
		}
		i++
	})
	if allocs != 0 {
		t.Fatalf("OnQuote allocated %v times per quote", allocs)
	}
	if signals < 4 {
		t.Fatalf("only %d signals: the path does not exercise crossings", signals)
	}
}

func BenchmarkSMAOnQuote(b *testing.B) {
	s, _ := NewSMA(DefaultSMAConfig())
	quotes := zigzag(4000)
	dst := make([]Intent, 0, 4)
	i := 0
	for b.Loop() {
		dst = s.OnQuote(quotes[i%len(quotes)], money.Decimal{}, dst[:0])
		i++
	}
}
