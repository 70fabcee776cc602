package paper

import (
	"context"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
)

func TestQuotesDoNotAllocate(t *testing.T) {
	m := mustMarket(t, 3, Symbols()...)
	quotes := make([]market.Quote, 0, len(Symbols()))
	ctx := context.Background()
	var err error
	allocs := testing.AllocsPerRun(200, func() {
		quotes, err = m.Quotes(ctx, now, quotes[:0])
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Fatalf("Quotes allocated %v times per run", allocs)
	}
}

func BenchmarkMarketQuotes(b *testing.B) {
	m := mustMarket(b, 3, "BTC-USD", "ETH-USD", "SOL-USD")
	buf := make([]market.Quote, 0, 3)
	ctx := context.Background()
	for b.Loop() {
		buf, _ = m.Quotes(ctx, now, buf[:0])
	}
}
