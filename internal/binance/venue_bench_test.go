package binance

import (
	"fmt"
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/venue"
)

// chanSender hands orders to a goroutine over a buffered channel, as the
// sender's queue does: the cost the loop pays is the checks and the send.
type chanSender struct{ ch chan OrderRequest }

func (c chanSender) Place(o OrderRequest) bool {
	select {
	case c.ch <- o:
		return true
	default:
		return false
	}
}
func (chanSender) Cancel(_, _ string) bool { return true }
func (chanSender) Resolve(_, _ string)     {}

// BenchmarkSubmit is the loop-side cost of Submit: the local checks, the
// order's record and the handoff to the sender's goroutine.
func BenchmarkSubmit(b *testing.B) {
	v := NewVenue(VenueConfig{Quote: "USDT", Rules: vRules()})
	s := chanSender{ch: make(chan OrderRequest, 4096)}
	v.SetSender(s)
	spec := vLimit(vBTC, venue.Buy, "1", "100")
	ev := vQuote(vBTC)
	ids := make([]string, 4096)
	for i := range ids {
		ids[i] = fmt.Sprintf("t1-%d", i)
	}
	var dst []venue.ExecutionReport
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%len(ids) == 0 && i > 0 {
			// The venue ends orders as it answers and the sender takes
			// them off its queue; here both happen between rounds, off
			// the clock.
			b.StopTimer()
			v.orders, v.open, v.count = map[string]*order{}, v.open[:0], map[string]int{}
			for range len(s.ch) {
				<-s.ch
			}
			b.StartTimer()
		}
		dst = v.Submit(spec, ids[i%len(ids)], ev, vT0, dst[:0])
		if len(dst) != 0 {
			b.Fatalf("refused: %s", dst[0].Reason)
		}
	}
}

// BenchmarkApplyTrade is the loop-side cost of one trade from the venue:
// the inbox handoff, the dedupe and the fill report, in an order of many
// parts.
func BenchmarkApplyTrade(b *testing.B) {
	v := NewVenue(VenueConfig{Quote: "USDT", Rules: vRules()})
	v.SetSender(chanSender{ch: make(chan OrderRequest, 1)})
	spec := vLimit(vBTC, venue.Buy, "1000000", "100")
	if rs := v.Submit(spec, "big", vQuote(vBTC), vT0, nil); len(rs) != 0 {
		b.Fatal(rs[0].Reason)
	}
	ev := market.Event{Kind: market.EventHeartbeat, Time: vT0}
	u := vTrade(vBTC, "big", 0, "0.00000001", "100", "0", StatusPartiallyFilled)
	var dst []venue.ExecutionReport
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tr := *u.Trade
		tr.ID = int64(i + 1)
		u.Trade = &tr
		v.Update(u)
		dst = v.OnEvent(&ev, dst[:0])
		if n, _ := vFills(dst); n != 1 {
			b.Fatalf("%d fills", n)
		}
	}
}
