package session

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/market"
)

// firstTickFeed closes ticked when the loop first asks for quotes.
type firstTickFeed struct {
	market.Feed
	once   sync.Once
	ticked chan struct{}
}

func (f *firstTickFeed) Quotes(ctx context.Context, now time.Time, dst []market.Quote) ([]market.Quote, error) {
	f.once.Do(func() { close(f.ticked) })
	return f.Feed.Quotes(ctx, now, dst)
}

// Time from Start to the trading loop's first request for quotes, with a
// 300 s health interval: the gap the original bug made infinite.
func BenchmarkStartToFirstTick(b *testing.B) {
	var feed *firstTickFeed
	m := NewManager(Options{HealthInterval: 300 * time.Second, Build: func(s Settings) (Parts, error) {
		p, err := BuildPaper(s)
		feed = &firstTickFeed{Feed: p.Feed, ticked: make(chan struct{})}
		p.Feed = feed
		return p, err
	}})
	defer m.Shutdown(context.Background())
	s := Settings{Mode: ModePaper, Symbols: []string{"BTC-USD"}}
	for b.Loop() {
		if _, _, err := m.Start(s); err != nil {
			b.Fatal(err)
		}
		<-feed.ticked
		b.StopTimer()
		if _, _, _, err := m.Stop(context.Background(), 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
