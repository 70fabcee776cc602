package session

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
)

// firstTickFeed closes ticked when the loop first asks for quotes.
type firstTickFeed struct {
	market.Source
	once   sync.Once
	ticked chan struct{}
}

func (f *firstTickFeed) Next(ctx context.Context, until time.Time) (market.Event, bool, error) {
	f.once.Do(func() { close(f.ticked) })
	return f.Source.Next(ctx, until)
}

// Time from Start to the trading loop's first request for quotes, with a
// 300 s health interval: the gap the original bug made infinite.
func BenchmarkStartToFirstTick(b *testing.B) {
	var feed *firstTickFeed
	m := NewManager(Options{HealthInterval: 300 * time.Second, Assembler: assemble.Paper{Replace: func(p *assemble.Parts) {
		feed = &firstTickFeed{Source: p.Source, ticked: make(chan struct{})}
		p.Source = feed
	}}})
	defer m.Shutdown(context.Background())
	s := settings.Settings{Mode: settings.ModePaper, Symbols: []string{"BTC-USD"}}
	for b.Loop() {
		if _, _, err := m.Start(s); err != nil {
			b.Fatal(err)
		}
		<-feed.ticked
		b.StopTimer()
		if _, _, _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
