package binance

import (
	"strconv"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// The loop's side pays for these on every order: the rules check before
// sending, and handing the order to the sender (which must not block).

func BenchmarkRulesCheck(b *testing.B) {
	d := money.MustParse
	r := Rules{Filters: venue.Filters{TickSize: d("0.01"), LotSize: d("0.00001"), MinNotional: d("5")},
		MinPrice: d("0.01"), MaxPrice: d("1000000"), MinQty: d("0.00001"), MaxQty: d("9000"), MaxNotional: d("9000000"),
		BidUp: d("5"), BidDown: d("0.2"), AskUp: d("5"), AskDown: d("0.2"), MaxNumOrders: 200}
	spec := venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC, Quantity: d("0.5"), Price: d("60000")}
	ref := d("60000")
	b.ReportAllocs()
	for b.Loop() {
		if r.Check(spec, ref, ref, 3) != "" {
			b.Fatal("refused")
		}
	}
}

func BenchmarkSenderPlace(b *testing.B) {
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = "t1-" + strconv.Itoa(i)
	}
	s := NewSender(nil, newFakeSink(), SenderConfig{RecvWindow: time.Second, Clock: NewClock(nil, Config{}), Queue: len(ids)})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(ids) { // drain as Run would, off the clock
			b.StopTimer()
			for _, ok := s.pop(); ok; _, ok = s.pop() {
			}
			s.seen = newIDSet(maxSeen)
			i = 0
			b.StartTimer()
		}
		s.Place(OrderRequest{ClientID: ids[i], Spec: testOrder.Spec})
		i++
	}
}
