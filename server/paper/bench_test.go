package paper

import (
	"context"
	"testing"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/market"
)

func TestHotPathsDoNotAllocate(t *testing.T) {
	m := mustMarket(t, 3, Symbols()...)
	b, _ := NewBroker(DefaultFeeBps)
	quotes := make([]market.Quote, 0, len(Symbols()))
	fills := make([]broker.Fill, 0, 1)
	ctx := context.Background()
	o := broker.Order{ClientID: "s-1", Symbol: "BTC-USD", Side: broker.Sell, Quantity: d("0.01")}
	var err error
	allocs := testing.AllocsPerRun(200, func() {
		quotes, err = m.Quotes(ctx, now, quotes[:0])
		q := quotes[2] // BTC-USD
		fills, err = b.Submit(ctx, o, q, fills[:0])
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Fatalf("Quotes and Submit allocated %v times per run", allocs)
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

func BenchmarkBrokerSubmit(b *testing.B) {
	br, _ := NewBroker(DefaultFeeBps)
	o := broker.Order{ClientID: "s-1", Symbol: "BTC-USD", Side: broker.Buy, Quantity: d("0.0166")}
	q := btcQuote()
	buf := make([]broker.Fill, 0, 1)
	ctx := context.Background()
	for b.Loop() {
		buf, _ = br.Submit(ctx, o, q, buf[:0])
	}
}
